package org.lotusia.p2p.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.p2p.security.TestSupport.peer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.testing.ManualClock;

class CoreSecurityManagerTest {
    private static final PeerId A = peer(1);
    private static final PeerId B = peer(2);
    private final ManualClock clock = new ManualClock();

    private CoreSecurityManager manager(boolean disableRateLimiting, Map<String, Number> limits) {
        return new CoreSecurityManager(new SecurityConfig(disableRateLimiting, limits), clock, Runnable::run);
    }

    /** Records every call and returns configurable verdicts. */
    static final class RecordingValidator implements ProtocolValidator {
        final List<List<Object>> calls = new ArrayList<>();
        boolean messageVerdict = true;
        boolean canAnnounceVerdict = true;
        boolean contentVerdict = true;
        boolean throwOnContent;

        @Override
        public boolean validateResourceAnnouncement(String type, String id, Object data, PeerId peer) {
            calls.add(Arrays.asList("content", type, id, data, peer));
            if (throwOnContent) {
                throw new IllegalStateException("validator bug");
            }
            return contentVerdict;
        }

        @Override
        public boolean validateMessage(Object message, PeerId from) {
            calls.add(List.of("message", message, from));
            return messageVerdict;
        }

        @Override
        public boolean canAnnounceResource(String type, PeerId peer) {
            calls.add(List.of("can", type, peer));
            return canAnnounceVerdict;
        }
    }

    @Test
    void defaultValidatorMethodsAccept() {
        ProtocolValidator v = new ProtocolValidator() { };
        assertThat(v.validateMessage("m", A)).isTrue();
        assertThat(v.canAnnounceResource("t", A)).isTrue();
        assertThat(v.validateResourceAnnouncement("t", "i", null, A)).isTrue();
    }

    @Test
    void validateMessageInvokesExactProtocolValidatorWithArguments() {
        CoreSecurityManager m = manager(false, Map.of());
        RecordingValidator v = new RecordingValidator();
        m.registerValidator("musig2", v);
        Object msg = new Object();
        assertThat(m.validateMessage("musig2", msg, A)).isTrue();
        assertThat(v.calls).containsExactly(List.of("message", msg, A));
        v.messageVerdict = false;
        assertThat(m.validateMessage("musig2", msg, B)).isFalse();
        assertThat(m.validateMessage("musig2-session", msg, A)).as("exact match only").isTrue();
        assertThat(m.validateMessage("other", msg, A)).as("no validator: accept").isTrue();
        assertThat(m.validateMessage("musig2", null, A)).isFalse();
        assertThat(v.calls).hasSize(2);

        m.replaceValidator("musig2", new ProtocolValidator() {
            @Override
            public boolean validateMessage(Object message, PeerId from) {
                throw new IllegalStateException("bug");
            }
        });
        assertThat(m.validateMessage("musig2", msg, A)).as("throwing validator rejects").isFalse();
    }

