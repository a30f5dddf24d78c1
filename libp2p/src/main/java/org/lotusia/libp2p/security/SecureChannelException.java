package org.lotusia.libp2p.security;

import java.util.Objects;
import org.lotusia.libp2p.Libp2pException;

/**
 * The encrypted transport of an established secure session failed: the remote sent something that is
 * not a valid frame of this session, or this side cannot encrypt any more. The connection is closed.
 */
public class SecureChannelException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** A frame failed authenticated decryption (corrupted, forged, replayed or reordered). */
        DECRYPT_FAILED,
        /** A frame was too short to hold an authentication tag, or otherwise not a valid frame. */
        MALFORMED_FRAME,
        /** The 64-bit message counter of one direction is used up; the session must be re-established. */
        NONCE_EXHAUSTED,
        /** A local failure (for example the crypto provider broke); not the remote's fault. */
        INTERNAL_ERROR
    }

    private final Reason reason;

    /** Creates an exception with a reason and a message. */
    public SecureChannelException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Creates an exception with a reason, a message and the failure that caused it. */
    public SecureChannelException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** What went wrong. */
    public Reason reason() {
        return reason;
    }
}
