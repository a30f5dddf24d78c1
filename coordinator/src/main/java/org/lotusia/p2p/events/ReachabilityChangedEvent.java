package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.nat.Reachability;

import java.time.Instant;
import java.util.Objects;

/**
 * AutoNAT changed its verdict on whether other peers can dial us directly
 * ({@code nat:reachability-changed}; not in the reference, which has no such event).
 *
 * @param peerId       our peer id
 * @param previous     the verdict before
 * @param reachability the verdict now ({@code PUBLIC} or {@code PRIVATE}; {@code UNKNOWN} is never reached again)
 * @param timestamp    when it changed
 */
public record ReachabilityChangedEvent(PeerId peerId, Reachability previous, Reachability reachability,
                                       Instant timestamp) implements P2PEvent {
    /** Validates. */
    public ReachabilityChangedEvent {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(reachability, "reachability");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<ReachabilityChangedEvent> type() {
        return EventType.REACHABILITY_CHANGED;
    }
}
