package org.lotusia.libp2p.crypto;

import org.lotusia.libp2p.Libp2pException;

/**
 * Thrown by {@link IdentityFile} when an identity file cannot be read or written, or when its
 * content is not a libp2p {@code PrivateKey} protobuf (missing, empty, too large, a PEM or text file,
 * or otherwise corrupt). The message names the file; the cause, when present, is the underlying
 * {@link java.io.IOException} or {@link KeyFormatException}.
 */
public class IdentityFileException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that names the file and the problem. */
    public IdentityFileException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public IdentityFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
