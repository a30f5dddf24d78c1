package org.lotusia.p2p.events;

import java.time.Instant;
import java.util.Objects;

/**
 * The GossipSub mesh of a subscribed topic changed health, as seen by the coordinator's mesh health
 * monitor: {@link EventType#MESH_HEALTHY} the first time a topic is found healthy,
 * {@link EventType#MESH_UNHEALTHY} when it is found below the threshold (first check or after being
 * healthy), {@link EventType#MESH_RECOVERED} when an unhealthy topic is healthy again. Unlike the
 * reference's monitor, {@code meshPeers} is the router's real mesh, not the subscriber count.
 *
 * @param status     which of the three transitions this is
 * @param topic      the topic
 * @param meshPeers  peers in our mesh for the topic at the check
 * @param topicPeers peers known to subscribe to the topic at the check
 * @param required   the threshold: healthy means {@code meshPeers >= required}
 * @param timestamp  when the check ran
 */
public record MeshHealthEvent(Status status, String topic, int meshPeers, int topicPeers, int required,
                              Instant timestamp) implements P2PEvent {
    /** The kind of transition. */
    public enum Status {
        /** First check of the topic found it healthy. */
        HEALTHY,
        /** The mesh is below the threshold (first check, or it was healthy before). */
        UNHEALTHY,
        /** The mesh was unhealthy and is healthy again. */
        RECOVERED
    }

    /** Validates. */
    public MeshHealthEvent {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** Whether the mesh met the threshold at the check. */
    public boolean isHealthy() {
        return status != Status.UNHEALTHY;
    }

    @Override
    public EventType<MeshHealthEvent> type() {
        return switch (status) {
            case HEALTHY -> EventType.MESH_HEALTHY;
            case UNHEALTHY -> EventType.MESH_UNHEALTHY;
            case RECOVERED -> EventType.MESH_RECOVERED;
        };
    }
}
