package org.lotusia.p2p.events;

import com.fasterxml.jackson.databind.JsonNode;
import org.lotusia.libp2p.crypto.PeerId;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * We announced a resource (reference {@code resource:announced}, payload {@code ResourceAnnouncement}):
 * emitted when {@code announceResource} has stored the record locally, before the network put completes.
 *
 * @param resourceType  the resource type
 * @param resourceId    the resource id
 * @param creatorPeerId who announced it
 * @param data          the resource data
 * @param createdAt     when it was created
 * @param expiresAt     when it expires, if ever
 */
public record ResourceAnnouncedEvent(String resourceType, String resourceId, PeerId creatorPeerId, JsonNode data,
                                     Instant createdAt, Optional<Instant> expiresAt) implements P2PEvent {
    /** Validates. */
    public ResourceAnnouncedEvent {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(creatorPeerId, "creatorPeerId");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }

    @Override
    public EventType<ResourceAnnouncedEvent> type() {
        return EventType.RESOURCE_ANNOUNCED;
    }

    /** Same as {@link #createdAt()}. */
    @Override
    public Instant timestamp() {
        return createdAt;
    }
}
