package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the coordinator knows about a peer (reference {@code PeerInfo}). Immutable snapshot.
 *
 * @param peerId     the peer
 * @param multiaddrs addresses it can be reached at (from identify, or the addresses of its connections)
 * @param publicKey  its libp2p public key, once a connection proved it
 * @param lastSeen   when it was last connected or heard from
 */
public record PeerInfo(PeerId peerId, List<Multiaddr> multiaddrs, Optional<PublicKey> publicKey, Instant lastSeen) {
    /** Validates and copies. */
    public PeerInfo {
        Objects.requireNonNull(peerId, "peerId");
        multiaddrs = List.copyOf(multiaddrs);
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(lastSeen, "lastSeen");
    }

    /** A peer known only by id. */
    public static PeerInfo of(PeerId peerId, Instant lastSeen) {
        return new PeerInfo(peerId, List.of(), Optional.empty(), lastSeen);
    }

    /** A copy with other addresses. */
    public PeerInfo withMultiaddrs(List<Multiaddr> addresses) {
        return new PeerInfo(peerId, addresses, publicKey, lastSeen);
    }

    /** A copy seen at {@code time}. */
    public PeerInfo withLastSeen(Instant time) {
        return new PeerInfo(peerId, multiaddrs, publicKey, time);
    }
}
