package org.lotusia.libp2p.security;

import java.util.Objects;
import org.lotusia.libp2p.Libp2pException;

/**
 * A security handshake failed; the connection is (being) closed. {@link #reason()} says why in a form
 * code can branch on; the message says it for humans (peer ids, sizes).
 */
public class SecurityHandshakeException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Why a handshake failed. */
    public enum Reason {
        /** The remote's identity signature over its handshake key did not verify. */
        BAD_SIGNATURE,
        /** The remote authenticated as a different peer than the one we dialled. */
        PEER_ID_MISMATCH,
        /** A handshake message or its payload was malformed, truncated, oversized or had an invalid key. */
        MALFORMED_MESSAGE,
        /** A handshake message failed authenticated decryption (tampered, or not the same handshake). */
        DECRYPT_FAILED,
        /** Both sides offered stream muxers inside the handshake but none in common. */
        NO_COMMON_MUXER,
        /** The handshake did not finish within the configured time. */
        TIMEOUT,
        /** The connection closed (or failed) before the handshake finished. */
        CONNECTION_CLOSED,
        /** A local failure (for example the crypto provider broke); not the remote's fault. */
        INTERNAL_ERROR
    }

    private final Reason reason;

    /** Creates an exception with a reason and a message. */
    public SecurityHandshakeException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Creates an exception with a reason, a message and the failure that caused it. */
    public SecurityHandshakeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the handshake failed. */
    public Reason reason() {
        return reason;
    }
}
