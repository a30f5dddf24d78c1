package org.lotusia.p2p.message;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Remembers message hashes ({@link P2PProtocol#computeMessageHash}) so a message is delivered at
 * most once while it is still acceptable. Thread-safe.
 *
 * <p><b>Expiry by message time.</b> A message stays acceptable to {@link P2PProtocol#validate}
 * while its timestamp is within {@code window} (default 5 min) of now, so each hash is kept until
 * {@code timestamp + window} (the timestamp clamped to now ± window) and then forgotten: a replay
 * after that fails validation anyway.
 *
 * <p><b>Bounded, without replay on eviction.</b> The cache holds at most {@code capacity} hashes
 * (default 10 000). When full, the hash that would expire first is evicted and its expiry becomes
 * the <i>floor</i>: from then on any message expiring at or before the floor is refused as
 * {@link Verdict#TOO_OLD}, because it could be an evicted one replayed. Flooding therefore can never
 * re-admit a message (the reference's weakness §7.3); at worst it makes the oldest still-valid
 * messages be refused, and messages newer than the flood's are unaffected. The floor stops mattering
 * once it lies in the past.
 */
public final class DedupCache {
    /** Default capacity, the reference's 10 000. */
    public static final int DEFAULT_CAPACITY = 10_000;

    /** What {@link #check} decided. */
    public enum Verdict {
        /** Not seen before: now remembered, deliver it. */
        NEW,
        /** Already seen within its validity: drop it. */
        DUPLICATE,
        /** Not remembered, but it could be an evicted message replayed: drop it. */
        TOO_OLD
    }

    private record Key(long expiresAt, long seq) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = Long.compare(expiresAt, o.expiresAt);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final int capacity;
    private final long windowMillis;
    private final Clock clock;
    private final Map<String, Key> byHash = new HashMap<>();
    private final TreeMap<Key, String> byExpiry = new TreeMap<>();
    private long seq;
    private long floor = Long.MIN_VALUE;

    /** A cache with the default capacity, the ±5 min window and the system clock. */
    public DedupCache() {
        this(DEFAULT_CAPACITY, P2PProtocol.MAX_MESSAGE_AGE_MILLIS, Clock.systemUTC());
    }

    /**
     * @param capacity     most hashes kept (≥ 1)
     * @param windowMillis how far a message's timestamp may be from now and still be valid (≥ 0)
     * @param clock        time source (use the one given to {@link P2PProtocol#validate})
     */
    public DedupCache(int capacity, long windowMillis, Clock clock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        if (windowMillis < 0) {
            throw new IllegalArgumentException("windowMillis must not be negative, was " + windowMillis);
        }
        this.capacity = capacity;
        this.windowMillis = windowMillis;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Records {@code hash} of a message stamped {@code messageTimestamp} (ms) unless it is a
     * duplicate or possibly a replay of an evicted one.
     */
    public synchronized Verdict check(String hash, long messageTimestamp) {
        Objects.requireNonNull(hash, "hash");
        long now = clock.millis();
        purgeExpired(now);
        if (byHash.containsKey(hash)) {
            return Verdict.DUPLICATE;
        }
        long ts = Math.max(now - windowMillis, Math.min(now + windowMillis, messageTimestamp));
        long expiresAt = ts + windowMillis;
        if (expiresAt <= floor) {
            return Verdict.TOO_OLD;
        }
        if (byHash.size() >= capacity) {
            Map.Entry<Key, String> oldest = byExpiry.firstEntry();
            if (oldest.getKey().expiresAt() >= expiresAt) {
                // the newcomer would be the first to go: refuse it rather than evict a newer one
                return Verdict.TOO_OLD;
            }
            byExpiry.pollFirstEntry();
            byHash.remove(oldest.getValue());
            floor = Math.max(floor, oldest.getKey().expiresAt());
        }
        Key key = new Key(expiresAt, seq++);
        byHash.put(hash, key);
        byExpiry.put(key, hash);
        return Verdict.NEW;
    }

    /** {@link #check}{@code (P2PProtocol.messageHash(message), timestamp)}; a message without timestamp counts as stamped now. */
    public Verdict check(P2PMessage message) {
        return check(P2PProtocol.messageHash(message), message.timestamp().orElse(clock.millis()));
    }

    /** Whether {@code hash} is currently remembered. */
    public synchronized boolean contains(String hash) {
        purgeExpired(clock.millis());
        return byHash.containsKey(hash);
    }

    /** Number of hashes currently remembered. */
    public synchronized int size() {
        purgeExpired(clock.millis());
        return byHash.size();
    }

    /** The maximum number of hashes kept. */
    public int capacity() {
        return capacity;
    }

    /** Forgets everything (including the eviction floor). */
    public synchronized void clear() {
        byHash.clear();
        byExpiry.clear();
        floor = Long.MIN_VALUE;
    }

    private void purgeExpired(long now) {
        while (!byExpiry.isEmpty() && byExpiry.firstKey().expiresAt() < now) {
            byHash.remove(byExpiry.pollFirstEntry().getValue());
        }
    }
}
