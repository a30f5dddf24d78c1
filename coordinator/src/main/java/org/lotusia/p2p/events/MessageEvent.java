package org.lotusia.p2p.events;

import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.message.P2PMessage;

import java.time.Instant;
import java.util.Objects;

/**
 * A valid, non-duplicate direct message arrived (reference {@code message}, one-object form
 * {@code {message, from}}). Not emitted for a broadcast's delivery to ourselves.
 *
 * @param message   the message
 * @param from      the authenticated sender ({@code from.peerId()} is the connection's remote peer)
 * @param timestamp when it was received
 */
public record MessageEvent(P2PMessage message, PeerInfo from, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public MessageEvent {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<MessageEvent> type() {
        return EventType.MESSAGE;
    }
}
