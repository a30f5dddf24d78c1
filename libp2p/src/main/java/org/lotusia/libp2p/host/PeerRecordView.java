package org.lotusia.libp2p.host;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.util.List;
import java.util.Optional;

/**
 * An immutable snapshot of what the {@link PeerStore} knows about one peer.
 *
 * @param peerId          the peer
 * @param addresses       addresses to dial it at (without {@code /p2p/<id>}), most recently learned first
 * @param protocols       protocols it said it supports (identify), in its order
 * @param publicKey       its public key, when known
 * @param agentVersion    its agent string from identify, when known
 * @param protocolVersion its protocol version string from identify, when known
 */
public record PeerRecordView(
        PeerId peerId,
        List<Multiaddr> addresses,
        List<String> protocols,
        Optional<PublicKey> publicKey,
        Optional<String> agentVersion,
        Optional<String> protocolVersion) {

    /** Copies the lists so the snapshot cannot change under its reader. */
    public PeerRecordView {
        addresses = List.copyOf(addresses);
        protocols = List.copyOf(protocols);
    }
}
