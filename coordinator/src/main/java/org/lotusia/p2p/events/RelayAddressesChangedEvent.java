package org.lotusia.p2p.events;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Our relay addresses changed ({@code relay:addresses-changed}, the guide's name; the reference code
 * emits {@code relay:addresses-available} and only for new addresses): a reservation was granted,
 * or one ended (relay gone, reservation expired), so addresses appeared or disappeared. Only
 * addresses backed by a live reservation are listed.
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
