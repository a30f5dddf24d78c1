package org.lotusia.libp2p.crypto;

import org.lotusia.libp2p.Libp2pException;

/**
 * Thrown when bytes or text do not denote a valid peer id: a multihash other than identity or
 * sha2-256, a digest of the wrong length, an identity peer id that does not contain a public key, or
 * a string that is neither base58btc nor a CIDv1 with the {@code libp2p-key} codec.
 */
public class InvalidPeerIdException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says why the input is not a peer id. */
    public InvalidPeerIdException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the decoding failure that caused it. */
    public InvalidPeerIdException(String message, Throwable cause) {
        super(message, cause);
    }
}
