package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Instant;
import java.util.Objects;

/**
 * A bootstrap peer was given up: the configured maximum of re-dials failed (reference
 * {@code bootstrap:failed}). Never emitted with unlimited attempts (the default).
 *
 * @param peerId    the bootstrap peer
 * @param attempts  how many re-dials were made
 * @param error     the last dial error
 * @param timestamp when
 */
public record BootstrapFailedEvent(PeerId peerId, int attempts, String error, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public BootstrapFailedEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<BootstrapFailedEvent> type() {
        return EventType.BOOTSTRAP_FAILED;
    }
}
