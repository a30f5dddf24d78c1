package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Instant;
import java.util.Objects;

/**
 * A connected bootstrap peer disconnected (reference {@code bootstrap:disconnected}); a re-dial follows.
 *
 * @param peerId    the bootstrap peer
 * @param reason    why
 * @param timestamp when
 */
public record BootstrapDisconnectedEvent(PeerId peerId, String reason, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public BootstrapDisconnectedEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<BootstrapDisconnectedEvent> type() {
        return EventType.BOOTSTRAP_DISCONNECTED;
    }
}
