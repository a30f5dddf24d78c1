package org.lotusia.libp2p.multiformats;

/** Thrown when a CID is malformed: bad version, bad codec varint, bad multihash or bad string encoding. */
public class InvalidCidException extends MultiformatException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says what was wrong with the input. */
    public InvalidCidException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public InvalidCidException(String message, Throwable cause) {
        super(message, cause);
    }
}
