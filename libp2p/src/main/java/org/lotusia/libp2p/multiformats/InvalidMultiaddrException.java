package org.lotusia.libp2p.multiformats;

/** Thrown when a multiaddr (binary or string form) is malformed: unknown protocol, bad value, missing value, trailing garbage or over the size limits. */
public class InvalidMultiaddrException extends MultiformatException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says what was wrong with the input. */
    public InvalidMultiaddrException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public InvalidMultiaddrException(String message, Throwable cause) {
        super(message, cause);
    }
}
