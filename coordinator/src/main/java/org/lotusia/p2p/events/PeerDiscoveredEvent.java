package org.lotusia.p2p.events;

import org.lotusia.p2p.PeerInfo;

import java.time.Instant;
import java.util.Objects;

/**
 * A peer became known to the coordinator for the first time since it started (reference
 * {@code peer:discovery}).
 *
 * @param peerInfo  what is known about it
 * @param timestamp when it was discovered
 */
public record PeerDiscoveredEvent(PeerInfo peerInfo, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public PeerDiscoveredEvent {
        Objects.requireNonNull(peerInfo, "peerInfo");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<PeerDiscoveredEvent> type() {
        return EventType.DISCOVERED;
    }
}
