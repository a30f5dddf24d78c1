package org.lotusia.p2p.pubsub;

import java.time.Instant;
import java.util.Objects;

/**
 * The result of one mesh health check of a subscribed topic.
 *
 * @param topic      the topic
 * @param meshPeers  peers in our mesh for the topic
 * @param topicPeers peers known to subscribe to the topic
 * @param required   the threshold
 * @param checkedAt  when the check ran
 */
public record TopicMeshHealth(String topic, int meshPeers, int topicPeers, int required, Instant checkedAt) {
    /** Validates. */
    public TopicMeshHealth {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(checkedAt, "checkedAt");
    }

    /** Whether {@code meshPeers >= required}. */
    public boolean isHealthy() {
        return meshPeers >= required;
    }
}
