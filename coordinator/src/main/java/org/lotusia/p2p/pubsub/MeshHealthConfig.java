package org.lotusia.p2p.pubsub;

import java.time.Duration;
import java.util.Objects;

/**
 * How the coordinator's {@link MeshHealthMonitor} checks the GossipSub mesh of each subscribed topic.
 *
 * @param enabled       whether the periodic check runs ({@link MeshHealthMonitor#checkNow()} works either way)
 * @param checkInterval time between periodic checks (the reference's {@code healthCheckInterval}, 30 s)
 * @param minMeshPeers  a topic is healthy with at least this many mesh peers; 0 means the router's
 *                      {@code Dlo} (4 by default), below which GossipSub itself considers the mesh too small
 */
public record MeshHealthConfig(boolean enabled, Duration checkInterval, int minMeshPeers) {
    /** The default check interval, as the reference's monitor. */
    public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(30);

    /** Validates. */
    public MeshHealthConfig {
        Objects.requireNonNull(checkInterval, "checkInterval");
        if (checkInterval.isNegative() || checkInterval.isZero()) {
            throw new IllegalArgumentException("checkInterval must be positive: " + checkInterval);
        }
        if (minMeshPeers < 0) {
            throw new IllegalArgumentException("minMeshPeers must not be negative: " + minMeshPeers);
        }
    }

    /** Enabled, every {@link #DEFAULT_CHECK_INTERVAL}, threshold {@code Dlo}. */
    public static MeshHealthConfig defaults() {
        return new MeshHealthConfig(true, DEFAULT_CHECK_INTERVAL, 0);
    }

    /** No periodic checks. */
    public static MeshHealthConfig disabled() {
        return new MeshHealthConfig(false, DEFAULT_CHECK_INTERVAL, 0);
    }

    /** A copy with another interval. */
    public MeshHealthConfig withCheckInterval(Duration interval) {
        return new MeshHealthConfig(enabled, interval, minMeshPeers);
    }

    /** A copy with another threshold (0: the router's {@code Dlo}). */
    public MeshHealthConfig withMinMeshPeers(int min) {
        return new MeshHealthConfig(enabled, checkInterval, min);
    }

    /** The threshold given the router's {@code dlo}. */
    public int requiredPeers(int dlo) {
        return minMeshPeers > 0 ? minMeshPeers : dlo;
    }
}
