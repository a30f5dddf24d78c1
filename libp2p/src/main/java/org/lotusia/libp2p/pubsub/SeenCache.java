package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Message ids seen recently: bounded in time and count. Not thread-safe (router thread only). */
final class SeenCache {
    private final long ttlNanos;
    private final int max;
    private final LinkedHashMap<ByteString, Long> seen = new LinkedHashMap<>();

    SeenCache(long ttlNanos, int max) {
        this.ttlNanos = ttlNanos;
        this.max = max;
    }

    /** Records {@code id}; false if it was already there. */
    boolean add(ByteString id, long now) {
        if (seen.containsKey(id)) {
            return false;
        }
        seen.put(id, now);
        while (seen.size() > max) {
            Iterator<ByteString> it = seen.keySet().iterator();
            it.next();
            it.remove();
        }
        return true;
    }

    boolean contains(ByteString id) {
        return seen.containsKey(id);
    }

    /** Forgets ids older than the TTL. */
    void expire(long now) {
        Iterator<Map.Entry<ByteString, Long>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (now - it.next().getValue() > ttlNanos) {
                it.remove();
            } else {
                break;
            }
        }
    }

    int size() {
        return seen.size();
    }
}
