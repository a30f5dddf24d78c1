package org.lotusia.libp2p.pubsub;

import org.lotusia.libp2p.crypto.PeerId;

import java.util.HashMap;
import java.util.Map;

/**
 * A minimal {@link PeerScoring}: each invalid message costs {@code invalidMessageWeight} points, each
 * behaviour penalty its amount; the total decays by {@code decay} per heartbeat towards zero.
 * Penalties are kept for a while after a peer leaves, so reconnecting does not clear them.
 */
public final class SimplePeerScoring implements PeerScoring {
    private final double invalidMessageWeight;
    private final double decay;
    private final Map<PeerId, Double> penalties = new HashMap<>();

    /** Invalid message weight 10, decay 0.9 per heartbeat. */
    public SimplePeerScoring() {
        this(10, 0.9);
    }

    /** Custom weight (positive) and decay factor in (0, 1]. */
    public SimplePeerScoring(double invalidMessageWeight, double decay) {
        this.invalidMessageWeight = invalidMessageWeight;
        this.decay = decay;
    }

    @Override
    public double score(PeerId peer) {
        return -penalties.getOrDefault(peer, 0.0);
    }

    @Override
    public void invalidMessage(PeerId peer, String topic) {
        penalties.merge(peer, invalidMessageWeight, Double::sum);
    }

    @Override
    public void behaviourPenalty(PeerId peer, double amount) {
        penalties.merge(peer, amount, Double::sum);
    }

    @Override
    public void heartbeat() {
        penalties.replaceAll((peer, value) -> value * decay);
        penalties.values().removeIf(value -> value < 0.1);
        if (penalties.size() > 10_000) {
            penalties.clear();
        }
    }
}
