package org.lotusia.p2p.message;

import org.lotusia.libp2p.testing.ManualClock;

import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.p2p.message.DedupCache.Verdict.DUPLICATE;
import static org.lotusia.p2p.message.DedupCache.Verdict.NEW;
import static org.lotusia.p2p.message.DedupCache.Verdict.TOO_OLD;

class DedupCacheTest {
    private static final long W = P2PProtocol.MAX_MESSAGE_AGE_MILLIS;
    private final ManualClock clock = new ManualClock(1_000_000_000L);

    @Test
    void detectsDuplicates() {
        DedupCache cache = new DedupCache(10, W, clock);
        assertThat(cache.check("a", clock.millis())).isEqualTo(NEW);
        assertThat(cache.check("a", clock.millis())).isEqualTo(DUPLICATE);
        assertThat(cache.check("b", clock.millis())).isEqualTo(NEW);
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.contains("a")).isTrue();
    }

    @Test
    void forgetsAHashOnceItsMessageCanNoLongerValidate() {
        DedupCache cache = new DedupCache(10, W, clock);
        long ts = clock.millis();
        assertThat(cache.check("a", ts)).isEqualTo(NEW);
        clock.advanceMillis(W); // ts is exactly at the edge: still valid, still remembered
        assertThat(cache.check("a", ts)).isEqualTo(DUPLICATE);
        clock.advanceMillis(1); // ts is now outside the window: validation rejects it, the cache may forget
        assertThat(cache.contains("a")).isFalse();
        assertThat(cache.size()).isZero();
    }

    @Test
    void aFutureDatedMessageIsRememberedUntilItsOwnExpiry() {
        DedupCache cache = new DedupCache(10, W, clock);
        long ts = clock.millis() + W; // valid now, and valid for another 2W
        assertThat(cache.check("f", ts)).isEqualTo(NEW);
        clock.advanceMillis(2 * W);
        assertThat(cache.check("f", ts)).isEqualTo(DUPLICATE);
    }

    @Test
    void floodingCannotEvictAndReplayAMessage() {
        DedupCache cache = new DedupCache(100, W, clock);
        long victimTs = clock.millis();
        assertThat(cache.check("victim", victimTs)).isEqualTo(NEW);
        clock.advanceMillis(1000);
        long flood0Ts = clock.millis() + 1;
        for (int i = 0; i < 1000; i++) {
            clock.advanceMillis(1); // each flood message newer than the last: the worst case for eviction
            assertThat(cache.check("flood-" + i, clock.millis())).isEqualTo(NEW);
        }
        assertThat(cache.size()).isEqualTo(100);
        assertThat(cache.contains("victim")).isFalse();
        // the replay is refused though the hash was evicted
        assertThat(cache.check("victim", victimTs)).isEqualTo(TOO_OLD);
        // a genuinely new message is still accepted
        clock.advanceMillis(1);
        assertThat(cache.check("fresh", clock.millis())).isEqualTo(NEW);
        // evicted flood entries cannot come back verbatim either
        assertThat(cache.check("flood-0", flood0Ts)).isEqualTo(TOO_OLD);
    }

    @Test
    void whenFullAnOlderNewcomerIsRefusedRatherThanEvictingNewerEntries() {
        DedupCache cache = new DedupCache(2, W, clock);
        assertThat(cache.check("a", clock.millis())).isEqualTo(NEW);
        assertThat(cache.check("b", clock.millis())).isEqualTo(NEW);
        assertThat(cache.check("old", clock.millis() - 1000)).isEqualTo(TOO_OLD);
        assertThat(cache.contains("a")).isTrue();
        assertThat(cache.contains("b")).isTrue();
    }

    @Test
    void messageCheckUsesTheReferenceHash() {
        DedupCache cache = new DedupCache();
        P2PMessage m = new P2PProtocol().createHeartbeat("me");
        assertThat(cache.check(m)).isEqualTo(NEW);
        assertThat(cache.check(m.withPayload(null))).isEqualTo(DUPLICATE);
        assertThat(cache.contains(P2PProtocol.messageHash(m))).isTrue();
        assertThat(cache.capacity()).isEqualTo(10_000);
        cache.clear();
        assertThat(cache.size()).isZero();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new DedupCache(0, W, clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DedupCache(1, -1, clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
