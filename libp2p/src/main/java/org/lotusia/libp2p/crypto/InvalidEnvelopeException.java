package org.lotusia.libp2p.crypto;

import org.lotusia.libp2p.Libp2pException;

/**
 * Thrown when a signed envelope (libp2p RFC 0002) cannot be decoded or does not verify: malformed or
 * oversized protobuf, missing fields, an undecodable public key, or a signature that is not valid for
 * the expected domain.
 */
public class InvalidEnvelopeException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what was wrong with the envelope. */
    public InvalidEnvelopeException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public InvalidEnvelopeException(String message, Throwable cause) {
        super(message, cause);
    }
}
