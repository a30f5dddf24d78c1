package org.lotusia.libp2p.pubsub;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.ToDoubleFunction;

import static org.lotusia.libp2p.pubsub.TopicScoreParams.require;

/**
 * Global parameters of the gossipsub v1.1 peer score (P5–P7, decay, retention) and the topic
 * parameters (P1–P4). Build with {@link #builder()}, which starts from js-libp2p's
 * {@code defaultPeerScoreParams} except for {@link #defaultTopicParams()} and for exempting loopback
 * addresses from the IP colocation factor (js penalises more than ten peers on 127.0.0.1, which only
 * ever happens in local tests and benchmarks, where it would graylist a hub's peers).
 *
 * @param topics                       parameters of individual topics
 * @param defaultTopicParams           parameters of topics not in {@code topics}; null scores such topics not at all
 *                                     (js's behaviour). The default is {@link TopicScoreParams#invalidMessagesOnly()},
 *                                     so that invalid messages cost their sender on every topic
 * @param topicScoreCap                cap of the summed topic scores (0: no cap)
 * @param appSpecificScore             P5, the application's opinion of a peer
 * @param appSpecificWeight            P5 weight
 * @param ipColocationFactorWeight     P6 weight (≤ 0)
 * @param ipColocationFactorThreshold  P6: more peers than this on one IP are penalised by the squared surplus
 * @param ipColocationFactorWhitelist  IPs or CIDR ranges ({@code 10.0.0.0/8}) exempt from P6 (default: loopback)
 * @param behaviourPenaltyWeight       P7 weight (≤ 0), applied to the squared excess over the threshold
 * @param behaviourPenaltyThreshold    P7 threshold
 * @param behaviourPenaltyDecay        P7 decay factor in (0, 1)
 * @param decayInterval                how often counters decay
 * @param decayToZero                  decayed counters below this become zero
 * @param retainScore                  how long the score of a disconnected peer is remembered
 */
