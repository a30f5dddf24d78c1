package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.testing.ManualClock;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The v1.1 score components, decay and retention, driven by a {@link ManualClock}. */
class PeerScoreTest {
    private static final String TOPIC = "scored";
    private static final Duration SECOND = Duration.ofSeconds(1);

    private final ManualClock clock = new ManualClock();
    private final PeerId alice = Keys.generateEd25519().publicKey().peerId();
    private final PeerId bob = Keys.generateEd25519().publicKey().peerId();

    /** Only the component under test is weighted. */
    private static TopicScoreParams.Builder silentTopic() {
        return TopicScoreParams.builder().topicWeight(1).timeInMesh(0, SECOND, 1).firstMessageDeliveries(0, 0.5, 1)
                .meshMessageDeliveries(0, 0.5, 1, 1, Duration.ZERO, SECOND).meshFailurePenalty(0, 0.5)
                .invalidMessageDeliveries(0, 0.5);
    }

    private PeerScore score(TopicScoreParams topic, PeerScoreParams.Builder global) {
        PeerScoreParams params = global.topics(Map.of(TOPIC, topic)).defaultTopicParams(null)
                .ipColocationFactor(0, 1, Set.of()).behaviourPenalty(0, 0, 0.5).build();
        return new PeerScore(params, PeerScoreThresholds.defaults(), clock);
    }

    private PeerScore score(TopicScoreParams topic) {
        return score(topic, PeerScoreParams.builder());
    }

    private void tick(PeerScore score, int seconds) {
        for (int i = 0; i < seconds; i++) {
            clock.advance(SECOND);
            score.heartbeat();
        }
    }

    private static ByteString id(int n) {
        return ByteString.copyFromUtf8("msg-" + n);
    }

    @Test
    void timeInMeshGrowsWhileInTheMeshUpToItsCap() {
        PeerScore score = score(silentTopic().timeInMesh(0.5, SECOND, 10).build());
        score.peerAdded(alice, "10.0.0.1");
        score.graft(alice, TOPIC);
        tick(score, 4);
        assertThat(score.score(alice)).isCloseTo(2.0, within(1e-9));
        tick(score, 100);
        assertThat(score.score(alice)).isCloseTo(5.0, within(1e-9));
        score.prune(alice, TOPIC);
        assertThat(score.score(alice)).isZero();
    }

    @Test
    void firstDeliveriesCountCappedAndDecay() {
        PeerScore score = score(silentTopic().firstMessageDeliveries(2, 0.5, 3).build());
        score.peerAdded(alice, "10.0.0.1");
        score.peerAdded(bob, "10.0.0.2");
        for (int i = 0; i < 5; i++) {
            score.validationStarted(alice, id(i), TOPIC);
            score.duplicateMessage(bob, id(i), TOPIC);
            score.messageAccepted(alice, id(i), TOPIC);
        }
        assertThat(score.score(alice)).isCloseTo(6.0, within(1e-9)); // cap 3 × weight 2
        assertThat(score.score(bob)).as("duplicates earn no first-delivery credit").isZero();
        tick(score, 1);
        assertThat(score.score(alice)).isCloseTo(3.0, within(1e-9));
        tick(score, 4);
        // 3 × 0.5^5 = 0.09375 < decayToZero 0.1 → 0
        assertThat(score.score(alice)).isZero();
    }

    @Test
    void meshDeliveryDeficitAppliesAfterActivationAndBecomesAFailurePenaltyOnPrune() {
        TopicScoreParams topic = silentTopic()
                .meshMessageDeliveries(-1, 0.9, 10, 4, Duration.ofMillis(50), Duration.ofSeconds(3))
                .meshFailurePenalty(-0.5, 0.5).build();
        PeerScore score = score(topic);
        score.peerAdded(alice, "10.0.0.1");
        score.peerAdded(bob, "10.0.0.2");
        score.graft(alice, TOPIC);
        score.graft(bob, TOPIC);
        tick(score, 2);
        assertThat(score.score(alice)).as("not active yet").isZero();
        // Bob delivers one message first, Alice a duplicate within the window: both count as mesh deliveries.
        score.validationStarted(bob, id(1), TOPIC);
        score.messageAccepted(bob, id(1), TOPIC);
        clock.advanceMillis(10);
        score.duplicateMessage(alice, id(1), TOPIC);
        // A duplicate after the window does not count.
        score.validationStarted(bob, id(2), TOPIC);
        score.messageAccepted(bob, id(2), TOPIC);
        clock.advanceMillis(100);
        score.duplicateMessage(alice, id(2), TOPIC);
        clock.advanceMillis(2000 - 110);
        // Active now: deficit (4 - deliveries)², weight −1.
        assertThat(score.score(alice)).isCloseTo(-9.0, within(1e-9));
        assertThat(score.score(bob)).isCloseTo(-4.0, within(1e-9));
        score.prune(alice, TOPIC);
        // P3b keeps the squared deficit at its own weight and decay.
        assertThat(score.score(alice)).isCloseTo(-4.5, within(1e-9));
        // The heartbeat catches up with the two intervals since the last one (0.5²).
        score.heartbeat();
        assertThat(score.score(alice)).isCloseTo(-1.125, within(1e-9));
    }

