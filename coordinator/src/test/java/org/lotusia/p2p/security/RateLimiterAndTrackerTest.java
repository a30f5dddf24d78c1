package org.lotusia.p2p.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lotusia.p2p.security.TestSupport.peer;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.security.DhtResourceTracker.Reservation;
import org.lotusia.libp2p.testing.ManualClock;

class RateLimiterAndTrackerTest {
    private static final PeerId A = peer(1);
    private static final PeerId B = peer(2);
    private final ManualClock clock = new ManualClock();

    // ---- DhtAnnouncementRateLimiter ----

    @Test
    void announcementLimiterIsFixedIntervalAndOnlySuccessRecords() {
        DhtAnnouncementRateLimiter l = new DhtAnnouncementRateLimiter(clock, SecurityLimits.defaults());
        assertThat(l.canAnnounce(A)).isTrue();
        assertThat(l.canAnnounce(B)).as("per peer").isTrue();
        clock.advanceMillis(29_999);
        assertThat(l.canAnnounce(A)).isFalse();
        clock.advanceMillis(1);
        assertThat(l.canAnnounce(A)).as("failed call did not move the timestamp").isTrue();
        assertThat(l.canAnnounce(A)).as("no burst").isFalse();
        assertThat(l.getCount(A)).isEqualTo(2);
        assertThat(l.canAnnounce(A, Duration.ZERO)).isTrue();
        assertThat(l.getCount(peer(99))).isZero();
    }

    @Test
    void announcementLimiterCleanupAndBound() {
        DhtAnnouncementRateLimiter l = new DhtAnnouncementRateLimiter(clock, Duration.ofSeconds(30), 10_000);
        l.canAnnounce(A);
        clock.advance(Duration.ofHours(23));
        l.canAnnounce(B);
        clock.advance(Duration.ofHours(1));
        l.cleanup();
        assertThat(l.size()).isEqualTo(1);
        assertThat(l.getCount(A)).isZero();
        for (int i = 0; i < 100_000; i++) {
            assertThat(l.canAnnounce(peer(1000 + i))).isTrue();
        }
        assertThat(l.size()).isEqualTo(10_000);
        assertThat(l.getCount(peer(1000 + 99_999))).isEqualTo(1);
        l.remove(peer(1000 + 99_999));
        assertThat(l.size()).isEqualTo(9_999);
    }

    // ---- MessageRateLimiter ----

    @Test
    void tokenBucketAllowsBurstThenRefillsContinuously() {
        MessageRateLimiter l = new MessageRateLimiter(clock, 100, Duration.ofSeconds(10), 10_000);
        for (int i = 0; i < 100; i++) {
            assertThat(l.tryAcquire(A)).isTrue();
        }
        assertThat(l.tryAcquire(A)).isFalse();
        assertThat(l.tryAcquire(B)).as("independent per peer").isTrue();
        clock.advanceMillis(99);
        assertThat(l.tryAcquire(A)).isFalse();
        clock.advanceMillis(1); // 100 ms = 1 token
        assertThat(l.tryAcquire(A)).isTrue();
        assertThat(l.tryAcquire(A)).isFalse();
        clock.advance(Duration.ofMinutes(5));
        assertThat(l.availableTokens(A)).isEqualTo(100.0); // capped
        l.cleanup();
        assertThat(l.size()).as("full buckets forgotten").isZero();
    }

    @Test
    void tokenBucketBoundedUnderOneHundredThousandPeers() {
        MessageRateLimiter l = new MessageRateLimiter(clock, SecurityLimits.defaults());
        for (int i = 0; i < 100_000; i++) {
            l.tryAcquire(peer(1000 + i));
        }
        assertThat(l.size()).isEqualTo(10_000);
    }

    // ---- DhtResourceTracker ----

