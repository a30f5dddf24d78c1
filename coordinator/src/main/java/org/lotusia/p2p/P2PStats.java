package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.nat.Reachability;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of the coordinator (reference {@code P2PStats}).
 *
 * @param peerId         our peer id; empty when not started
 * @param state          the connection state
 * @param peers          peer counts
 * @param dht            the DHT summary
 * @param multiaddrs     the addresses we can be reached at, with {@code /p2p/<id>} (announce addresses
 *                       when configured, otherwise the bound listen addresses)
 * @param relayAddresses our relay-circuit addresses {@code …/p2p/<relay>/p2p-circuit/p2p/<us>}, only
 *                       those backed by a live reservation (empty without {@code enableRelay})
 * @param reachability   AutoNAT's verdict ({@link Reachability#UNKNOWN} without {@code enableAutoNAT},
 *                       when not started, or before enough peers answered)
 */
public record P2PStats(Optional<PeerId> peerId, ConnectionState state, Peers peers, Dht dht,
                       List<Multiaddr> multiaddrs, List<Multiaddr> relayAddresses, Reachability reachability) {
    /** Validates and copies. */
    public P2PStats {
        Objects.requireNonNull(peerId, "peerId");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(dht, "dht");
        multiaddrs = List.copyOf(multiaddrs);
        relayAddresses = List.copyOf(relayAddresses);
        Objects.requireNonNull(reachability, "reachability");
    }

    /** A snapshot with reachability {@link Reachability#UNKNOWN}. */
    public P2PStats(Optional<PeerId> peerId, ConnectionState state, Peers peers, Dht dht,
                    List<Multiaddr> multiaddrs, List<Multiaddr> relayAddresses) {
        this(peerId, state, peers, dht, multiaddrs, relayAddresses, Reachability.UNKNOWN);
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
     * @param enabled          whether the DHT runs
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
