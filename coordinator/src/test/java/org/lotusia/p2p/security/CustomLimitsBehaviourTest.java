package org.lotusia.p2p.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lotusia.p2p.security.TestSupport.peer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.testing.ManualClock;

/** Every {@link SecurityLimits} key, overridden via customLimits, changes the manager's behaviour. */
class CustomLimitsBehaviourTest {

    private record Case(Map<String, Number> limits, Consumer<Env> check) {
    }

    private record Env(CoreSecurityManager m, ManualClock clock) {
    }

    private static final PeerId P = peer(1);
    private static final Map<String, Case> CASES = new LinkedHashMap<>();

    static {
        CASES.put("MAX_P2P_MESSAGE_SIZE", new Case(Map.of("MAX_P2P_MESSAGE_SIZE", 500), e -> {
            assertThat(e.m.maxMessageSize()).isEqualTo(500);
            assertThat(e.m.isOversized(500)).isFalse();
            assertThat(e.m.isOversized(501)).isTrue();
        }));
        CASES.put("MIN_DHT_ANNOUNCEMENT_INTERVAL", new Case(Map.of("MIN_DHT_ANNOUNCEMENT_INTERVAL", 1000), e -> {
            assertThat(e.m.canAnnounceToDHT(P, "t", "a", null)).isTrue();
            e.clock.advanceMillis(999);
            assertThat(e.m.canAnnounceToDHT(P, "t", "b", null)).isFalse();
            assertThat(e.m.getMetrics().dhtAnnouncementsRateLimited()).isEqualTo(1);
            e.clock.advanceMillis(1);
            assertThat(e.m.canAnnounceToDHT(P, "t", "b", null)).isTrue();
        }));
        CASES.put("MAX_DHT_RESOURCES_PER_PEER", new Case(
                Map.of("MAX_DHT_RESOURCES_PER_PEER", 3, "MIN_DHT_ANNOUNCEMENT_INTERVAL", 0), e -> {
                    for (int i = 0; i < 3; i++) {
                        assertThat(e.m.canAnnounceToDHT(P, "type" + i, "id", null)).isTrue();
                    }
                    assertThat(e.m.canAnnounceToDHT(P, "type9", "id", null)).isFalse();
                }));
        CASES.put("MAX_DHT_RESOURCES_PER_TYPE_PER_PEER", new Case(
                Map.of("MAX_DHT_RESOURCES_PER_TYPE_PER_PEER", 2, "MIN_DHT_ANNOUNCEMENT_INTERVAL", 0), e -> {
                    assertThat(e.m.canAnnounceToDHT(P, "t", "1", null)).isTrue();
                    assertThat(e.m.canAnnounceToDHT(P, "t", "2", null)).isTrue();
                    assertThat(e.m.canAnnounceToDHT(P, "t", "3", null)).isFalse();
                    assertThat(e.m.canAnnounceToDHT(P, "u", "3", null)).isTrue();
                }));
        CASES.put("DHT_CLEANUP_INTERVAL", new Case(Map.of("DHT_CLEANUP_INTERVAL", 1234), e ->
                assertThat(e.m.cleanupInterval()).isEqualTo(Duration.ofMillis(1234))));
        CASES.put("MAX_INVALID_MESSAGES_PER_PEER", new Case(Map.of("MAX_INVALID_MESSAGES_PER_PEER", 3), e -> {
            e.m.recordMessage(P, false, false);
            e.m.recordMessage(P, false, false);
            assertThat(e.m.isPeerBanned(P)).isFalse();
            e.m.recordMessage(P, false, false);
            assertThat(e.m.isPeerBanned(P)).isTrue();
        }));
        CASES.put("WARNINGS_BEFORE_TEMP_BAN", new Case(Map.of("WARNINGS_BEFORE_TEMP_BAN", 2), e -> {
            e.m.warnPeer(P, "x");
            assertThat(e.m.isPeerBanned(P)).isFalse();
            e.m.warnPeer(P, "x");
            assertThat(e.m.isPeerBanned(P)).isTrue();
            assertThat(e.m.banManager().isPermanentlyBanned(P)).isFalse();
        }));
        CASES.put("WARNINGS_BEFORE_BAN", new Case(Map.of("WARNINGS_BEFORE_BAN", 3), e -> {
            e.m.warnPeer(P, "x");
            e.m.warnPeer(P, "x");
            assertThat(e.m.isPeerBanned(P)).isFalse();
            e.m.warnPeer(P, "x");
            assertThat(e.m.banManager().isPermanentlyBanned(P)).isTrue();
        }));
        CASES.put("TEMP_BAN_DURATION", new Case(
                Map.of("TEMP_BAN_DURATION", 5000, "WARNINGS_BEFORE_TEMP_BAN", 1), e -> {
                    e.m.warnPeer(P, "x");
                    e.clock.advanceMillis(4999);
                    assertThat(e.m.isPeerBanned(P)).isTrue();
                    e.clock.advanceMillis(1);
                    assertThat(e.m.isPeerBanned(P)).isFalse();
                }));
        CASES.put("WARNING_DECAY_INTERVAL", new Case(Map.of("WARNING_DECAY_INTERVAL", 1000), e -> {
            e.m.warnPeer(P, "x");
            e.m.warnPeer(P, "x");
            e.clock.advanceMillis(1000);
            assertThat(e.m.banManager().warningCount(P)).isEqualTo(1);
            e.clock.advanceMillis(1000);
            assertThat(e.m.banManager().warningCount(P)).isZero();
        }));
        CASES.put("MAX_MESSAGES_PER_WINDOW", new Case(Map.of("MAX_MESSAGES_PER_WINDOW", 3), e -> {
            for (int i = 0; i < 3; i++) {
                assertThat(e.m.allowMessage(P)).isTrue();
            }
            assertThat(e.m.allowMessage(P)).isFalse();
        }));
        CASES.put("MESSAGE_RATE_WINDOW", new Case(Map.of("MESSAGE_RATE_WINDOW", 1000), e -> {
            for (int i = 0; i < 100; i++) {
                assertThat(e.m.allowMessage(P)).isTrue();
            }
            assertThat(e.m.allowMessage(P)).isFalse();
            e.clock.advanceMillis(10); // 100 per 1000 ms: one token per 10 ms (default window: 0.1 token)
            assertThat(e.m.allowMessage(P)).isTrue();
            assertThat(e.m.allowMessage(P)).isFalse();
        }));
        CASES.put("MAX_TRACKED_PEERS", new Case(
                Map.of("MAX_TRACKED_PEERS", 5, "MIN_DHT_ANNOUNCEMENT_INTERVAL", 0), e -> {
                    for (int i = 0; i < 50; i++) {
                        PeerId p = peer(100 + i);
                        e.m.warnPeer(p, "x");
                        e.m.allowMessage(p);
                        e.m.canAnnounceToDHT(p, "t", "id", null);
                    }
                    assertThat(e.m.banManager().trackedPeerCount()).isEqualTo(5);
                    assertThat(e.m.messageRateLimiter().size()).isEqualTo(5);
                    assertThat(e.m.dhtRateLimiter().size()).isEqualTo(5);
                    assertThat(e.m.resourceTracker().trackedPeerCount()).isEqualTo(5);
                }));
    }

    static Stream<String> keys() {
        return SecurityLimits.keys().stream();
    }

    @Test
    void everyKeyHasABehaviourCase() {
        assertThat(CASES.keySet()).containsExactlyInAnyOrderElementsOf(SecurityLimits.keys());
    }

    @ParameterizedTest
    @MethodSource("keys")
    void customLimitChangesBehaviour(String key) {
        Case c = CASES.get(key);
        assertThat(c).as("behaviour case for " + key).isNotNull();
        ManualClock clock = new ManualClock();
        CoreSecurityManager m = new CoreSecurityManager(new SecurityConfig(false, c.limits()), clock, Runnable::run);
        c.check().accept(new Env(m, clock));
    }
}
