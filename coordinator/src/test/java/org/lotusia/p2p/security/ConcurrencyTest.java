package org.lotusia.p2p.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lotusia.p2p.security.TestSupport.peer;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.testing.ManualClock;

/** Exactly-once and exact-quota guarantees hold under contention. */
class ConcurrencyTest {
    private static final int THREADS = 8;
    private static final PeerId A = peer(1);
    private final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    private final ManualClock clock = new ManualClock();

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs {@code perThread} calls on each thread; returns how many returned true. */
    private int race(int perThread, IntPredicate call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                start.await();
                int ok = 0;
                for (int i = 0; i < perThread; i++) {
                    if (call.test(thread * perThread + i)) {
                        ok++;
                    }
                }
                return ok;
            }));
        }
        start.countDown();
        int total = 0;
        for (Future<Integer> f : futures) {
            total += f.get(30, TimeUnit.SECONDS);
        }
        return total;
    }

    @Test
    void escalationsFireExactlyOnceUnderContention() throws Exception {
        PeerBanManager bans = new PeerBanManager(SecurityLimits.defaults(), clock, Runnable::run);
        AtomicInteger temp = new AtomicInteger();
        AtomicInteger banned = new AtomicInteger();
        AtomicInteger warned = new AtomicInteger();
        bans.addListener(new PeerBanListener() {
            @Override
            public void onPeerWarned(PeerId peer, String reason, int warnings) {
                warned.incrementAndGet();
            }

            @Override
            public void onPeerTempBanned(PeerId peer, String reason, Instant until) {
                temp.incrementAndGet();
            }

            @Override
            public void onPeerBanned(PeerId peer, String reason) {
                banned.incrementAndGet();
            }
        });
        race(500, i -> bans.warnPeer(A, "w") > 0);
        assertThat(bans.warningCount(A)).isEqualTo(THREADS * 500);
        assertThat(warned.get()).isEqualTo(THREADS * 500);
        assertThat(temp.get()).isEqualTo(1);
        assertThat(banned.get()).isEqualTo(1);
    }

    @Test
    void tokenBucketGrantsExactlyCapacity() throws Exception {
        MessageRateLimiter l = new MessageRateLimiter(clock, 100, Duration.ofSeconds(10), 10);
        assertThat(race(100, i -> l.tryAcquire(A))).isEqualTo(100);
    }

    @Test
    void resourceQuotaIsExactAndIntervalAdmitsOne() throws Exception {
        DhtResourceTracker t = new DhtResourceTracker(clock, 100, 1000, 10);
        assertThat(race(100, i -> t.canAnnounceResource(A, "t", "id" + i))).isEqualTo(100);
        DhtAnnouncementRateLimiter r = new DhtAnnouncementRateLimiter(clock, SecurityLimits.defaults());
        assertThat(race(100, i -> r.canAnnounce(A))).isEqualTo(1);
        CoreSecurityManager m = new CoreSecurityManager(SecurityConfig.builder()
                .customLimit("MIN_DHT_ANNOUNCEMENT_INTERVAL", 0).build(), clock, Runnable::run);
        assertThat(race(50, i -> m.canAnnounceToDHT(peer(i % 4), "t", "id" + i, null))).isEqualTo(4 * 20);
        assertThat(m.getMetrics().dhtAnnouncementsTotal()).isEqualTo(THREADS * 50);
    }
}
