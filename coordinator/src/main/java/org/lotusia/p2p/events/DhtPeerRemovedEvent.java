package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Instant;
import java.util.Objects;

/**
 * A peer left the DHT routing table (reference {@code dht:peer-removed}, declared there but never emitted).
 *
 * @param peerId           the peer
 * @param routingTableSize peers in the routing table afterwards
 * @param timestamp        when it was noticed
 */
public record DhtPeerRemovedEvent(PeerId peerId, int routingTableSize, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public DhtPeerRemovedEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<DhtPeerRemovedEvent> type() {
        return EventType.DHT_PEER_REMOVED;
    }
}
