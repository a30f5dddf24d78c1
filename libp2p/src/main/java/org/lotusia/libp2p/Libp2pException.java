package org.lotusia.libp2p;

/**
 * Base class of the typed, unchecked exceptions this library throws for malformed input, protocol
 * violations and misuse. Catching it catches every failure that originates in lotus-libp2p.
 */
public class Libp2pException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what was wrong. */
    public Libp2pException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public Libp2pException(String message, Throwable cause) {
        super(message, cause);
    }
}
