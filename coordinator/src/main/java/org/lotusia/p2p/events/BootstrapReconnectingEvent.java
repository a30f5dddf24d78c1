package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A re-dial of a bootstrap peer was scheduled (reference {@code bootstrap:reconnecting}).
 *
 * @param peerId    the bootstrap peer
 * @param attempt   which re-dial this is (1 for the first)
 * @param delay     how long until it happens
 * @param timestamp when it was scheduled
 */
public record BootstrapReconnectingEvent(PeerId peerId, int attempt, Duration delay, Instant timestamp)
        implements P2PEvent {
    /** Validates. */
    public BootstrapReconnectingEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<BootstrapReconnectingEvent> type() {
        return EventType.BOOTSTRAP_RECONNECTING;
    }
}
