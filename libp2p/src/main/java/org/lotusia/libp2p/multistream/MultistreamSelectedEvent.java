package org.lotusia.libp2p.multistream;

import java.util.Objects;

/**
 * User event fired down the pipeline, by the handler that negotiated it, right after a
 * {@link MultistreamDialer} or {@link MultistreamListener} has agreed on a protocol and removed
 * itself, and before any bytes that arrived behind the negotiation are passed on.
 *
 * @param protocol  the agreed protocol id
 * @param initiator {@code true} when this side proposed it (dialer), {@code false} for the listener
 */
public record MultistreamSelectedEvent(String protocol, boolean initiator) {
    /** Validates the event. */
    public MultistreamSelectedEvent {
        Objects.requireNonNull(protocol, "protocol");
    }
}
