package org.lotusia.libp2p.multistream;

import org.lotusia.libp2p.Libp2pException;

import java.util.Objects;

/**
 * A multistream-select negotiation failed: the remote sent malformed or unexpected messages,
 * exceeded a limit, was too slow, or went away. {@link #reason()} says which, so callers can react
 * without parsing the message.
 */
public class MultistreamException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Why a negotiation failed. */
    public enum Reason {
        /** The length prefix is not a valid uvarint or is longer than two bytes. */
        INVALID_LENGTH_PREFIX,
        /** A message is longer than {@value MultistreamCodec#MAX_MESSAGE_LENGTH} bytes. */
        MESSAGE_TOO_LONG,
        /** A message does not end with {@code '\n'} (this includes empty messages). */
        MISSING_NEWLINE,
        /** The remote's first message was not the {@code /multistream/1.0.0} header. */
        INVALID_HEADER,
        /** The remote sent a message that makes no sense at this point of the negotiation. */
        UNEXPECTED_MESSAGE,
        /** The remote rejected every protocol we proposed (see {@link ProtocolNotSupportedException}). */
        PROTOCOL_NOT_SUPPORTED,
        /** The remote made more proposals than the listener allows. */
        TOO_MANY_ATTEMPTS,
        /** The remote sent more negotiation bytes than the listener allows. */
        TOO_MANY_BYTES,
        /** The negotiation did not finish within its timeout. */
        TIMEOUT,
        /** The channel closed, or the remote closed its write side, before a protocol was agreed. */
        CHANNEL_CLOSED,
        /** Writing a negotiation message failed. */
        WRITE_FAILED,
        /** The handler was removed, a callback threw, or the pipeline reported an error. */
        INTERNAL_ERROR
    }

    private final Reason reason;

    /** Creates an exception for {@code reason} with a message describing the details. */
    public MultistreamException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Creates an exception for {@code reason} with a message and the failure that caused it. */
    public MultistreamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the negotiation failed. */
    public Reason reason() {
        return reason;
    }
}
