package org.lotusia.libp2p.multiformats;

/** Thrown when an unsigned varint is truncated, longer than 9 bytes, not minimally encoded or otherwise malformed. */
public class InvalidVarintException extends MultiformatException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says what was wrong with the input. */
    public InvalidVarintException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public InvalidVarintException(String message, Throwable cause) {
        super(message, cause);
    }
}
