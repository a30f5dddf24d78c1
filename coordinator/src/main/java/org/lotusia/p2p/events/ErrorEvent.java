package org.lotusia.p2p.events;

import java.time.Instant;
import java.util.Objects;

/**
 * Something failed asynchronously: a listener or protocol handler threw, a background task failed.
 * A listener of this event that throws is only logged (no further ERROR event), so errors never loop.
 *
 * @param error     what was thrown
 * @param context   where it happened, e.g. {@code listener for peer:connect}
 * @param timestamp when
 */
public record ErrorEvent(Throwable error, String context, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public ErrorEvent {
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<ErrorEvent> type() {
        return EventType.ERROR;
    }
}
