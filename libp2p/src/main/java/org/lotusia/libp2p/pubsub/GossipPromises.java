package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.crypto.PeerId;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * IWANT promises: when we ask a peer for messages it announced, we track one of the ids (chosen at
 * random, as the spec's tracer does) and expect the message within the follow-up time; a peer that
 * does not deliver broke its promise and gets a behaviour penalty. Bounded in count. Router thread only.
 */
final class GossipPromises {
    private final long followupNanos;
    private final int max;
    private final LinkedHashMap<ByteString, Map<PeerId, Long>> promises = new LinkedHashMap<>();
    private int size;

    GossipPromises(long followupNanos, int max) {
        this.followupNanos = followupNanos;
        this.max = max;
    }

    /** {@code peer} was asked for {@code ids}; track one of them. */
    void add(PeerId peer, List<ByteString> ids, long now) {
        if (ids.isEmpty() || size >= max) {
            return;
        }
        ByteString id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        Map<PeerId, Long> byPeer = promises.computeIfAbsent(id, k -> new HashMap<>(2));
        if (byPeer.putIfAbsent(peer, now + followupNanos) == null) {
            size++;
        }
    }

    /** Message {@code id} arrived (from anyone): every promise for it is kept. */
    void fulfill(ByteString id) {
        Map<PeerId, Long> byPeer = promises.remove(id);
        if (byPeer != null) {
            size -= byPeer.size();
        }
    }

    /** Removes and counts the promises expired by {@code now}, per peer. */
    Map<PeerId, Integer> broken(long now) {
        Map<PeerId, Integer> broken = new HashMap<>();
        for (Iterator<Map<PeerId, Long>> it = promises.values().iterator(); it.hasNext(); ) {
            Map<PeerId, Long> byPeer = it.next();
            for (Iterator<Map.Entry<PeerId, Long>> pit = byPeer.entrySet().iterator(); pit.hasNext(); ) {
                Map.Entry<PeerId, Long> entry = pit.next();
                if (now - entry.getValue() > 0) {
                    broken.merge(entry.getKey(), 1, Integer::sum);
                    pit.remove();
                    size--;
                }
            }
            if (byPeer.isEmpty()) {
                it.remove();
            }
        }
        return broken;
    }

    /** Promises outstanding. */
    int size() {
        return size;
    }
}