    @Test
    void invalidMessagesAreSquaredAndChargeEveryoneWhoForwardedAReject() {
        PeerScore score = score(silentTopic().invalidMessageDeliveries(-2, 0.5).build());
        score.peerAdded(alice, "10.0.0.1");
        score.peerAdded(bob, "10.0.0.2");
        score.invalidMessage(alice, TOPIC); // bad signature: only the sender
        assertThat(score.score(alice)).isCloseTo(-2.0, within(1e-9));
        score.validationStarted(alice, id(1), TOPIC);
        score.duplicateMessage(bob, id(1), TOPIC);
        score.messageRejected(alice, id(1), TOPIC);
        assertThat(score.score(alice)).isCloseTo(-8.0, within(1e-9)); // 2² × −2
        assertThat(score.score(bob)).isCloseTo(-2.0, within(1e-9));
        // A late copy of a rejected message costs its sender too.
        PeerId carol = Keys.generateEd25519().publicKey().peerId();
        score.peerAdded(carol, "10.0.0.3");
        score.duplicateMessage(carol, id(1), TOPIC);
        assertThat(score.score(carol)).isCloseTo(-2.0, within(1e-9));
        // Ignored messages cost nothing.
        score.validationStarted(carol, id(2), TOPIC);
        score.messageIgnored(carol, id(2), TOPIC);
        assertThat(score.score(carol)).isCloseTo(-2.0, within(1e-9));
        tick(score, 1);
        assertThat(score.score(alice)).isCloseTo(-2.0, within(1e-9)); // (2 × 0.5)² × −2
        tick(score, 4);
        assertThat(score.score(alice)).isZero(); // 1 → 0.5 → 0.25 → 0.125 → 0.0625 < 0.1 → 0
    }

    @Test
    void topicScoresAreWeightedAndCapped() {
        TopicScoreParams topic = silentTopic().topicWeight(2).firstMessageDeliveries(1, 0.5, 100).build();
        PeerScore score = score(topic, PeerScoreParams.builder().topicScoreCap(10));
        score.peerAdded(alice, "10.0.0.1");
        for (int i = 0; i < 3; i++) {
            score.validationStarted(alice, id(i), TOPIC);
            score.messageAccepted(alice, id(i), TOPIC);
        }
        assertThat(score.score(alice)).isCloseTo(6.0, within(1e-9));
        for (int i = 3; i < 20; i++) {
            score.validationStarted(alice, id(i), TOPIC);
            score.messageAccepted(alice, id(i), TOPIC);
        }
        assertThat(score.score(alice)).isCloseTo(10.0, within(1e-9));
    }

    @Test
    void appSpecificIpColocationAndBehaviourPenalty() {
        PeerScoreParams params = PeerScoreParams.builder().defaultTopicParams(null)
                .appSpecificScore(peer -> peer.equals(alice) ? 3 : 0, 2)
                .ipColocationFactor(-1, 2, Set.of("192.168.0.0/16"))
                .behaviourPenalty(-4, 1, 0.5).build();
        PeerScore score = new PeerScore(params, PeerScoreThresholds.defaults(), clock);
        score.peerAdded(alice, "10.0.0.1");
        assertThat(score.score(alice)).isCloseTo(6.0, within(1e-9));
        // Four peers on one IP: surplus 2 over the threshold 2 → −1 × 2² each.
        PeerId[] crowd = new PeerId[4];
        for (int i = 0; i < crowd.length; i++) {
            crowd[i] = Keys.generateEd25519().publicKey().peerId();
            score.peerAdded(crowd[i], "10.9.9.9");
        }
        assertThat(score.score(crowd[0])).isCloseTo(-4.0, within(1e-9));
        score.peerRemoved(crowd[3]);
        assertThat(score.score(crowd[0])).isCloseTo(-1.0, within(1e-9));
        // The same crowd on a whitelisted range is fine.
        for (int i = 0; i < 5; i++) {
            score.peerAdded(Keys.generateEd25519().publicKey().peerId(), "192.168.1.7");
        }
        PeerId local = Keys.generateEd25519().publicKey().peerId();
        score.peerAdded(local, "192.168.1.7");
        assertThat(score.score(local)).isZero();
        // Behaviour penalty: (3 − threshold 1)² × −4, decaying by half per interval.
        score.peerAdded(bob, "10.0.0.2");
        score.behaviourPenalty(bob, 3);
        assertThat(score.score(bob)).isCloseTo(-16.0, within(1e-9));
        tick(score, 1);
        assertThat(score.score(bob)).isCloseTo(-1.0, within(1e-9)); // 1.5 − 1 = 0.5 → 0.25 × −4
        tick(score, 1);
        assertThat(score.score(bob)).isZero();
    }

