package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Instant;
import java.util.Objects;

/**
 * A configured bootstrap peer is connected (reference {@code bootstrap:connected}).
 *
 * @param peerId    the bootstrap peer
 * @param multiaddr its configured address
 * @param timestamp when
 */
public record BootstrapConnectedEvent(PeerId peerId, Multiaddr multiaddr, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public BootstrapConnectedEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(multiaddr, "multiaddr");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<BootstrapConnectedEvent> type() {
        return EventType.BOOTSTRAP_CONNECTED;
    }
}
