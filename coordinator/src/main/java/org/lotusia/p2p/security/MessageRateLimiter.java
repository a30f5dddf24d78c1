package org.lotusia.p2p.security;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Objects;
import org.lotusia.libp2p.crypto.PeerId;

/**
 * Per-peer token bucket for incoming messages: capacity {@code capacity} tokens, refilled continuously at
 * {@code capacity} tokens per {@code window}. A new peer starts with a full bucket.
 *
 * <p>Memory is bounded by {@code maxTrackedPeers}: the least recently used bucket is evicted first (an idle
 * bucket refills to full, so forgetting it changes nothing once a window has passed). Thread-safe.
 */
public final class MessageRateLimiter {
    private final Clock clock;
    private final int capacity;
    private final long windowMs;
    private final int maxTrackedPeers;
    /** Access order = least recently used first. Guarded by this. */
    private final LinkedHashMap<PeerId, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Bucket {
        double tokens;
        long last;
    }

    /**
     * Creates a limiter.
     *
     * @param clock time source
     * @param capacity bucket size (at least 1)
     * @param window time to refill an empty bucket (positive)
     * @param maxTrackedPeers bound on tracked peers (at least 1)
     */
    public MessageRateLimiter(Clock clock, int capacity, Duration window, int maxTrackedPeers) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (capacity < 1 || maxTrackedPeers < 1 || window.toMillis() < 1) {
            throw new IllegalArgumentException("capacity, window and maxTrackedPeers must be positive");
        }
        this.capacity = capacity;
        this.windowMs = window.toMillis();
        this.maxTrackedPeers = maxTrackedPeers;
    }

    /** A limiter using {@code MAX_MESSAGES_PER_WINDOW}, {@code MESSAGE_RATE_WINDOW} and {@code MAX_TRACKED_PEERS}. */
    public MessageRateLimiter(Clock clock, SecurityLimits limits) {
        this(clock, limits.maxMessagesPerWindow(), limits.messageRateWindow(), limits.maxTrackedPeers());
    }

    /**
     * Takes one token from the peer's bucket.
     *
     * @return whether a token was available (the message may be processed)
     */
    public synchronized boolean tryAcquire(PeerId peer) {
        Objects.requireNonNull(peer, "peer");
        long now = clock.millis();
        Bucket b = buckets.get(peer);
        if (b == null) {
            if (buckets.size() >= maxTrackedPeers) {
                Iterator<PeerId> it = buckets.keySet().iterator();
                it.next();
                it.remove();
            }
            b = new Bucket();
            b.tokens = capacity;
            b.last = now;
            buckets.put(peer, b);
        } else {
            refill(b, now);
        }
        if (b.tokens >= 1) {
            b.tokens -= 1;
            return true;
        }
        return false;
    }

    /** Tokens currently available to the peer ({@code capacity} for unknown peers). */
    public synchronized double availableTokens(PeerId peer) {
        Bucket b = buckets.get(peer);
        if (b == null) {
            return capacity;
        }
        refill(b, clock.millis());
        return b.tokens;
    }

    /** Number of tracked peers. */
    public synchronized int size() {
        return buckets.size();
    }

    /** Forgets buckets that have refilled completely (they are equivalent to untracked peers). */
    public synchronized void cleanup() {
        long now = clock.millis();
        Iterator<Bucket> it = buckets.values().iterator();
        while (it.hasNext()) {
            Bucket b = it.next();
            refill(b, now);
            if (b.tokens >= capacity) {
                it.remove();
            }
        }
    }

    private void refill(Bucket b, long now) {
        if (now > b.last) {
            b.tokens = Math.min(capacity, b.tokens + (now - b.last) * (double) capacity / windowMs);
            b.last = now;
        }
    }
}
