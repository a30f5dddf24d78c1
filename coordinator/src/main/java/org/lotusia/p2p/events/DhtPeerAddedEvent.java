package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Instant;
import java.util.Objects;

/**
 * A peer entered the DHT routing table (reference {@code dht:peer-added}, declared there but never emitted).
 *
 * @param peerId           the peer
 * @param routingTableSize peers in the routing table afterwards
 * @param timestamp        when it was noticed
 */
public record DhtPeerAddedEvent(PeerId peerId, int routingTableSize, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public DhtPeerAddedEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<DhtPeerAddedEvent> type() {
        return EventType.DHT_PEER_ADDED;
    }
}
