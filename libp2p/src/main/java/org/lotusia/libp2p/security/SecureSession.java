package org.lotusia.libp2p.security;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PublicKey;

/**
 * The outcome of a successful security handshake on one connection: who is on each end, and what the
 * handshake negotiated besides encryption.
 *
 * @param protocol        the security protocol id that produced this session (for example {@code /noise})
 * @param localPeer       this node's peer id
 * @param remotePeer      the authenticated remote peer id (derived from {@code remotePublicKey})
 * @param remotePublicKey the remote's identity key, whose signature over the handshake was verified
 * @param remoteMuxers    the stream muxers the remote advertised inside the handshake (early muxer
 *                        negotiation); empty when it advertised none. Unmodifiable.
 * @param selectedMuxer   the muxer both sides agreed on inside the handshake, or {@code null} when muxer
 *                        selection must run over multistream-select after the handshake. When non-null the
 *                        muxer's frames start immediately: do <em>not</em> run multistream-select for it.
 * @param initiator       {@code true} on the side that started the handshake (the dialer)
 */
public record SecureSession(
        String protocol,
        PeerId localPeer,
        PeerId remotePeer,
        PublicKey remotePublicKey,
        List<String> remoteMuxers,
        String selectedMuxer,
        boolean initiator) {

    /** Validates the session and freezes the muxer list. */
    public SecureSession {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(localPeer, "localPeer");
        Objects.requireNonNull(remotePeer, "remotePeer");
        Objects.requireNonNull(remotePublicKey, "remotePublicKey");
        remoteMuxers = List.copyOf(remoteMuxers);
    }

    /** The muxer negotiated inside the handshake, if any (see {@link #selectedMuxer()}). */
    public Optional<String> earlyMuxer() {
        return Optional.ofNullable(selectedMuxer);
    }

    @Override
    public String toString() {
        return "SecureSession[" + protocol + ", local=" + localPeer + ", remote=" + remotePeer
                + ", " + (initiator ? "initiator" : "responder")
                + ", remoteMuxers=" + remoteMuxers + ", selectedMuxer=" + selectedMuxer + "]";
    }
}
