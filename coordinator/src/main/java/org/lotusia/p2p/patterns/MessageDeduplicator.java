package org.lotusia.p2p.patterns;

import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;

import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The developer guide's "Pattern 4: Message Deduplication" ({@code MessageDeduplicator}): remembers the
 * {@linkplain P2PProtocol#messageHash reference hash} of each message seen and says whether a message
 * was seen before. When more than {@code maxSize} hashes are remembered, the {@code evictCount} oldest
 * (in insertion order) are forgotten, exactly like the guide (10000 and 1000 by default).
 *
 * <p>Use it for application-level deduplication across paths the coordinator cannot see, e.g. a
 * message relayed to you inside other messages by several peers (the coordinator already drops a
 * direct message whose hash it has just seen). The hash covers {@code type}, {@code from}, {@code to}
 * and {@code messageId} only, not the payload. Thread-safe.
 */
public final class MessageDeduplicator {
    /** The guide's size limit. */
    public static final int DEFAULT_MAX_SIZE = 10_000;
    /** The guide's eviction batch. */
    public static final int DEFAULT_EVICT_COUNT = 1_000;

    private final int maxSize;
    private final int evictCount;
    private final LinkedHashSet<String> seen = new LinkedHashSet<>();
    private long duplicates;

    /** With the guide's limits (10000, evicting 1000). */
    public MessageDeduplicator() {
        this(DEFAULT_MAX_SIZE, DEFAULT_EVICT_COUNT);
    }

    /**
     * @param maxSize    hashes kept before evicting (≥ 1)
     * @param evictCount how many of the oldest are evicted when {@code maxSize} is exceeded (1..maxSize)
     */
    public MessageDeduplicator(int maxSize, int evictCount) {
        if (maxSize < 1 || evictCount < 1 || evictCount > maxSize) {
            throw new IllegalArgumentException("need maxSize ≥ 1 and 1 ≤ evictCount ≤ maxSize: " + maxSize + ", " + evictCount);
        }
        this.maxSize = maxSize;
        this.evictCount = evictCount;
    }

    /** Whether {@code message} was seen before; remembers it if not. */
    public boolean isDuplicate(P2PMessage message) {
        return isDuplicate(P2PProtocol.messageHash(message));
    }

    /** Whether the message {@code hash} was seen before; remembers it if not. */
    public synchronized boolean isDuplicate(String hash) {
        if (!seen.add(hash)) {
            duplicates++;
            return true;
        }
        if (seen.size() > maxSize) {
            Iterator<String> oldest = seen.iterator();
            for (int i = 0; i < evictCount && oldest.hasNext(); i++) {
                oldest.next();
                oldest.remove();
            }
        }
        return false;
    }

    /** How many hashes are remembered. */
    public synchronized int size() {
        return seen.size();
    }

    /** How many duplicates were reported. */
    public synchronized long duplicates() {
        return duplicates;
    }

    /** Forgets everything. */
    public synchronized void clear() {
        seen.clear();
    }
}