    @Test
    void trackerQuotasReannounceAndRemove() {
        DhtResourceTracker t = new DhtResourceTracker(clock, 5, 2, 100);
        assertThat(t.reserve(A, "s", "1", null)).isEqualTo(Reservation.NEW);
        assertThat(t.reserve(A, "s", "2", null)).isEqualTo(Reservation.NEW);
        assertThat(t.reserve(A, "s", "3", null)).isEqualTo(Reservation.REJECTED);
        assertThat(t.reserve(A, "s", "1", null)).as("re-announce passes").isEqualTo(Reservation.EXISTING);
        assertThat(t.canAnnounceResource(A, "u", "1")).isTrue();
        assertThat(t.canAnnounceResource(A, "v", "1")).isTrue();
        assertThat(t.canAnnounceResource(A, "w", "1")).isTrue();
        assertThat(t.canAnnounceResource(A, "x", "1")).as("total quota 5").isFalse();
        assertThat(t.getResourceCount(A)).isEqualTo(5);
        assertThat(t.getResourceCountByType(A, "s")).isEqualTo(2);
        assertThat(t.canAnnounceResource(B, "s", "3")).as("per peer").isTrue();

        assertThat(t.removeResource(A, "s", "1")).isTrue();
        assertThat(t.removeResource(A, "s", "1")).isFalse();
        assertThat(t.canAnnounceResource(A, "s", "3")).isTrue();
        for (String type : new String[] {"s", "u", "v", "w"}) {
            t.removeResource(A, type, "1");
            t.removeResource(A, type, "2");
            t.removeResource(A, type, "3");
        }
        assertThat(t.getResourceCount(A)).isZero();
        assertThat(t.trackedPeerCount()).as("empty peer forgotten").isEqualTo(1);
    }

    @Test
    void trackerKeepsTypeAndIdApart() {
        DhtResourceTracker t = new DhtResourceTracker(clock, 5, 5, 100);
        assertThat(t.reserve(A, "a:b", "c", null)).isEqualTo(Reservation.NEW);
        assertThat(t.reserve(A, "a", "b:c", null)).isEqualTo(Reservation.NEW);
        assertThat(t.getResourceCount(A)).isEqualTo(2);
    }

    @Test
    void trackerFreesExpiredResources() {
        DhtResourceTracker t = new DhtResourceTracker(clock, 2, 2, 100);
        Instant soon = clock.instant().plusSeconds(60);
        assertThat(t.canAnnounceResource(A, "s", "1", soon)).isTrue();
        assertThat(t.canAnnounceResource(A, "s", "2", null)).isTrue();
        assertThat(t.canAnnounceResource(A, "s", "3", null)).isFalse();
        clock.advance(Duration.ofSeconds(60));
        assertThat(t.getResourceCount(A)).isEqualTo(1);
        assertThat(t.canAnnounceResource(A, "s", "3", null)).isTrue();

        assertThat(t.canAnnounceResource(B, "s", "1", clock.instant().plusSeconds(1))).isTrue();
        clock.advance(Duration.ofSeconds(1));
        t.cleanup();
        assertThat(t.trackedPeerCount()).isEqualTo(1);
        // Re-announcing replaces the expiry.
        t.removeResource(A, "s", "2");
        t.canAnnounceResource(A, "s", "3", clock.instant().plusSeconds(5));
        clock.advance(Duration.ofSeconds(5));
        assertThat(t.getResourceCount(A)).isZero();
        assertThat(t.trackedPeerCount()).isZero();
    }

    @Test
    void trackerBoundedUnderOneHundredThousandPeers() {
        DhtResourceTracker t = new DhtResourceTracker(clock, SecurityLimits.defaults());
        for (int i = 0; i < 100_000; i++) {
            assertThat(t.canAnnounceResource(peer(1000 + i), "session", "id" + i)).isTrue();
        }
        assertThat(t.trackedPeerCount()).isEqualTo(10_000);
        assertThat(t.getResourceCount(peer(1000 + 99_999))).isEqualTo(1);
        assertThat(t.getResourceCount(peer(1000))).isZero();
    }
}
