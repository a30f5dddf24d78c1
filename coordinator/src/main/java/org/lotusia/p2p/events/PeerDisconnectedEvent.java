package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Instant;
import java.util.Objects;

/**
 * A peer lost its last open connection (reference {@code peer:disconnect}).
 *
 * @param peerId    the peer
 * @param timestamp when its last connection closed
 */
public record PeerDisconnectedEvent(PeerId peerId, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public PeerDisconnectedEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<PeerDisconnectedEvent> type() {
        return EventType.DISCONNECTED;
    }
}
