package org.lotusia.libp2p.pubsub;

import static org.lotusia.libp2p.pubsub.TopicScoreParams.require;

/**
 * Score thresholds of gossipsub v1.1 (defaults as js-libp2p).
 *
 * @param gossipThreshold             below this no gossip is sent to a peer and its IHAVE/IWANT are ignored (≤ 0)
 * @param publishThreshold            below this a peer gets none of our own messages (≤ gossipThreshold)
 * @param graylistThreshold           below this every RPC of a peer is ignored (≤ publishThreshold)
 * @param acceptPXThreshold           PX in a PRUNE is followed only from peers at least this good (≥ 0)
 * @param opportunisticGraftThreshold a mesh whose median score is below this gets better peers grafted (≥ 0)
 */
public record PeerScoreThresholds(double gossipThreshold, double publishThreshold, double graylistThreshold,
                                  double acceptPXThreshold, double opportunisticGraftThreshold) {

    /** Validates the ordering of the thresholds. */
    public PeerScoreThresholds {
        require(gossipThreshold <= 0, "gossipThreshold must be <= 0");
        require(publishThreshold <= gossipThreshold, "publishThreshold must be <= gossipThreshold");
        require(graylistThreshold <= publishThreshold, "graylistThreshold must be <= publishThreshold");
        require(acceptPXThreshold >= 0, "acceptPXThreshold must be >= 0");
        require(opportunisticGraftThreshold >= 0, "opportunisticGraftThreshold must be >= 0");
    }

    /** js's defaults: −10, −50, −80, 10, 20. */
    public static PeerScoreThresholds defaults() {
        return new PeerScoreThresholds(-10, -50, -80, 10, 20);
    }
}
