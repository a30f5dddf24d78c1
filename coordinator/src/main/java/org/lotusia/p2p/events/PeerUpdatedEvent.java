package org.lotusia.p2p.events;

import org.lotusia.p2p.PeerInfo;

import java.time.Instant;
import java.util.Objects;

/**
 * What is known about a peer changed, e.g. identify told us its listen addresses (reference
 * {@code peer:update}, whose payload is the bare PeerInfo).
 *
 * @param peerInfo  the updated information
 * @param timestamp when it changed
 */
public record PeerUpdatedEvent(PeerInfo peerInfo, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public PeerUpdatedEvent {
        Objects.requireNonNull(peerInfo, "peerInfo");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<PeerUpdatedEvent> type() {
        return EventType.UPDATED;
    }
}
