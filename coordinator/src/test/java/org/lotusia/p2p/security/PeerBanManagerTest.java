package org.lotusia.p2p.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.p2p.security.TestSupport.peer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.testing.ManualClock;

class PeerBanManagerTest {
    private static final PeerId A = peer(1);
    private static final PeerId B = peer(2);

    private ManualClock clock;
    private PeerBanManager bans;
    private Recorder events;

    /** Records events as strings. */
    static final class Recorder implements PeerBanListener {
        final List<String> log = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onPeerWarned(PeerId peer, String reason, int warnings) {
            log.add("warned:" + reason + ":" + warnings);
        }

        @Override
        public void onPeerTempBanned(PeerId peer, String reason, Instant until) {
            log.add("temp:" + reason + ":" + until.toEpochMilli());
        }

        @Override
        public void onPeerBanned(PeerId peer, String reason) {
            log.add("banned:" + reason);
        }

        @Override
        public void onPeerUnbanned(PeerId peer) {
            log.add("unbanned");
        }

        long count(String prefix) {
            synchronized (log) {
                return log.stream().filter(s -> s.startsWith(prefix)).count();
            }
        }
    }

    @BeforeEach
    void setUp() {
        clock = new ManualClock();
        bans = new PeerBanManager(SecurityLimits.defaults(), clock, Runnable::run);
        events = new Recorder();
        bans.addListener(events);
    }

    @Test
    void escalatesToTempBanAtFiveAndPermanentBanAtTenEachOnce() {
        long start = clock.millis();
        for (int i = 1; i <= 4; i++) {
            assertThat(bans.warnPeer(A, "w")).isEqualTo(i);
            assertThat(bans.isAllowed(A)).isTrue();
        }
        bans.warnPeer(A, "w");
        assertThat(bans.isBanned(A)).isTrue();
        assertThat(bans.isPermanentlyBanned(A)).isFalse();
        assertThat(bans.tempBanExpiry(A)).contains(Instant.ofEpochMilli(start + 3_600_000));
        assertThat(events.log).contains("temp:repeated-warnings:" + (start + 3_600_000));

        clock.advanceMillis(1000);
        for (int i = 6; i <= 9; i++) {
            bans.warnPeer(A, "w");
        }
        // Later warnings neither re-issue nor extend the temp ban.
        assertThat(events.count("temp:")).isEqualTo(1);
        assertThat(bans.tempBanExpiry(A)).contains(Instant.ofEpochMilli(start + 3_600_000));
        assertThat(bans.isPermanentlyBanned(A)).isFalse();

        bans.warnPeer(A, "w");
        assertThat(bans.isPermanentlyBanned(A)).isTrue();
        assertThat(events.count("banned:excessive-warnings")).isEqualTo(1);
        assertThat(events.count("temp:")).as("warning #10 does not also temp-ban").isEqualTo(1);

        for (int i = 0; i < 5; i++) {
            bans.warnPeer(A, "w");
        }
        assertThat(events.count("banned:")).isEqualTo(1);
        assertThat(events.count("warned:")).isEqualTo(15);
        assertThat(bans.bannedPeers()).containsExactly(A);
        assertThat(bans.permanentlyBannedCount()).isEqualTo(1);
    }

    @Test
    void warningsDecayOnePerIntervalAndPreventEventualBan() {
        // One warning every 10 min, forever: never banned (the reference would ban at #10).
        for (int i = 0; i < 50; i++) {
            bans.warnPeer(A, "sporadic");
            clock.advance(Duration.ofMinutes(10));
        }
        assertThat(bans.isAllowed(A)).isTrue();
        assertThat(bans.warningCount(A)).isZero();

        bans.warnPeer(B, "w");
        bans.warnPeer(B, "w");
        bans.warnPeer(B, "w");
        clock.advance(Duration.ofMinutes(10).minusMillis(1));
        assertThat(bans.warningCount(B)).isEqualTo(3);
        clock.advanceMillis(1);
        assertThat(bans.warningCount(B)).isEqualTo(2);
        clock.advance(Duration.ofMinutes(20));
        assertThat(bans.warningCount(B)).isZero();
        assertThat(bans.warnedPeerCount()).isZero();
    }

    @Test
    void tempBanEscalationRearmsAfterDecayBelowThreshold() {
        for (int i = 0; i < 5; i++) {
            bans.warnPeer(A, "w");
        }
        assertThat(events.count("temp:")).isEqualTo(1);
        clock.advance(Duration.ofHours(2)); // ban expired, 12 decay steps -> 0 warnings
        assertThat(bans.isAllowed(A)).isTrue();
        for (int i = 0; i < 5; i++) {
            bans.warnPeer(A, "w");
        }
        assertThat(events.count("temp:")).isEqualTo(2);
        assertThat(bans.isBanned(A)).isTrue();
    }

