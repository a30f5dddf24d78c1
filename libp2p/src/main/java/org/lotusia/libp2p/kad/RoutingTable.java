package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.crypto.PeerId;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Kademlia routing table: k-buckets indexed by the length of the prefix a peer's id shares with ours.
 * Bucket {@code i} holds peers whose ids share exactly {@code i} leading bits with ours; this is the
 * shape a fully split binary k-bucket tree takes, except that buckets are created lazily. Each bucket
 * holds at most {@code k} peers in least-recently-seen order. When a bucket is full the least
 * recently seen peer is checked with the liveness callback: if it does not answer it is evicted and
 * the newcomer takes its place, otherwise the newcomer is dropped (old, live contacts are preferred).
 * Only one liveness check per bucket runs at a time; candidates arriving meanwhile are dropped.
 * The table never holds more than {@code maxPeers} peers. Thread-safe.
 */
public final class RoutingTable {
    private final KadId self;
    private final int k;
    private final int maxPeers;
    private final Function<PeerId, CompletableFuture<Boolean>> liveness;
    private final Bucket[] buckets = new Bucket[KadId.BITS];
    private final List<Map.Entry<Listener, Executor>> listeners = new CopyOnWriteArrayList<>();
    private int size;

    /** Hears about peers entering and leaving the table. */
    public interface Listener {
        /** {@code peer} entered the table. */
        default void peerAdded(PeerId peer) {
        }

        /** {@code peer} left the table (removed, evicted after a failed liveness check, or after failed requests). */
        default void peerRemoved(PeerId peer) {
        }
    }

    /** Registers {@code listener}; its calls run on {@code executor}, never under the table's lock. */
    public void addListener(Listener listener, Executor executor) {
        listeners.add(Map.entry(Objects.requireNonNull(listener, "listener"), Objects.requireNonNull(executor, "executor")));
    }

    /** Unregisters {@code listener}. */
    public void removeListener(Listener listener) {
        listeners.removeIf(e -> e.getKey() == listener);
    }

    private void fire(PeerId peer, boolean added) {
        for (Map.Entry<Listener, Executor> e : listeners) {
            try {
                e.getValue().execute(() -> {
                    if (added) {
                        e.getKey().peerAdded(peer);
                    } else {
                        e.getKey().peerRemoved(peer);
                    }
                });
            } catch (RuntimeException rejected) {
                // executor shut down: nobody left to tell
            }
        }
    }

    /**
     * @param self     our own peer id
     * @param k        bucket size (20 in the spec)
     * @param maxPeers overall bound
     * @param liveness answers whether a peer still responds (completes false or exceptionally if not)
     */
    public RoutingTable(PeerId self, int k, int maxPeers, Function<PeerId, CompletableFuture<Boolean>> liveness) {
        if (k < 1 || maxPeers < 1) {
            throw new IllegalArgumentException("k and maxPeers must be positive");
        }
        this.self = KadId.ofPeer(self);
        this.k = k;
        this.maxPeers = maxPeers;
        this.liveness = Objects.requireNonNull(liveness, "liveness");
    }

    /** Our id. */
    public KadId selfId() {
        return self;
    }

    /** Bucket size. */
    public int k() {
        return k;
    }

    /** The bucket index (common prefix length with our id) of {@code id}; {@code -1} for our own id. */
    public int bucketIndex(KadId id) {
        int cpl = self.commonPrefixLength(id);
        return cpl == KadId.BITS ? -1 : cpl;
    }

