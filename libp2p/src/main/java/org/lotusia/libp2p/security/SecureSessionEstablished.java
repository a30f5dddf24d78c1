package org.lotusia.libp2p.security;

import java.util.Objects;

/**
 * User event fired down a connection's pipeline by the security handler once the handshake has
 * succeeded and the transport codec is installed, before any application bytes that arrived behind the
 * last handshake message are passed on. A handler that reacts to it synchronously (for example by
 * installing the stream muxer) sees every decrypted byte.
 *
 * @param session the established session
 */
public record SecureSessionEstablished(SecureSession session) {
    /** Validates the event. */
    public SecureSessionEstablished {
        Objects.requireNonNull(session, "session");
    }
}