    @Test
    void registrationRules() {
        CoreSecurityManager m = manager(false, Map.of());
        RecordingValidator v1 = new RecordingValidator();
        RecordingValidator v2 = new RecordingValidator();
        m.registerValidator("p", v1);
        assertThatThrownBy(() -> m.registerValidator("p", v2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("p").hasMessageContaining("replace");
        assertThat(m.replaceValidator("p", v2)).contains(v1);
        assertThat(m.validator("p")).contains(v2);
        assertThat(m.unregisterValidator("p")).isTrue();
        assertThat(m.unregisterValidator("p")).isFalse();
        assertThat(m.validator("p")).isEmpty();
        assertThat(m.replaceValidator("q", v1)).isEmpty();
    }

    @Test
    void announcementPipelineInvokesValidatorsAndAppliesVerdicts() {
        CoreSecurityManager m = manager(false, Map.of("MIN_DHT_ANNOUNCEMENT_INTERVAL", 0));
        RecordingValidator v = new RecordingValidator();
        m.registerValidator("musig2", v);
        Map<String, String> data = Map.of("creator", "x");

        assertThat(m.canAnnounceToDHT(A, "musig2-session", "s1", data)).isTrue();
        assertThat(v.calls).containsExactly(List.of("can", "musig2-session", A),
                List.of("content", "musig2-session", "s1", data, A));
        assertThat(m.resourceTracker().getResourceCount(A)).isEqualTo(1);

        v.canAnnounceVerdict = false;
        assertThat(m.canAnnounceToDHT(A, "musig2-session", "s2", data)).isFalse();
        assertThat(m.banManager().warningCount(A)).as("canAnnounceResource=false: no warning").isZero();
        assertThat(m.resourceTracker().getResourceCount(A)).as("slot released").isEqualTo(1);

        v.canAnnounceVerdict = true;
        v.contentVerdict = false;
        assertThat(m.canAnnounceToDHT(A, "musig2-session", "s3", data)).isFalse();
        assertThat(m.banManager().warningCount(A)).as("invalid content warns").isEqualTo(1);
        assertThat(m.resourceTracker().getResourceCount(A)).isEqualTo(1);
        // Re-announcing an existing resource with invalid content keeps the existing slot.
        assertThat(m.canAnnounceToDHT(A, "musig2-session", "s1", data)).isFalse();
        assertThat(m.resourceTracker().getResourceCount(A)).isEqualTo(1);

        v.contentVerdict = true;
        v.throwOnContent = true;
        assertThat(m.canAnnounceToDHT(A, "musig2-session", "s4", data)).isFalse();
        assertThat(m.banManager().warningCount(A)).as("validator bug: no warning").isEqualTo(2);

        SecurityMetrics metrics = m.getMetrics();
        assertThat(metrics.dhtAnnouncementsTotal()).isEqualTo(5);
        assertThat(metrics.dhtAnnouncementsRejected()).isEqualTo(4);
        assertThat(metrics.dhtAnnouncementsRateLimited()).isZero();
    }

    @Test
    void validatorLookupExactThenLongestPrefixAtBoundary() {
        CoreSecurityManager m = manager(false, Map.of("MIN_DHT_ANNOUNCEMENT_INTERVAL", 0));
        RecordingValidator shortV = new RecordingValidator();
        RecordingValidator longV = new RecordingValidator();
        RecordingValidator exactV = new RecordingValidator();
        m.registerValidator("musig2", shortV);
        m.registerValidator("musig2-session", longV);
        m.registerValidator("musig2-session-x", exactV);
        shortV.canAnnounceVerdict = false;
        longV.canAnnounceVerdict = false;
        exactV.canAnnounceVerdict = false;

        m.canAnnounceToDHT(A, "musig2-session-x", "1", null);
        m.canAnnounceToDHT(A, "musig2-session:abc", "2", null);
        m.canAnnounceToDHT(A, "musig2:foo", "3", null);
        assertThat(m.canAnnounceToDHT(A, "musig2xyz", "4", null)).as("no boundary: no validator").isTrue();
        assertThat(exactV.calls).containsExactly(List.of("can", "musig2-session-x", A));
        assertThat(longV.calls).containsExactly(List.of("can", "musig2-session:abc", A));
        assertThat(shortV.calls).containsExactly(List.of("can", "musig2:foo", A));
    }

    @Test
    void pipelineOrderBanThenRateThenQuota() {
        CoreSecurityManager m = manager(false, Map.of("MAX_DHT_RESOURCES_PER_PEER", 1));
        RecordingValidator v = new RecordingValidator();
        m.registerValidator("t", v);
        assertThat(m.canAnnounceToDHT(A, "t", "1", null)).isTrue();
        // Rate limited: warned, counted, validator not called.
        assertThat(m.canAnnounceToDHT(A, "t", "2", null)).isFalse();
        assertThat(m.banManager().warningCount(A)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        // Quota: warned, counted as rejected.
        assertThat(m.canAnnounceToDHT(A, "t", "2", null)).isFalse();
        assertThat(m.banManager().warningCount(A)).isEqualTo(2);
        assertThat(v.calls).hasSize(2);
        // Banned: rejected first, no further warning, rate limiter untouched.
        m.banPeer(A, "b");
        clock.advance(Duration.ofSeconds(30));
        long count = m.dhtRateLimiter().getCount(A);
        assertThat(m.canAnnounceToDHT(A, "t", "1", null)).isFalse();
        assertThat(m.banManager().warningCount(A)).isEqualTo(2);
        assertThat(m.dhtRateLimiter().getCount(A)).isEqualTo(count);

        SecurityMetrics metrics = m.getMetrics();
        assertThat(metrics.dhtAnnouncementsTotal()).isEqualTo(4);
        assertThat(metrics.dhtAnnouncementsRateLimited()).isEqualTo(1);
        assertThat(metrics.dhtAnnouncementsRejected()).isEqualTo(2);
    }

    @Test
    void disableRateLimitingDoesNotBypassBansQuotasOrValidators() {
        CoreSecurityManager m = manager(true, Map.of("MAX_DHT_RESOURCES_PER_PEER", 2));
        RecordingValidator v = new RecordingValidator();
        m.registerValidator("t", v);
        // No interval, no message bucket.
        assertThat(m.canAnnounceToDHT(A, "t", "1", null)).isTrue();
        assertThat(m.canAnnounceToDHT(A, "t", "2", null)).isTrue();
        for (int i = 0; i < 1000; i++) {
            assertThat(m.allowMessage(A)).isTrue();
        }
        // Quotas still apply.
        assertThat(m.canAnnounceToDHT(A, "t", "3", null)).isFalse();
        // Validators still apply.
        v.contentVerdict = false;
        assertThat(m.canAnnounceToDHT(B, "t", "1", null)).isFalse();
        // Bans still apply.
        m.banPeer(A, "b");
        assertThat(m.canAnnounceToDHT(A, "t", "1", null)).isFalse();
        assertThat(m.allowMessage(A)).isFalse();
        m.tempBanPeer(B, Duration.ofMinutes(1), "t");
        assertThat(m.allowMessage(B)).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(m.allowMessage(B)).isTrue();
    }

    @Test
    void allowMessageChecksBanAndRateLimit() {
        CoreSecurityManager m = manager(false, Map.of("MAX_MESSAGES_PER_WINDOW", 2));
        assertThat(m.allowMessage(A)).isTrue();
        assertThat(m.allowMessage(A)).isTrue();
        assertThat(m.allowMessage(A)).isFalse();
        assertThat(m.banManager().warningCount(A)).as("rate-limit refusals do not warn").isZero();
        m.banPeer(B, "b");
        assertThat(m.allowMessage(B)).isFalse();
        SecurityMetrics s = m.getMetrics();
        assertThat(s.rateLimitedMessages()).isEqualTo(1);
        assertThat(s.bannedMessages()).isEqualTo(1);
        assertThat(m.unbanPeer(B)).isTrue();
        assertThat(m.allowMessage(B)).isTrue();
    }

    @Test
    void metricsCountsAndReset() {
        List<String> seen = new ArrayList<>();
        CoreSecurityManager m = manager(false, Map.of());
        m.addListener(new PeerBanListener() {
            @Override
            public void onPeerBanned(PeerId peer, String reason) {
                seen.add(reason);
            }
        });
        m.recordMessage(true, false);
        m.recordMessage(true);
        m.recordMessage(false, false);
        m.recordMessage(false, true);
        m.recordMessage(A, false, false);
        m.warnPeer(B, "w");
        m.banPeer(peer(3), "manual");
        m.tempBanPeer(peer(4), Duration.ofMinutes(5), "t");

        SecurityMetrics s = m.getMetrics();
        assertThat(s.totalMessages()).isEqualTo(5);
        assertThat(s.validMessages()).isEqualTo(2);
        assertThat(s.invalidMessages()).isEqualTo(3);
        assertThat(s.oversizedMessages()).isEqualTo(1);
        assertThat(s.blockedPeers()).isEqualTo(2);
        assertThat(s.permanentlyBannedPeers()).isEqualTo(1);
        assertThat(s.warnedPeers()).isEqualTo(1);
        assertThat(m.banManager().invalidMessageCount(A)).isEqualTo(1);
        assertThat(seen).containsExactly("manual");

        m.resetMetrics();
        SecurityMetrics r = m.getMetrics();
        assertThat(r.totalMessages()).isZero();
        assertThat(r.invalidMessages()).isZero();
        assertThat(r.oversizedMessages()).isZero();
        assertThat(r.dhtAnnouncementsTotal()).isZero();
        assertThat(r.blockedPeers()).as("gauges stay live").isEqualTo(2);
        assertThat(r.warnedPeers()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(10));
        assertThat(m.getMetrics().blockedPeers()).isEqualTo(1);
        assertThat(m.getMetrics().warnedPeers()).isZero();
    }

    @Test
    void cleanupFreesExpiredStateAndRemoveResourceFreesQuota() {
        CoreSecurityManager m = manager(false, Map.of("MIN_DHT_ANNOUNCEMENT_INTERVAL", 0,
                "MAX_DHT_RESOURCES_PER_PEER", 1));
        assertThat(m.canAnnounceToDHT(A, "t", "1", null, clock.instant().plusSeconds(10))).isTrue();
        assertThat(m.canAnnounceToDHT(A, "t", "2", null)).isFalse();
        clock.advance(Duration.ofSeconds(10));
        m.cleanup();
        assertThat(m.resourceTracker().trackedPeerCount()).isZero();
        assertThat(m.canAnnounceToDHT(A, "t", "2", null)).isTrue();
        assertThat(m.removeResource(A, "t", "2")).isTrue();
        m.allowMessage(B);
        m.warnPeer(B, "w");
        clock.advance(Duration.ofDays(2));
        m.cleanup();
        assertThat(m.messageRateLimiter().size()).isZero();
        assertThat(m.dhtRateLimiter().size()).isZero();
        assertThat(m.banManager().trackedPeerCount()).isZero();
        assertThat(m.isPeerBanned(A)).isFalse();
    }

    @Test
    void defaultsAndDelegates() {
        CoreSecurityManager m = new CoreSecurityManager();
        assertThat(m.config()).isEqualTo(SecurityConfig.defaults());
        assertThat(m.limits()).isEqualTo(SecurityLimits.defaults());
        assertThat(m.cleanupInterval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(m.maxMessageSize()).isEqualTo(100_000);
        assertThat(m.warnPeer(A, CoreSecurityManager.REASON_INVALID_MESSAGE_FORMAT)).isEqualTo(1);
        assertThat(m.tempBanPeer(A, Duration.ofHours(1), "t")).isTrue();
        assertThat(m.isPeerBanned(A)).isTrue();
        assertThat(m.banManager().tempBanExpiry(A)).isPresent();
        assertThat(m.banManager().tempBanExpiry(A).get()).isAfter(Instant.now().plusSeconds(3000));
        assertThat(m.unbanPeer(A)).isTrue();
        assertThat(m.isPeerBanned(A)).isFalse();
    }
}
