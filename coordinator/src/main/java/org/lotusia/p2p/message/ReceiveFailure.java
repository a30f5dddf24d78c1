package org.lotusia.p2p.message;

/** Why an inbound direct-message stream produced no message. */
public enum ReceiveFailure {
    /** The sender wrote more than the limit; the stream was reset (the reference warns the peer). */
    OVERSIZED,
    /** The sender did not finish (FIN) within the read timeout; the stream was reset. */
    TIMEOUT,
    /** The sender half-closed without writing anything (the reference ignores these). */
    EMPTY,
    /** The stream was reset or closed before the sender's FIN. */
    RESET,
    /** The stream pipeline failed (an exception); the stream was reset. */
    ERROR
}
