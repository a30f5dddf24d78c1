package org.lotusia.p2p.events;

import org.lotusia.p2p.ConnectionState;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The coordinator's connection state changed (reference {@code connection:state-changed}).
 *
 * @param previousState the state before
 * @param currentState  the state now
 * @param timestamp     when it changed
 * @param error         why, when the new state is {@link ConnectionState#ERROR}
 */
public record StateChangedEvent(ConnectionState previousState, ConnectionState currentState, Instant timestamp,
                                Optional<String> error) implements P2PEvent {
    /** Validates. */
    public StateChangedEvent {
        Objects.requireNonNull(previousState, "previousState");
        Objects.requireNonNull(currentState, "currentState");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(error, "error");
    }

    @Override
    public EventType<StateChangedEvent> type() {
        return EventType.STATE_CHANGED;
    }
}
