package org.lotusia.p2p.events;

import java.time.Instant;
import java.util.Objects;

/**
 * A resource record from the network was rejected and not cached ({@code resource:rejected}; not in
 * the reference, which caches whatever parses): malformed, type or id not matching its key, expired,
 * a bad or missing signature, a listing that claims another creator, or refused by the security manager.
 *
 * @param key       the DHT key asked for ({@code resource:<type>:<id>}), or {@code resource:<type>:*} for a listing
 * @param source    where it came from: the responding provider's peer id, or {@code dht}
 * @param reason    why it was rejected
 * @param timestamp when
 */
public record ResourceRejectedEvent(String key, String source, String reason, Instant timestamp) implements P2PEvent {
    /** Validates. */
    public ResourceRejectedEvent {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<ResourceRejectedEvent> type() {
        return EventType.RESOURCE_REJECTED;
    }
}
