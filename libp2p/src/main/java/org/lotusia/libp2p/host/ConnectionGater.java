package org.lotusia.libp2p.host;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

/**
 * Decides which connections may exist, at each step of their life (the hook bans are enforced
 * through). Called on I/O threads: implementations must be fast, thread-safe and non-blocking.
 * Every method allows by default.
 */
public interface ConnectionGater {
    /** The gater that allows everything. */
    ConnectionGater ALLOW_ALL = new ConnectionGater() {
    };

    /** Whether we may dial {@code peer} (null when the address names no peer) at {@code address}. */
    default boolean allowDial(PeerId peer, Multiaddr address) {
        return true;
    }

    /** Whether to accept a raw inbound connection from {@code remoteAddress}, before any handshake. */
    default boolean allowInbound(Multiaddr remoteAddress) {
        return true;
    }

    /** Whether to keep a connection once the handshake proved the remote is {@code peer}. */
    default boolean allowSecured(PeerId peer, Direction direction, Multiaddr remoteAddress) {
        return true;
    }
}
