package org.lotusia.p2p.security;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.lotusia.libp2p.crypto.PeerId;

/**
 * Per-peer DHT resource quotas (reference {@code DHTResourceTracker}, §4.4, fixed).
 *
 * <p>A peer may hold at most {@code maxPerPeer} resources in total and {@code maxPerTypePerPeer} of one
 * type. A check that passes <em>reserves</em> the resource; re-announcing a resource already held always
 * passes (and replaces its expiry). Unlike the reference, types and ids are kept apart (no ambiguous
 * {@code "type:id"} join), a resource may carry an expiry after which it is freed automatically, and a peer
 * whose last resource is removed or expires is forgotten.
 *
 * <p>Memory is bounded: at most {@code maxTrackedPeers} peers (least recently used evicted first, which
 * resets that peer's quota), each holding at most {@code maxPerPeer} resources. Thread-safe.
 */
public final class DhtResourceTracker {

    /** Outcome of {@link #reserve}. */
    public enum Reservation {
        /** The resource was not held and has now been reserved. */
        NEW,
        /** The peer already held the resource. */
        EXISTING,
        /** A quota would be exceeded; nothing changed. */
        REJECTED;

        /** Whether the announcement may proceed. */
        public boolean allowed() {
            return this != REJECTED;
        }
    }

    private static final long NO_EXPIRY = Long.MAX_VALUE;

    private final Clock clock;
    private final int maxPerPeer;
    private final int maxPerTypePerPeer;
    private final int maxTrackedPeers;
    /** Access order = least recently used first. Guarded by this. */
    private final LinkedHashMap<PeerId, PeerResources> peers = new LinkedHashMap<>(16, 0.75f, true);

    private static final class PeerResources {
        final Map<String, Map<String, Long>> byType = new HashMap<>();
        int total;
    }

    /**
     * Creates a tracker.
     *
     * @param clock time source for expiries
     * @param maxPerPeer total resources per peer (at least 1)
     * @param maxPerTypePerPeer resources of one type per peer (at least 1)
     * @param maxTrackedPeers bound on tracked peers (at least 1)
     */
    public DhtResourceTracker(Clock clock, int maxPerPeer, int maxPerTypePerPeer, int maxTrackedPeers) {
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxPerPeer < 1 || maxPerTypePerPeer < 1 || maxTrackedPeers < 1) {
            throw new IllegalArgumentException("limits must be at least 1");
        }
        this.maxPerPeer = maxPerPeer;
        this.maxPerTypePerPeer = maxPerTypePerPeer;
        this.maxTrackedPeers = maxTrackedPeers;
    }

    /** A tracker using {@code MAX_DHT_RESOURCES_PER_PEER}, {@code MAX_DHT_RESOURCES_PER_TYPE_PER_PEER}, {@code MAX_TRACKED_PEERS}. */
    public DhtResourceTracker(Clock clock, SecurityLimits limits) {
        this(clock, limits.maxDhtResourcesPerPeer(), limits.maxDhtResourcesPerTypePerPeer(), limits.maxTrackedPeers());
    }

    /** Check-and-reserve without expiry (held until {@link #removeResource}); see {@link #reserve}. */
    public boolean canAnnounceResource(PeerId peer, String type, String id) {
        return reserve(peer, type, id, null).allowed();
    }

    /** Check-and-reserve with an expiry ({@code null}: none); see {@link #reserve}. */
    public boolean canAnnounceResource(PeerId peer, String type, String id, Instant expiresAt) {
        return reserve(peer, type, id, expiresAt).allowed();
    }

    /**
     * Checks the quotas and reserves the resource if they allow it. Expired resources of the peer are freed
     * first.
     *
     * @param expiresAt when the reservation lapses by itself, or {@code null} for never
     * @return what happened
     */
    public synchronized Reservation reserve(PeerId peer, String type, String id, Instant expiresAt) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(id, "id");
        long now = clock.millis();
        long expiry = expiresAt == null ? NO_EXPIRY : expiresAt.toEpochMilli();
        PeerResources r = peers.get(peer);
        if (r != null) {
            purge(r, now);
            Map<String, Long> ids = r.byType.get(type);
            if (ids != null && ids.containsKey(id)) {
                ids.put(id, expiry);
                return Reservation.EXISTING;
            }
        }
        if (expiry <= now) {
            // Already expired: nothing to hold, but the quota check still applies.
            return r != null && (r.total >= maxPerPeer || typeCount(r, type) >= maxPerTypePerPeer)
                    ? Reservation.REJECTED : Reservation.NEW;
        }
        if (r == null) {
            if (peers.size() >= maxTrackedPeers) {
                Iterator<PeerId> it = peers.keySet().iterator();
                it.next();
                it.remove();
            }
            r = new PeerResources();
            peers.put(peer, r);
        }
        if (r.total >= maxPerPeer || typeCount(r, type) >= maxPerTypePerPeer) {
            if (r.total == 0) {
                peers.remove(peer);
            }
            return Reservation.REJECTED;
        }
        r.byType.computeIfAbsent(type, t -> new HashMap<>()).put(id, expiry);
        r.total++;
        return Reservation.NEW;
    }

    /**
     * Frees a resource.
     *
     * @return whether the peer held it
     */
    public synchronized boolean removeResource(PeerId peer, String type, String id) {
        PeerResources r = peers.get(peer);
        if (r == null) {
            return false;
        }
        Map<String, Long> ids = r.byType.get(type);
        boolean removed = ids != null && ids.remove(id) != null;
        if (removed) {
            r.total--;
            if (ids.isEmpty()) {
                r.byType.remove(type);
            }
            if (r.total == 0) {
                peers.remove(peer);
            }
        }
        return removed;
    }

    /** Forgets everything the peer holds. */
    public synchronized void removePeer(PeerId peer) {
        peers.remove(peer);
    }

    /** Unexpired resources held by the peer. */
    public synchronized int getResourceCount(PeerId peer) {
        PeerResources r = peers.get(peer);
        if (r == null) {
            return 0;
        }
        purge(r, clock.millis());
        int n = r.total;
        if (n == 0) {
            peers.remove(peer);
        }
        return n;
    }

    /** Unexpired resources of one type held by the peer. */
    public synchronized int getResourceCountByType(PeerId peer, String type) {
        PeerResources r = peers.get(peer);
        if (r == null) {
            return 0;
        }
        purge(r, clock.millis());
        return typeCount(r, type);
    }

    /** Number of peers holding at least one resource. */
    public synchronized int trackedPeerCount() {
        return peers.size();
    }

    /** Frees every expired resource and forgets peers left with none. */
    public synchronized void cleanup() {
        long now = clock.millis();
        Iterator<PeerResources> it = peers.values().iterator();
        while (it.hasNext()) {
            PeerResources r = it.next();
            purge(r, now);
            if (r.total == 0) {
                it.remove();
            }
        }
    }

    private static int typeCount(PeerResources r, String type) {
        Map<String, Long> ids = r.byType.get(type);
        return ids == null ? 0 : ids.size();
    }

    private static void purge(PeerResources r, long now) {
        Iterator<Map<String, Long>> types = r.byType.values().iterator();
        while (types.hasNext()) {
            Map<String, Long> ids = types.next();
            Iterator<Long> it = ids.values().iterator();
            while (it.hasNext()) {
                if (it.next() <= now) {
                    it.remove();
                    r.total--;
                }
            }
            if (ids.isEmpty()) {
                types.remove();
            }
        }
    }
}
