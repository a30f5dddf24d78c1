package org.lotusia.libp2p.pubsub;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-topic parameters of the gossipsub v1.1 peer score (P1–P4). Build with {@link #builder()}; the
 * builder starts from js-libp2p's {@code defaultTopicScoreParams}. Decays are applied once per
 * {@link PeerScoreParams#decayInterval()}; counters that decay below
 * {@link PeerScoreParams#decayToZero()} become zero.
 *
 * @param topicWeight                     weight of this topic's score in the total (≥ 0)
 * @param timeInMeshWeight                P1 weight (≥ 0)
 * @param timeInMeshQuantum               P1 time unit
 * @param timeInMeshCap                   P1 cap, in quanta
 * @param firstMessageDeliveriesWeight    P2 weight (≥ 0)
 * @param firstMessageDeliveriesDecay     P2 decay factor in (0, 1)
 * @param firstMessageDeliveriesCap       P2 counter cap
 * @param meshMessageDeliveriesWeight     P3 weight (≤ 0)
 * @param meshMessageDeliveriesDecay      P3 decay factor in (0, 1)
 * @param meshMessageDeliveriesCap        P3 counter cap
 * @param meshMessageDeliveriesThreshold  P3: fewer (decayed) mesh deliveries than this is a deficit
 * @param meshMessageDeliveriesWindow     P3: a duplicate counts as a mesh delivery if it arrives this soon after validation
 * @param meshMessageDeliveriesActivation P3 applies only after the peer has been this long in the mesh
 * @param meshFailurePenaltyWeight        P3b weight (≤ 0): the squared deficit kept when a peer leaves the mesh
 * @param meshFailurePenaltyDecay         P3b decay factor in (0, 1)
 * @param invalidMessageDeliveriesWeight  P4 weight (≤ 0), applied to the squared counter
 * @param invalidMessageDeliveriesDecay   P4 decay factor in (0, 1)
 */
public record TopicScoreParams(double topicWeight, double timeInMeshWeight, Duration timeInMeshQuantum,
                               double timeInMeshCap, double firstMessageDeliveriesWeight,
                               double firstMessageDeliveriesDecay, double firstMessageDeliveriesCap,
                               double meshMessageDeliveriesWeight, double meshMessageDeliveriesDecay,
                               double meshMessageDeliveriesCap, double meshMessageDeliveriesThreshold,
                               Duration meshMessageDeliveriesWindow, Duration meshMessageDeliveriesActivation,
                               double meshFailurePenaltyWeight, double meshFailurePenaltyDecay,
                               double invalidMessageDeliveriesWeight, double invalidMessageDeliveriesDecay) {

    /** Validates the parameters as js does. */
    public TopicScoreParams {
        Objects.requireNonNull(timeInMeshQuantum, "timeInMeshQuantum");
        Objects.requireNonNull(meshMessageDeliveriesWindow, "meshMessageDeliveriesWindow");
        Objects.requireNonNull(meshMessageDeliveriesActivation, "meshMessageDeliveriesActivation");
        require(topicWeight >= 0, "topicWeight must be >= 0");
        require(timeInMeshWeight >= 0, "timeInMeshWeight must be >= 0");
        require(timeInMeshWeight == 0 || (timeInMeshQuantum.toMillis() > 0 && timeInMeshCap > 0),
                "timeInMeshQuantum and timeInMeshCap must be positive");
        require(firstMessageDeliveriesWeight >= 0, "firstMessageDeliveriesWeight must be >= 0");
        require(firstMessageDeliveriesWeight == 0 || (decay(firstMessageDeliveriesDecay) && firstMessageDeliveriesCap > 0),
                "firstMessageDeliveriesDecay must be in (0,1) and firstMessageDeliveriesCap positive");
        require(meshMessageDeliveriesWeight <= 0, "meshMessageDeliveriesWeight must be <= 0");
        require(meshMessageDeliveriesWeight == 0 || (decay(meshMessageDeliveriesDecay) && meshMessageDeliveriesCap > 0
                        && meshMessageDeliveriesThreshold > 0 && meshMessageDeliveriesActivation.toMillis() >= 1000),
                "meshMessageDeliveries decay in (0,1), cap and threshold positive, activation >= 1 s");
        require(!meshMessageDeliveriesWindow.isNegative(), "meshMessageDeliveriesWindow must be >= 0");
        require(meshFailurePenaltyWeight <= 0, "meshFailurePenaltyWeight must be <= 0");
        require(meshFailurePenaltyWeight == 0 || decay(meshFailurePenaltyDecay), "meshFailurePenaltyDecay must be in (0,1)");
        require(invalidMessageDeliveriesWeight <= 0, "invalidMessageDeliveriesWeight must be <= 0");
        require(invalidMessageDeliveriesWeight == 0 || decay(invalidMessageDeliveriesDecay),
                "invalidMessageDeliveriesDecay must be in (0,1)");
    }

    private static boolean decay(double value) {
        return value > 0 && value < 1;
    }

    static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }

    /** js-libp2p's {@code defaultTopicScoreParams}. */
    public static TopicScoreParams defaults() {
        return builder().build();
    }

    /**
     * The topic parameters this library applies to topics without their own parameters: only invalid
     * messages (P4, weight −10, decay 0.9) and a small reward for first deliveries (P2, weight 1, cap 10),
     * so a quiet topic never costs a peer anything (no P3).
     */
    public static TopicScoreParams invalidMessagesOnly() {
        return builder().topicWeight(1).timeInMesh(0, Duration.ofSeconds(1), 1)
                .firstMessageDeliveries(1, 0.5, 10)
                .meshMessageDeliveries(0, 0.5, 1, 1, Duration.ZERO, Duration.ofSeconds(5))
                .meshFailurePenalty(0, 0.5)
                .invalidMessageDeliveries(-10, 0.9).build();
    }

    /** A builder starting from js's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link TopicScoreParams}. */
    public static final class Builder {
        private double topicWeight = 0.5;
        private double timeInMeshWeight = 1;
        private Duration timeInMeshQuantum = Duration.ofMillis(1);
        private double timeInMeshCap = 3600;
        private double firstMessageDeliveriesWeight = 1;
        private double firstMessageDeliveriesDecay = 0.5;
        private double firstMessageDeliveriesCap = 2000;
        private double meshMessageDeliveriesWeight = -1;
        private double meshMessageDeliveriesDecay = 0.5;
        private double meshMessageDeliveriesCap = 100;
        private double meshMessageDeliveriesThreshold = 20;
        private Duration meshMessageDeliveriesWindow = Duration.ofMillis(10);
        private Duration meshMessageDeliveriesActivation = Duration.ofSeconds(5);
        private double meshFailurePenaltyWeight = -1;
        private double meshFailurePenaltyDecay = 0.5;
        private double invalidMessageDeliveriesWeight = -1;
        private double invalidMessageDeliveriesDecay = 0.3;

        private Builder() {
        }

        /** Weight of the topic. */
        public Builder topicWeight(double weight) {
            this.topicWeight = weight;
            return this;
        }

        /** P1: weight, quantum and cap. */
        public Builder timeInMesh(double weight, Duration quantum, double cap) {
            this.timeInMeshWeight = weight;
            this.timeInMeshQuantum = quantum;
            this.timeInMeshCap = cap;
            return this;
        }

        /** P2: weight, decay and cap. */
        public Builder firstMessageDeliveries(double weight, double decay, double cap) {
            this.firstMessageDeliveriesWeight = weight;
            this.firstMessageDeliveriesDecay = decay;
            this.firstMessageDeliveriesCap = cap;
            return this;
        }

        /** P3: weight, decay, cap, threshold, window and activation. */
        public Builder meshMessageDeliveries(double weight, double decay, double cap, double threshold,
                                             Duration window, Duration activation) {
            this.meshMessageDeliveriesWeight = weight;
            this.meshMessageDeliveriesDecay = decay;
            this.meshMessageDeliveriesCap = cap;
            this.meshMessageDeliveriesThreshold = threshold;
            this.meshMessageDeliveriesWindow = window;
            this.meshMessageDeliveriesActivation = activation;
            return this;
        }

        /** P3b: weight and decay. */
        public Builder meshFailurePenalty(double weight, double decay) {
            this.meshFailurePenaltyWeight = weight;
            this.meshFailurePenaltyDecay = decay;
            return this;
        }

        /** P4: weight and decay. */
        public Builder invalidMessageDeliveries(double weight, double decay) {
            this.invalidMessageDeliveriesWeight = weight;
            this.invalidMessageDeliveriesDecay = decay;
            return this;
        }

        /** Builds and validates the parameters. */
        public TopicScoreParams build() {
            return new TopicScoreParams(topicWeight, timeInMeshWeight, timeInMeshQuantum, timeInMeshCap,
                    firstMessageDeliveriesWeight, firstMessageDeliveriesDecay, firstMessageDeliveriesCap,
                    meshMessageDeliveriesWeight, meshMessageDeliveriesDecay, meshMessageDeliveriesCap,
                    meshMessageDeliveriesThreshold, meshMessageDeliveriesWindow, meshMessageDeliveriesActivation,
                    meshFailurePenaltyWeight, meshFailurePenaltyDecay, invalidMessageDeliveriesWeight,
                    invalidMessageDeliveriesDecay);
        }
    }
}
