package org.lotusia.p2p.coordinator;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.ConnectionGater;
import org.lotusia.libp2p.host.Direction;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.util.Objects;
import java.util.function.Predicate;

/**
 * A {@link ConnectionGater} that refuses banned peers: dials to them, and connections (either
 * direction) once the handshake proved the remote is one. Raw inbound connections are accepted
 * because their peer is unknown until the handshake. The predicate must be fast and thread-safe
 * (it runs on I/O threads).
 */
public final class BanGater implements ConnectionGater {
    private final Predicate<PeerId> banned;

    /** @param banned whether a peer is banned now */
    public BanGater(Predicate<PeerId> banned) {
        this.banned = Objects.requireNonNull(banned, "banned");
    }

    @Override
    public boolean allowDial(PeerId peer, Multiaddr address) {
        return peer == null || !banned.test(peer);
    }

    @Override
    public boolean allowSecured(PeerId peer, Direction direction, Multiaddr remoteAddress) {
        return !banned.test(peer);
    }
}
