package org.lotusia.p2p.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class SecurityLimitsTest {

    static Stream<String> keys() {
        return SecurityLimits.keys().stream();
    }

    @Test
    void defaultsMatchReferenceAndOurConstants() {
        SecurityLimits d = SecurityLimits.defaults();
        assertThat(d.maxP2pMessageSize()).isEqualTo(100_000);
        assertThat(d.minDhtAnnouncementIntervalMs()).isEqualTo(30_000);
        assertThat(d.maxDhtResourcesPerPeer()).isEqualTo(100);
        assertThat(d.maxDhtResourcesPerTypePerPeer()).isEqualTo(20);
        assertThat(d.dhtCleanupIntervalMs()).isEqualTo(300_000);
        assertThat(d.maxInvalidMessagesPerPeer()).isEqualTo(20);
        assertThat(d.warningsBeforeTempBan()).isEqualTo(5);
        assertThat(d.warningsBeforeBan()).isEqualTo(10);
        assertThat(d.tempBanDuration()).isEqualTo(Duration.ofHours(1));
        assertThat(d.warningDecayInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.maxMessagesPerWindow()).isEqualTo(100);
        assertThat(d.messageRateWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.maxTrackedPeers()).isEqualTo(10_000);
        assertThat(SecurityLimits.keys()).containsExactly("MAX_P2P_MESSAGE_SIZE", "MIN_DHT_ANNOUNCEMENT_INTERVAL",
                "MAX_DHT_RESOURCES_PER_PEER", "MAX_DHT_RESOURCES_PER_TYPE_PER_PEER", "DHT_CLEANUP_INTERVAL",
                "MAX_INVALID_MESSAGES_PER_PEER", "WARNINGS_BEFORE_TEMP_BAN", "WARNINGS_BEFORE_BAN", "TEMP_BAN_DURATION",
                "WARNING_DECAY_INTERVAL", "MAX_MESSAGES_PER_WINDOW", "MESSAGE_RATE_WINDOW", "MAX_TRACKED_PEERS");
    }

    @ParameterizedTest
    @MethodSource("keys")
    void everyKeyIsOverriddenAndNoOtherKeyChanges(String key) {
        SecurityLimits d = SecurityLimits.defaults();
        long value = d.get(key) + 7;
        SecurityLimits custom = d.withCustomLimits(Map.of(key, value));
        assertThat(custom.get(key)).isEqualTo(value);
        for (String other : SecurityLimits.keys()) {
            if (!other.equals(key)) {
                assertThat(custom.get(other)).as(other).isEqualTo(d.get(other));
            }
        }
        // Also through SecurityConfig.
        assertThat(SecurityConfig.builder().customLimit(key, (int) value).build().limits().get(key)).isEqualTo(value);
    }

    @ParameterizedTest
    @MethodSource("keys")
    void everyKeyRejectsOutOfRangeAndFractionalValues(String key) {
        SecurityLimits d = SecurityLimits.defaults();
        assertThatThrownBy(() -> d.withCustomLimits(Map.of(key, -1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key);
        assertThatThrownBy(() -> d.withCustomLimits(Map.of(key, 1.5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key);
        Map<String, Number> withNull = new LinkedHashMap<>();
        withNull.put(key, null);
        assertThatThrownBy(() -> d.withCustomLimits(withNull))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(key);
    }

    @Test
    void unknownKeyIsRejectedNamingItAndListingValidKeys() {
        assertThatThrownBy(() -> SecurityLimits.defaults().withCustomLimits(Map.of("MAX_PEERS_TYPO", 5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("MAX_PEERS_TYPO")
                .hasMessageContaining("MIN_DHT_ANNOUNCEMENT_INTERVAL")
                .hasMessageContaining("MAX_TRACKED_PEERS");
        assertThatThrownBy(() -> new SecurityConfig(false, Map.of("nope", 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        assertThatThrownBy(() -> SecurityConfig.builder().customLimit("max_p2p_message_size", 1).build())
                .as("keys are case-sensitive").isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void numericTypesAreAcceptedWhenIntegral() {
        SecurityLimits l = SecurityLimits.defaults().withCustomLimits(Map.of(
                "MAX_P2P_MESSAGE_SIZE", 200_000.0,
                "MIN_DHT_ANNOUNCEMENT_INTERVAL", 60_000L,
                "MAX_DHT_RESOURCES_PER_PEER", new BigDecimal("50"),
                "WARNING_DECAY_INTERVAL", 0));
        assertThat(l.maxP2pMessageSize()).isEqualTo(200_000);
        assertThat(l.minDhtAnnouncementIntervalMs()).isEqualTo(60_000);
        assertThat(l.maxDhtResourcesPerPeer()).isEqualTo(50);
        assertThat(l.warningDecayIntervalMs()).isZero();
        assertThatThrownBy(() -> SecurityLimits.defaults().withCustomLimits(
                Map.of("MAX_P2P_MESSAGE_SIZE", 3_000_000_000L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MAX_P2P_MESSAGE_SIZE");
        assertThat(SecurityLimits.defaults().withCustomLimits(null)).isEqualTo(SecurityLimits.defaults());
    }

    @Test
    void configDefaultsAndCopy() {
        SecurityConfig c = SecurityConfig.defaults();
        assertThat(c.disableRateLimiting()).isFalse();
        assertThat(c.customLimits()).isEmpty();
        assertThat(c.limits()).isEqualTo(SecurityLimits.defaults());
        Map<String, Number> m = new LinkedHashMap<>(Map.of("MAX_DHT_RESOURCES_PER_PEER", 50));
        SecurityConfig c2 = new SecurityConfig(true, m);
        m.put("MAX_DHT_RESOURCES_PER_PEER", 60);
        assertThat(c2.limits().maxDhtResourcesPerPeer()).isEqualTo(50);
        assertThatThrownBy(() -> c2.customLimits().put("X", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(new SecurityConfig(false, null).customLimits()).isEmpty();
    }
}
