package org.lotusia.p2p.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import org.lotusia.libp2p.crypto.PeerId;

/**
 * Fixed-interval DHT announcement limiter (reference {@code DHTAnnouncementRateLimiter}, §4.4).
 *
 * <p>One timestamp per peer, across all resource types and ids. A peer's first call passes; later calls pass
 * only if at least {@code minInterval} has elapsed since its last <em>passing</em> call. Only a passing call
 * records the time and increments the peer's count (no burst, not a token bucket).
 *
 * <p>Memory is bounded by {@code maxTrackedPeers}: the peer whose last passing call is oldest is evicted
 * first (once its interval has elapsed, forgetting it changes nothing). Thread-safe.
 */
public final class DhtAnnouncementRateLimiter {
    /** Default retention of {@link #cleanup()}: 24 h, as in the reference. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(24);

    private final Clock clock;
    private final Duration defaultMinInterval;
    private final int maxTrackedPeers;
    /** Insertion order = oldest last success first. Guarded by this. */
    private final LinkedHashMap<PeerId, Entry> peers = new LinkedHashMap<>();

    private static final class Entry {
        long last;
        long count;
    }

    /**
     * Creates a limiter.
     *
     * @param clock time source
     * @param defaultMinInterval interval used by {@link #canAnnounce(PeerId)}
     * @param maxTrackedPeers bound on tracked peers (at least 1)
     */
    public DhtAnnouncementRateLimiter(Clock clock, Duration defaultMinInterval, int maxTrackedPeers) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.defaultMinInterval = Objects.requireNonNull(defaultMinInterval, "defaultMinInterval");
        if (maxTrackedPeers < 1) {
            throw new IllegalArgumentException("maxTrackedPeers must be at least 1, got " + maxTrackedPeers);
        }
        this.maxTrackedPeers = maxTrackedPeers;
    }

    /** A limiter using {@link SecurityLimits#minDhtAnnouncementIntervalMs()} and {@link SecurityLimits#maxTrackedPeers()}. */
    public DhtAnnouncementRateLimiter(Clock clock, SecurityLimits limits) {
        this(clock, limits.minDhtAnnouncementInterval(), limits.maxTrackedPeers());
    }

    /** {@link #canAnnounce(PeerId, Duration)} with the default interval. */
    public boolean canAnnounce(PeerId peer) {
        return canAnnounce(peer, defaultMinInterval);
    }

    /**
     * Checks and, on success, records an announcement.
     *
     * @return whether the peer may announce now
     */
    public synchronized boolean canAnnounce(PeerId peer, Duration minInterval) {
        Objects.requireNonNull(peer, "peer");
        long now = clock.millis();
        Entry e = peers.get(peer);
        if (e != null && now - e.last < minInterval.toMillis()) {
            return false;
        }
        if (e == null) {
            if (peers.size() >= maxTrackedPeers) {
                Iterator<PeerId> it = peers.keySet().iterator();
                it.next();
                it.remove();
            }
            e = new Entry();
        } else {
            peers.remove(peer);
        }
        e.last = now;
        e.count++;
        peers.put(peer, e);
        return true;
    }

    /** Successful announcements recorded for the peer (0 if unknown or forgotten). */
    public synchronized long getCount(PeerId peer) {
        Entry e = peers.get(peer);
        return e == null ? 0 : e.count;
    }

    /** Number of tracked peers. */
    public synchronized int size() {
        return peers.size();
    }

    /** Forgets peers whose last successful announcement is older than {@link #DEFAULT_RETENTION}. */
    public void cleanup() {
        cleanup(DEFAULT_RETENTION);
    }

    /** Forgets peers whose last successful announcement is at least {@code retention} old. */
    public synchronized void cleanup(Duration retention) {
        long cutoff = clock.millis() - retention.toMillis();
        Iterator<Entry> it = peers.values().iterator();
        while (it.hasNext()) {
            if (it.next().last <= cutoff) {
                it.remove();
            } else {
                break; // insertion order is last-success order
            }
        }
    }

    /** Forgets one peer. */
    public synchronized void remove(PeerId peer) {
        peers.remove(peer);
    }
}
