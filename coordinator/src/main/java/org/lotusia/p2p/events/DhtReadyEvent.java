package org.lotusia.p2p.events;

import java.time.Instant;
import java.util.Objects;

/**
 * The DHT routing table got its first peer (reference {@code dht:ready}, declared there but never
 * emitted): lookups and puts can now reach the network, and queued announcements are sent.
 *
 * @param mode             {@code client} or {@code server}
 * @param routingTableSize peers in the routing table
 * @param timestamp        when it was noticed
 */
public record DhtReadyEvent(String mode, int routingTableSize, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public DhtReadyEvent {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<DhtReadyEvent> type() {
        return EventType.DHT_READY;
    }
}
