package org.lotusia.libp2p.nat;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiformatException;
import org.lotusia.libp2p.protocols.identify.pb.IdentifyProto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Our own addresses as other peers see them, learned from the {@code observedAddr} of their identify
 * messages. An address counts once {@code minObservers} distinct peers reported it over direct
 * connections. Bounded: the most recent {@value #MAX_ADDRESSES} addresses are kept. Thread-safe.
 */
public final class ObservedAddresses implements AutoCloseable {
    /** Distinct observed addresses kept. */
    public static final int MAX_ADDRESSES = 16;

    private final Host host;
    private final int minObservers;
    private final Map<Multiaddr, Set<PeerId>> observers = new LinkedHashMap<>();
    private final HostListener listener = new HostListener() {
        @Override
        public void peerIdentified(PeerId peer, PeerRecordView info) {
            record(peer);
        }
    };

    /** Follows identify on {@code host}; an address needs {@code minObservers} (≥ 1) distinct reporters. */
    public ObservedAddresses(Host host, int minObservers) {
        if (minObservers < 1) {
            throw new IllegalArgumentException("minObservers must be at least 1");
        }
        this.host = host;
        this.minObservers = minObservers;
        host.addListener(listener);
    }

    private void record(PeerId peer) {
        CompletableFuture<IdentifyProto.Identify> identify = host.identifyService().identification(peer).orElse(null);
        if (identify != null) {
            // the event can run just before the exchange's future completes on the I/O thread
            identify.thenAccept(message -> record(peer, message));
        }
    }

    private void record(PeerId peer, IdentifyProto.Identify message) {
        if (!message.hasObservedAddr()) {
            return;
        }
        boolean direct = host.connections().stream()
                .anyMatch(c -> c.remotePeer().equals(peer) && !NatAddresses.isRelayed(c.remoteAddress()));
        Multiaddr observed;
        try {
            observed = Multiaddr.fromBytes(message.getObservedAddr().toByteArray());
        } catch (MultiformatException e) {
            return;
        }
        if (!direct || NatAddresses.tcpSocket(observed).isEmpty()) {
            return;
        }
        add(observed.withoutPeerId(), peer);
    }

    /** Records that {@code observer} saw us at {@code address}. */
    public synchronized void add(Multiaddr address, PeerId observer) {
        Set<PeerId> seen = observers.remove(address);
        if (seen == null) {
            seen = ConcurrentHashMap.newKeySet();
        }
        if (seen.size() < 64) {
            seen.add(observer);
        }
        observers.put(address, seen); // most recent last
        while (observers.size() > MAX_ADDRESSES) {
            observers.remove(observers.keySet().iterator().next());
        }
    }

    /** Addresses reported by at least {@code minObservers} peers, most recently reported first. */
    public synchronized List<Multiaddr> confirmed() {
        List<Multiaddr> out = new ArrayList<>();
        observers.forEach((address, seen) -> {
            if (seen.size() >= minObservers) {
                out.add(0, address);
            }
        });
        return out;
    }

    /** Every address reported by anyone, most recent first. */
    public synchronized List<Multiaddr> all() {
        List<Multiaddr> out = new ArrayList<>(observers.keySet());
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public void close() {
        host.removeListener(listener);
    }
}
