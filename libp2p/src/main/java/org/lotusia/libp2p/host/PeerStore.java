package org.lotusia.libp2p.host;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the host knows about other peers: addresses, protocols, public keys and agent strings.
 *
 * <p>Bounded, because peers feed it: at most {@link #MAX_PEERS} peers (least recently updated peers
 * are forgotten first), {@link #MAX_ADDRESSES_PER_PEER} addresses and {@link #MAX_PROTOCOLS_PER_PEER}
 * protocols per peer. Thread-safe; every read returns a snapshot.
 */
public final class PeerStore {
    /** How many peers are remembered at most. */
    public static final int MAX_PEERS = 10_000;
    /** How many addresses are kept per peer. */
    public static final int MAX_ADDRESSES_PER_PEER = 32;
    /** How many protocol ids are kept per peer. */
    public static final int MAX_PROTOCOLS_PER_PEER = 256;
    /** The longest protocol id kept (multistream-select rejects longer ones anyway). */
    public static final int MAX_PROTOCOL_LENGTH = 1024;

    private final Map<PeerId, Entry> peers = new LinkedHashMap<>(256, 0.75f, true);

    /** Adds addresses for a peer (any {@code /p2p/<id>} suffix is removed); newest first, bounded. */
    public synchronized void addAddresses(PeerId peer, Collection<Multiaddr> addresses) {
        Entry entry = entry(peer);
        LinkedHashSet<Multiaddr> merged = new LinkedHashSet<>();
        for (Multiaddr address : addresses) {
            merged.add(address.withoutPeerId());
        }
        merged.addAll(entry.addresses);
        entry.addresses = limit(merged, MAX_ADDRESSES_PER_PEER);
    }

    /** Replaces the addresses of a peer (identify's certified or announced listen addresses). */
    public synchronized void replaceAddresses(PeerId peer, Collection<Multiaddr> addresses) {
        Entry entry = entry(peer);
        LinkedHashSet<Multiaddr> fresh = new LinkedHashSet<>();
        for (Multiaddr address : addresses) {
            fresh.add(address.withoutPeerId());
        }
        entry.addresses = limit(fresh, MAX_ADDRESSES_PER_PEER);
    }

    /** Replaces the protocol list of a peer, as identify does; over-long ids are dropped. */
    public synchronized void replaceProtocols(PeerId peer, Collection<String> protocols) {
        LinkedHashSet<String> kept = new LinkedHashSet<>();
        for (String protocol : protocols) {
            if (protocol != null && !protocol.isEmpty() && protocol.length() <= MAX_PROTOCOL_LENGTH) {
                kept.add(protocol);
            }
        }
        entry(peer).protocols = limit(kept, MAX_PROTOCOLS_PER_PEER);
    }

    /** Records the public key of a peer. The key must belong to the peer id. */
    public synchronized void setPublicKey(PeerId peer, PublicKey key) {
        if (!key.peerId().equals(peer)) {
            throw new IllegalArgumentException("public key of " + key.peerId() + " does not belong to " + peer);
        }
        entry(peer).publicKey = key;
    }

    /** Records the agent and protocol version strings a peer sent in identify (either may be null). */
    public synchronized void setVersions(PeerId peer, String agentVersion, String protocolVersion) {
        Entry entry = entry(peer);
        if (agentVersion != null) {
            entry.agentVersion = agentVersion;
        }
        if (protocolVersion != null) {
            entry.protocolVersion = protocolVersion;
        }
    }

    /** What is known about a peer, if anything. */
    public synchronized Optional<PeerRecordView> get(PeerId peer) {
        Entry entry = peers.get(peer);
        return entry == null ? Optional.empty() : Optional.of(entry.view(peer));
    }

    /** The known addresses of a peer (empty when unknown). */
    public synchronized List<Multiaddr> addresses(PeerId peer) {
        Entry entry = peers.get(peer);
        return entry == null ? List.of() : List.copyOf(entry.addresses);
    }

    /** The protocols a peer said it supports (empty when unknown). */
    public synchronized List<String> protocols(PeerId peer) {
        Entry entry = peers.get(peer);
        return entry == null ? List.of() : List.copyOf(entry.protocols);
    }

    /** Every peer currently remembered. */
    public synchronized List<PeerId> peers() {
        return List.copyOf(peers.keySet());
    }

    /** Forgets a peer. */
    public synchronized void remove(PeerId peer) {
        peers.remove(peer);
    }

    /** How many peers are remembered. */
    public synchronized int size() {
        return peers.size();
    }

    private Entry entry(PeerId peer) {
        Entry entry = peers.get(peer);
        if (entry == null) {
            if (peers.size() >= MAX_PEERS) {
                // Access order: the first key is the least recently used peer.
                PeerId eldest = peers.keySet().iterator().next();
                peers.remove(eldest);
            }
            entry = new Entry();
            peers.put(peer, entry);
        }
        return entry;
    }

    private static <T> List<T> limit(Set<T> values, int max) {
        List<T> list = new ArrayList<>(values);
        return list.size() <= max ? list : new ArrayList<>(list.subList(0, max));
    }

    private static final class Entry {
        List<Multiaddr> addresses = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        PublicKey publicKey;
        String agentVersion;
        String protocolVersion;

        PeerRecordView view(PeerId peer) {
            return new PeerRecordView(peer, addresses, protocols, Optional.ofNullable(publicKey),
                    Optional.ofNullable(agentVersion), Optional.ofNullable(protocolVersion));
        }
    }
}