    @Test
    void decayHappensOncePerIntervalNotPerHeartbeat() {
        PeerScoreParams.Builder global = PeerScoreParams.builder().decay(Duration.ofSeconds(2), 0.01);
        PeerScore score = score(silentTopic().invalidMessageDeliveries(-1, 0.5).build(), global);
        score.peerAdded(alice, "10.0.0.1");
        score.invalidMessage(alice, TOPIC);
        score.invalidMessage(alice, TOPIC);
        clock.advanceMillis(500);
        score.heartbeat();
        score.heartbeat();
        clock.advanceMillis(1000);
        score.heartbeat();
        assertThat(score.score(alice)).isCloseTo(-4.0, within(1e-9));
        clock.advanceMillis(500);
        score.heartbeat();
        assertThat(score.score(alice)).isCloseTo(-1.0, within(1e-9));
        // A late heartbeat catches up with every interval missed.
        clock.advanceMillis(4000);
        score.heartbeat();
        assertThat(score.score(alice)).isCloseTo(-1.0 / 16, within(1e-9));
    }

    @Test
    void penaltiesOutliveADisconnectUntilRetentionEnds() {
        PeerScoreParams.Builder global = PeerScoreParams.builder().retainScore(Duration.ofSeconds(10));
        PeerScore score = score(silentTopic().invalidMessageDeliveries(-1, 0.9).build(), global);
        score.peerAdded(alice, "10.0.0.1");
        score.invalidMessage(alice, TOPIC);
        score.peerRemoved(alice);
        tick(score, 5);
        assertThat(score.score(alice)).as("retained, not decayed while away").isCloseTo(-1.0, within(1e-9));
        score.peerAdded(alice, "10.0.0.1");
        assertThat(score.score(alice)).isCloseTo(-1.0, within(1e-9));
        score.peerRemoved(alice);
        tick(score, 11);
        assertThat(score.score(alice)).isZero();
        assertThat(score.trackedPeers()).isZero();
        // A peer with a positive score is forgotten at once; one at zero is retained like any other.
        PeerScore rewarding = score(silentTopic().firstMessageDeliveries(1, 0.5, 10).build(), global);
        rewarding.peerAdded(bob, "10.0.0.2");
        rewarding.peerAdded(alice, "10.0.0.1");
        rewarding.validationStarted(bob, id(1), TOPIC);
        rewarding.messageAccepted(bob, id(1), TOPIC);
        rewarding.peerRemoved(bob);
        rewarding.peerRemoved(alice);
        assertThat(rewarding.trackedPeers()).isEqualTo(1);
    }

    @Test
    void defaultsScoreInvalidMessagesOnAnyTopicAndThresholdsAreJs() {
        PeerScore score = new PeerScore(PeerScoreParams.defaults(), PeerScoreThresholds.defaults(), clock);
        score.peerAdded(alice, "127.0.0.1");
        score.invalidMessage(alice, "any/topic");
        assertThat(score.score(alice)).isCloseTo(-10.0, within(1e-9));
        assertThat(score.gossipThreshold()).isEqualTo(-10);
        assertThat(score.publishThreshold()).isEqualTo(-50);
        assertThat(score.graylistThreshold()).isEqualTo(-80);
        assertThat(score.acceptPXThreshold()).isEqualTo(10);
        assertThat(score.opportunisticGraftThreshold()).isEqualTo(20);
        // Eleven peers on one IP: js's threshold 10 and weight −5 give the 11th −5 × 1² — except on loopback.
        PeerScore crowded = new PeerScore(PeerScoreParams.defaults(), PeerScoreThresholds.defaults(), clock);
        PeerId last = null;
        PeerId lastLocal = null;
        for (int i = 0; i < 11; i++) {
            last = Keys.generateEd25519().publicKey().peerId();
            crowded.peerAdded(last, "203.0.113.9");
            lastLocal = Keys.generateEd25519().publicKey().peerId();
            crowded.peerAdded(lastLocal, "127.0.0.1");
        }
        assertThat(crowded.score(last)).isCloseTo(-5.0, within(1e-9));
        assertThat(crowded.score(lastLocal)).isZero();
    }

    @Test
    void invalidParametersAreRefused() {
        assertThatThrownBy(() -> TopicScoreParams.builder().meshMessageDeliveries(1, 0.5, 1, 1, Duration.ZERO, SECOND).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerScoreParams.builder().behaviourPenalty(-1, 0, 1.5).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PeerScoreParams.builder().ipColocationFactor(-1, 1, Set.of("not-an-ip")).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PeerScoreThresholds(-10, -5, -80, 10, 20)).isInstanceOf(IllegalArgumentException.class);
    }
}
