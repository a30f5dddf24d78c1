package org.lotusia.libp2p.crypto;

import org.lotusia.libp2p.Libp2pException;

/**
 * Thrown when key bytes cannot be decoded: a malformed libp2p {@code PublicKey}/{@code PrivateKey}
 * protobuf, an unsupported key type, a key {@code Data} field of the wrong length or encoding, or a
 * key whose parts do not belong together (for example an Ed25519 private key whose embedded public
 * key does not match its seed).
 */
public class KeyFormatException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what was wrong with the key bytes. */
    public KeyFormatException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the decoding failure that caused it. */
    public KeyFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