public record PeerScoreParams(Map<String, TopicScoreParams> topics, TopicScoreParams defaultTopicParams,
                              double topicScoreCap, ToDoubleFunction<PeerId> appSpecificScore,
                              double appSpecificWeight, double ipColocationFactorWeight,
                              double ipColocationFactorThreshold, Set<String> ipColocationFactorWhitelist,
                              double behaviourPenaltyWeight, double behaviourPenaltyThreshold,
                              double behaviourPenaltyDecay, Duration decayInterval, double decayToZero,
                              Duration retainScore) {

    /** IPv4 loopback range, exempt from P6 by default. */
    public static final String LOOPBACK_V4 = "127.0.0.0/8";
    /** IPv6 loopback, exempt from P6 by default. */
    public static final String LOOPBACK_V6 = "::1";

    /** Copies the collections and validates the parameters as js does. */
    public PeerScoreParams {
        topics = Map.copyOf(topics);
        ipColocationFactorWhitelist = Set.copyOf(ipColocationFactorWhitelist);
        Objects.requireNonNull(appSpecificScore, "appSpecificScore");
        Objects.requireNonNull(decayInterval, "decayInterval");
        Objects.requireNonNull(retainScore, "retainScore");
        require(topicScoreCap >= 0, "topicScoreCap must be >= 0");
        require(ipColocationFactorWeight <= 0, "ipColocationFactorWeight must be <= 0");
        require(ipColocationFactorWeight == 0 || ipColocationFactorThreshold >= 1,
                "ipColocationFactorThreshold must be at least 1");
        require(behaviourPenaltyWeight <= 0, "behaviourPenaltyWeight must be <= 0");
        require(behaviourPenaltyWeight == 0 || (behaviourPenaltyDecay > 0 && behaviourPenaltyDecay < 1),
                "behaviourPenaltyDecay must be in (0,1)");
        require(decayInterval.toMillis() >= 1, "decayInterval must be positive");
        require(decayToZero > 0 && decayToZero < 1, "decayToZero must be in (0,1)");
        for (String entry : ipColocationFactorWhitelist) {
            IpRange.parse(entry);
        }
    }

    /** The parameters of {@code topic}, or null if it is not scored. */
    public TopicScoreParams topicParams(String topic) {
        TopicScoreParams params = topics.get(topic);
        return params != null ? params : defaultTopicParams;
    }

    /** The defaults (see the class comment). */
    public static PeerScoreParams defaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these parameters. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.topics = topics; b.defaultTopicParams = defaultTopicParams; b.topicScoreCap = topicScoreCap;
        b.appSpecificScore = appSpecificScore; b.appSpecificWeight = appSpecificWeight;
        b.ipColocationFactorWeight = ipColocationFactorWeight; b.ipColocationFactorThreshold = ipColocationFactorThreshold;
        b.ipColocationFactorWhitelist = ipColocationFactorWhitelist; b.behaviourPenaltyWeight = behaviourPenaltyWeight;
        b.behaviourPenaltyThreshold = behaviourPenaltyThreshold; b.behaviourPenaltyDecay = behaviourPenaltyDecay;
        b.decayInterval = decayInterval; b.decayToZero = decayToZero; b.retainScore = retainScore;
        return b;
    }

    /** Builds {@link PeerScoreParams}. */
    public static final class Builder {
        private Map<String, TopicScoreParams> topics = Map.of();
        private TopicScoreParams defaultTopicParams = TopicScoreParams.invalidMessagesOnly();
        private double topicScoreCap = 10;
        private ToDoubleFunction<PeerId> appSpecificScore = peer -> 0;
        private double appSpecificWeight = 10;
        private double ipColocationFactorWeight = -5;
        private double ipColocationFactorThreshold = 10;
        private Set<String> ipColocationFactorWhitelist = Set.of(LOOPBACK_V4, LOOPBACK_V6);
        private double behaviourPenaltyWeight = -10;
        private double behaviourPenaltyThreshold = 0;
        private double behaviourPenaltyDecay = 0.2;
        private Duration decayInterval = Duration.ofSeconds(1);
        private double decayToZero = 0.1;
        private Duration retainScore = Duration.ofHours(1);

        private Builder() {
        }

        /** Parameters per topic. */
        public Builder topics(Map<String, TopicScoreParams> topics) {
            this.topics = topics;
            return this;
        }

        /** Parameters of topics without their own (null: such topics are not scored, as in js). */
        public Builder defaultTopicParams(TopicScoreParams params) {
            this.defaultTopicParams = params;
            return this;
        }

        /** Cap of the summed topic scores. */
        public Builder topicScoreCap(double cap) {
            this.topicScoreCap = cap;
            return this;
        }

        /** P5: the application's score function (called on the router thread) and its weight. */
        public Builder appSpecificScore(ToDoubleFunction<PeerId> score, double weight) {
            this.appSpecificScore = score;
            this.appSpecificWeight = weight;
            return this;
        }

        /** P6: weight, threshold and exempt IPs / CIDR ranges. */
        public Builder ipColocationFactor(double weight, double threshold, Set<String> whitelist) {
            this.ipColocationFactorWeight = weight;
            this.ipColocationFactorThreshold = threshold;
            this.ipColocationFactorWhitelist = whitelist;
            return this;
        }

        /** P7: weight, threshold and decay. */
        public Builder behaviourPenalty(double weight, double threshold, double decay) {
            this.behaviourPenaltyWeight = weight;
            this.behaviourPenaltyThreshold = threshold;
            this.behaviourPenaltyDecay = decay;
            return this;
        }

        /** Decay interval and the value below which counters become zero. */
        public Builder decay(Duration interval, double toZero) {
            this.decayInterval = interval;
            this.decayToZero = toZero;
            return this;
        }

        /** How long a disconnected peer's score is remembered. */
        public Builder retainScore(Duration retain) {
            this.retainScore = retain;
            return this;
        }

        /** Builds and validates the parameters. */
        public PeerScoreParams build() {
            return new PeerScoreParams(topics, defaultTopicParams, topicScoreCap, appSpecificScore, appSpecificWeight,
                    ipColocationFactorWeight, ipColocationFactorThreshold, ipColocationFactorWhitelist,
                    behaviourPenaltyWeight, behaviourPenaltyThreshold, behaviourPenaltyDecay, decayInterval,
                    decayToZero, retainScore);
        }
    }
}
