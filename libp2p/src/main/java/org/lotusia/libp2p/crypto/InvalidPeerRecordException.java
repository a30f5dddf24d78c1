package org.lotusia.libp2p.crypto;

import org.lotusia.libp2p.Libp2pException;

/**
 * Thrown when a peer record (libp2p RFC 0003) payload cannot be decoded, or when a signed envelope
 * carrying it is not a valid peer record: wrong payload type, or a record whose peer id is not the
 * peer id of the key that signed the envelope.
 */
public class InvalidPeerRecordException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what was wrong with the record. */
    public InvalidPeerRecordException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public InvalidPeerRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