    /**
     * Offers {@code peer} (which the caller checked speaks the DHT protocol in server mode).
     * A known peer is marked as seen. Completes with whether the peer is in the table afterwards.
     */
    public CompletableFuture<Boolean> add(PeerId peer) {
        KadId id = KadId.ofPeer(peer);
        int index = bucketIndex(id);
        if (index < 0) {
            return CompletableFuture.completedFuture(false);
        }
        PeerId oldest;
        Bucket bucket;
        synchronized (this) {
            bucket = buckets[index];
            if (bucket == null) {
                bucket = buckets[index] = new Bucket();
            }
            if (bucket.peers.containsKey(peer)) {
                bucket.peers.remove(peer);
                bucket.peers.put(peer, id);
                return CompletableFuture.completedFuture(true);
            }
            if (bucket.peers.size() < k && size < maxPeers) {
                bucket.peers.put(peer, id);
                size++;
                fire(peer, true);
                return CompletableFuture.completedFuture(true);
            }
            if (bucket.peers.isEmpty() || bucket.checking) {
                return CompletableFuture.completedFuture(false);
            }
            oldest = bucket.peers.keySet().iterator().next();
            bucket.checking = true;
        }
        Bucket checked = bucket;
        CompletableFuture<Boolean> check;
        try {
            check = liveness.apply(oldest);
        } catch (RuntimeException e) {
            check = CompletableFuture.failedFuture(e);
        }
        return check.handle((alive, error) -> {
            synchronized (this) {
                checked.checking = false;
                boolean responded = error == null && Boolean.TRUE.equals(alive);
                if (responded) {
                    if (checked.peers.remove(oldest) != null) {
                        checked.peers.put(oldest, KadId.ofPeer(oldest));
                    }
                    return false;
                }
                if (checked.peers.remove(oldest) != null) {
                    size--;
                    fire(oldest, false);
                }
                if (checked.peers.containsKey(peer)) {
                    return true;
                }
                if (checked.peers.size() < k && size < maxPeers) {
                    checked.peers.put(peer, id);
                    size++;
                    fire(peer, true);
                    return true;
                }
                return false;
            }
        });
    }

    /** Marks a peer already in the table as recently seen (a no-op for others). */
    public synchronized void markSeen(PeerId peer) {
        int index = bucketIndex(KadId.ofPeer(peer));
        if (index >= 0 && buckets[index] != null) {
            KadId id = buckets[index].peers.remove(peer);
            if (id != null) {
                buckets[index].peers.put(peer, id);
            }
        }
    }

    /** Removes a peer; returns whether it was present. */
    public synchronized boolean remove(PeerId peer) {
        int index = bucketIndex(KadId.ofPeer(peer));
        if (index >= 0 && buckets[index] != null && buckets[index].peers.remove(peer) != null) {
            size--;
            fire(peer, false);
            return true;
        }
        return false;
    }

    /** Whether {@code peer} is in the table. */
    public synchronized boolean contains(PeerId peer) {
        int index = bucketIndex(KadId.ofPeer(peer));
        return index >= 0 && buckets[index] != null && buckets[index].peers.containsKey(peer);
    }

    /** Number of peers. */
    public synchronized int size() {
        return size;
    }

    /** The peers of bucket {@code index}, least recently seen first. */
    public synchronized List<PeerId> bucket(int index) {
        Bucket bucket = buckets[index];
        return bucket == null ? List.of() : List.copyOf(bucket.peers.keySet());
    }

    /** The highest index of a non-empty bucket (the longest prefix shared with a known peer), or -1 when empty. */
    public synchronized int highestOccupiedBucket() {
        for (int i = buckets.length - 1; i >= 0; i--) {
            if (buckets[i] != null && !buckets[i].peers.isEmpty()) {
                return i;
            }
        }
        return -1;
    }

    /** Every peer. */
    public synchronized List<PeerId> peers() {
        List<PeerId> all = new ArrayList<>(size);
        for (Bucket bucket : buckets) {
            if (bucket != null) {
                all.addAll(bucket.peers.keySet());
            }
        }
        return all;
    }

    /** Up to {@code count} peers closest to {@code target}, closest first. */
    public List<PeerId> closestPeers(KadId target, int count) {
        List<Map.Entry<PeerId, KadId>> all = new ArrayList<>();
        synchronized (this) {
            for (Bucket bucket : buckets) {
                if (bucket != null) {
                    for (Map.Entry<PeerId, KadId> e : bucket.peers.entrySet()) {
                        all.add(Map.entry(e.getKey(), e.getValue()));
                    }
                }
            }
        }
        Comparator<KadId> order = target.byDistance();
        all.sort((a, b) -> order.compare(a.getValue(), b.getValue()));
        List<PeerId> closest = new ArrayList<>(Math.min(count, all.size()));
        for (Iterator<Map.Entry<PeerId, KadId>> it = all.iterator(); it.hasNext() && closest.size() < count; ) {
            closest.add(it.next().getKey());
        }
        return closest;
    }

    private static final class Bucket {
        /** Insertion order is least recently seen first. */
        final LinkedHashMap<PeerId, KadId> peers = new LinkedHashMap<>();
        boolean checking;
    }
}
