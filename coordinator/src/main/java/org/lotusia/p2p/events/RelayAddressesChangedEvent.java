package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Our relay addresses changed (reference {@code relay:addresses-available}). Declared for the relay
 * work (planned); this version never emits it.
 *
 * @param peerId             our peer id
 * @param reachableAddresses the addresses others can reach us at
 * @param relayAddresses     the {@code /p2p-circuit} addresses among them
 * @param timestamp          when they changed
 */
public record RelayAddressesChangedEvent(PeerId peerId, List<Multiaddr> reachableAddresses,
                                         List<Multiaddr> relayAddresses, Instant timestamp) implements P2PEvent {
    /** Validates and copies. */
    public RelayAddressesChangedEvent {
        Objects.requireNonNull(peerId, "peerId");
        reachableAddresses = List.copyOf(reachableAddresses);
        relayAddresses = List.copyOf(relayAddresses);
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<RelayAddressesChangedEvent> type() {
        return EventType.RELAY_ADDRESSES_CHANGED;
    }
}
