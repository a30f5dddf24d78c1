package org.lotusia.libp2p.multiformats;

/** Thrown when a multihash is truncated, has inconsistent or excessive digest length, or an unsupported code value. */
public class InvalidMultihashException extends MultiformatException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says what was wrong with the input. */
    public InvalidMultihashException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public InvalidMultihashException(String message, Throwable cause) {
        super(message, cause);
    }
}
