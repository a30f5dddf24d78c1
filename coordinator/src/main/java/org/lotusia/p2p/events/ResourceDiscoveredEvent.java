package org.lotusia.p2p.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A resource record of another peer was fetched from the network, passed every check and entered the
 * local cache ({@code resource:discovered}; not in the reference, which has no such event).
 *
 * @param resourceType  the resource type
 * @param resourceId    the resource id
 * @param creatorPeerId who announced it (as written in the record)
 * @param data          the resource data
 * @param signed        whether it carried a valid signature of its creator
 * @param expiresAt     when it expires, if ever
 * @param timestamp     when it was cached
 */
public record ResourceDiscoveredEvent(String resourceType, String resourceId, String creatorPeerId, JsonNode data,
                                      boolean signed, Optional<Instant> expiresAt, Instant timestamp)
        implements P2PEvent {
    /** Validates. */
    public ResourceDiscoveredEvent {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(creatorPeerId, "creatorPeerId");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public EventType<ResourceDiscoveredEvent> type() {
        return EventType.RESOURCE_DISCOVERED;
    }
}
