package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of the coordinator (reference {@code P2PStats}).
 *
 * @param peerId         our peer id; empty when not started
 * @param state          the connection state
 * @param peers          peer counts
 * @param dht            the DHT summary (disabled in this version)
 * @param multiaddrs     the addresses we can be reached at, with {@code /p2p/<id>} (announce addresses
 *                       when configured, otherwise the bound listen addresses)
 * @param relayAddresses our relay-circuit addresses (always empty in this version)
 */
public record P2PStats(Optional<PeerId> peerId, ConnectionState state, Peers peers, Dht dht,
                       List<Multiaddr> multiaddrs, List<Multiaddr> relayAddresses) {
    /** Validates and copies. */
    public P2PStats {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(dht, "dht");
        multiaddrs = List.copyOf(multiaddrs);
        relayAddresses = List.copyOf(relayAddresses);
    }

    /**
     * Peer counts. Unlike the reference (where both equal the connected count), {@code total}
     * counts every peer known since start (connected, disconnected or only discovered).
     *
     * @param total     peers known
     * @param connected peers with an open connection
     */
    public record Peers(int total, int connected) {
    }

    /**
     * The DHT summary.
     *
     * @param enabled          whether the DHT runs (always false in this version)
     * @param mode             {@code disabled}, {@code client} or {@code server}
     * @param routingTableSize peers in the routing table
     * @param localRecords     resource records in the local cache
     */
    public record Dht(boolean enabled, String mode, int routingTableSize, int localRecords) {
        /** The summary of a disabled DHT. */
        public static Dht disabled() {
            return new Dht(false, "disabled", 0, 0);
        }
    }
}
