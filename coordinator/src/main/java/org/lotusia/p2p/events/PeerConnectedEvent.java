package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A peer got its first open connection (reference {@code peer:connect}).
 *
 * @param peerId     the authenticated peer
 * @param multiaddrs the remote addresses of its open connections
 * @param timestamp  when it connected
 */
public record PeerConnectedEvent(PeerId peerId, List<Multiaddr> multiaddrs, Instant timestamp) implements P2PEvent {
    /** Validates and copies. */
    public PeerConnectedEvent {
        Objects.requireNonNull(peerId, "peerId");
        multiaddrs = List.copyOf(multiaddrs);
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<PeerConnectedEvent> type() {
        return EventType.CONNECTED;
    }
}