    @Test
    void tempBanExpires() {
        bans.tempBanPeer(A, Duration.ofSeconds(30), "manual");
        assertThat(bans.isBanned(A)).isTrue();
        assertThat(bans.bannedCount()).isEqualTo(1);
        clock.advanceMillis(29_999);
        assertThat(bans.isBanned(A)).isTrue();
        clock.advanceMillis(1);
        assertThat(bans.isBanned(A)).isFalse();
        assertThat(bans.tempBanExpiry(A)).isEmpty();
        assertThat(bans.bannedPeers()).isEmpty();
        assertThatThrownBy(() -> bans.tempBanPeer(A, Duration.ZERO, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void permanentBanStaysUntilUnbanAndUnbanClearsEverything() {
        assertThat(bans.banPeer(A, "malicious")).isTrue();
        assertThat(bans.banPeer(A, "again")).isFalse();
        assertThat(events.count("banned:")).isEqualTo(1);
        assertThat(bans.tempBanPeer(A, Duration.ofSeconds(1), "t")).isFalse();
        clock.advance(Duration.ofDays(365));
        assertThat(bans.isBanned(A)).isTrue();

        bans.warnPeer(B, "w");
        bans.warnPeer(B, "w");
        bans.tempBanPeer(B, Duration.ofMinutes(1), "t");

        assertThat(bans.unbanPeer(A)).isTrue();
        assertThat(bans.unbanPeer(B)).isTrue();
        assertThat(bans.unbanPeer(B)).as("second unban is a no-op").isFalse();
        assertThat(events.count("unbanned")).isEqualTo(2);
        assertThat(bans.isAllowed(A)).isTrue();
        assertThat(bans.isAllowed(B)).isTrue();
        assertThat(bans.warningCount(B)).isZero();
        assertThat(bans.trackedPeerCount()).isZero();
        // Warnings start again from zero.
        for (int i = 0; i < 4; i++) {
            bans.warnPeer(B, "w");
        }
        assertThat(bans.isAllowed(B)).isTrue();
    }

    @Test
    void throwingListenerDoesNotBreakOthersOrTheManager() {
        PeerBanManager m = new PeerBanManager(SecurityLimits.defaults(), clock, Runnable::run);
        Recorder before = new Recorder();
        Recorder after = new Recorder();
        m.addListener(before);
        m.addListener(new PeerBanListener() {
            @Override
            public void onPeerWarned(PeerId peer, String reason, int warnings) {
                throw new IllegalStateException("boom");
            }

            @Override
            public void onPeerBanned(PeerId peer, String reason) {
                throw new IllegalStateException("boom");
            }
        });
        m.addListener(after);
        assertThat(m.warnPeer(A, "w")).isEqualTo(1);
        assertThat(m.banPeer(A, "b")).isTrue();
        assertThat(before.log).containsExactly("warned:w:1", "banned:b");
        assertThat(after.log).containsExactly("warned:w:1", "banned:b");
        assertThat(m.isBanned(A)).isTrue();
    }

    @Test
    void listenersRunOnTheGivenExecutorAndRejectionIsContained() {
        Queue<Runnable> queue = new ArrayDeque<>();
        PeerBanManager m = new PeerBanManager(SecurityLimits.defaults(), clock, queue::add);
        Recorder r = new Recorder();
        m.addListener(r);
        m.banPeer(A, "b");
        assertThat(r.log).isEmpty();
        assertThat(queue).hasSize(1);
        queue.poll().run();
        assertThat(r.log).containsExactly("banned:b");

        PeerBanManager rejecting = new PeerBanManager(SecurityLimits.defaults(), clock, task -> {
            throw new RejectedExecutionException("full");
        });
        rejecting.addListener(r);
        assertThat(rejecting.banPeer(A, "b")).isTrue();
        assertThat(rejecting.isBanned(A)).isTrue();
        assertThat(m.removeListener(r)).isTrue();
    }

    @Test
    void invalidMessagesTempBanAtLimitAndDecay() {
        for (int i = 0; i < 19; i++) {
            assertThat(bans.recordInvalidMessage(A)).isFalse();
        }
        assertThat(bans.invalidMessageCount(A)).isEqualTo(19);
        clock.advance(Duration.ofMinutes(10));
        assertThat(bans.invalidMessageCount(A)).isEqualTo(18);
        assertThat(bans.recordInvalidMessage(A)).isFalse();
        assertThat(bans.recordInvalidMessage(A)).isTrue();
        assertThat(bans.isBanned(A)).isTrue();
        assertThat(bans.invalidMessageCount(A)).isZero();
        assertThat(events.log).contains("temp:excessive-invalid-messages:" + (clock.millis() + 3_600_000));
    }

    @Test
    void boundedUnderOneHundredThousandPeersEvictingNonBannedFirst() {
        bans.banPeer(A, "perm");
        bans.tempBanPeer(B, Duration.ofDays(1), "temp");
        bans.removeListener(events);
        for (int i = 0; i < 100_000; i++) {
            bans.warnPeer(peer(1000 + i), "spam");
        }
        assertThat(bans.trackedPeerCount()).isEqualTo(10_000);
        assertThat(bans.isBanned(A)).isTrue();
        assertThat(bans.isBanned(B)).isTrue();
        assertThat(bans.warningCount(peer(1000))).as("oldest warned peer evicted").isZero();
        assertThat(bans.warningCount(peer(1000 + 99_999))).isEqualTo(1);
    }

    @Test
    void whenFullOfBansTempBansAreEvictedBeforePermanentOnes() {
        PeerBanManager small = new PeerBanManager(
                SecurityLimits.builder().maxTrackedPeers(3).build(), clock, Runnable::run);
        small.banPeer(peer(1), "p");
        small.tempBanPeer(peer(2), Duration.ofHours(1), "t");
        small.banPeer(peer(3), "p");
        small.warnPeer(peer(4), "w");
        assertThat(small.trackedPeerCount()).isEqualTo(3);
        assertThat(small.isBanned(peer(1))).isTrue();
        assertThat(small.isBanned(peer(2))).isFalse();
        assertThat(small.isBanned(peer(3))).isTrue();
    }

    @Test
    void cleanupDropsIdleRecordsOnly() {
        bans.warnPeer(A, "w");
        bans.banPeer(B, "p");
        bans.tempBanPeer(peer(3), Duration.ofMinutes(5), "t");
        clock.advance(Duration.ofMinutes(11));
        bans.cleanup();
        assertThat(bans.trackedPeerCount()).isEqualTo(1);
        assertThat(bans.isBanned(B)).isTrue();
    }
}
