package org.lotusia.p2p.pubsub;

import org.lotusia.libp2p.testing.Poll;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.pubsub.GossipSubConfig;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.events.ErrorEvent;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;
import org.lotusia.p2p.events.MeshHealthEvent;
import org.lotusia.p2p.message.MessageFormatException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The coordinator's pub/sub API between real coordinators on 127.0.0.1. */
@ExtendWith(LeakDetectionExtension.class)
class TopicPubsubTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String TOPIC = "lotus/test-topic";
    private static final GossipSubConfig FAST = P2PConfig.DEFAULT_GOSSIPSUB.toBuilder()
            .heartbeatInterval(Duration.ofMillis(100)).build();

    private final List<P2PCoordinator> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(P2PCoordinator::close);
    }

    private P2PCoordinator node(MeshHealthConfig health) {
        P2PCoordinator node = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0")
                .enableGossipSub(true).gossipSubConfig(FAST).meshHealth(health).build());
        nodes.add(node);
        join(node.start());
        return node;
    }

    private P2PCoordinator node() {
        return node(MeshHealthConfig.disabled());
    }

    private static void connect(P2PCoordinator from, P2PCoordinator to) {
        join(from.connectToPeer(to.getStats().multiaddrs().get(0)));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Polls router state (GossipSub has no event for a remote subscription). */
    private static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        Poll.until(what, WAIT, condition);
    }

    private static Set<PeerId> topicPeers(P2PCoordinator node) {
        return join(node.getTopicPeers(TOPIC));
    }

    private static TopicMessage next(BlockingQueue<TopicMessage> queue) throws InterruptedException {
        TopicMessage m = queue.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(m).as("a message within " + WAIT).isNotNull();
        return m;
    }

    @Test
    void everyHandlerGetsTheMessageAndRemovingHandlersUnsubscribes() throws Exception {
        P2PCoordinator alice = node();
        P2PCoordinator bob = node();
        P2PCoordinator carol = node();
        connect(bob, alice);
        connect(carol, alice);

        BlockingQueue<TopicMessage> bob1 = new LinkedBlockingQueue<>();
        BlockingQueue<TopicMessage> bob2 = new LinkedBlockingQueue<>();
        BlockingQueue<TopicMessage> carolGot = new LinkedBlockingQueue<>();
        List<Thread> handlerThreads = new ArrayList<>();
        TopicSubscription first = bob.subscribeToTopic(TOPIC, bob1::add);
        TopicSubscription second = bob.subscribeToTopic(TOPIC, m -> {
            handlerThreads.add(Thread.currentThread());
            bob2.add(m);
        });
        TopicSubscription failing = carol.subscribeToTopic(TOPIC, m -> {
            throw new IllegalStateException("handler bug");
        });
        TopicSubscription carolSub = carol.subscribeToTopic(TOPIC, carolGot::add);
        assertThat(bob.getSubscribedTopics()).containsExactly(TOPIC);
        eventually("alice to see both subscribers", () -> topicPeers(alice).containsAll(Set.of(bob.peerId(), carol.peerId())));

        CompletableFuture<ErrorEvent> error = Events.waitForEvent(carol, EventType.ERROR, WAIT);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "announcement");
        body.put("content", "Hello, subscribers!");
        body.put("prices", List.of(100, 2.5));
        int recipients = join(alice.publishToTopic(TOPIC, body));
        assertThat(recipients).isEqualTo(2);

        TopicMessage atBob1 = next(bob1);
        TopicMessage atBob2 = next(bob2);
        TopicMessage atCarol = next(carolGot);
        assertThat(atBob1.topic()).isEqualTo(TOPIC);
        assertThat(atBob1.from()).isEqualTo(alice.peerId());
        assertThat(atBob1.receivedFrom()).contains(alice.peerId());
        assertThat(atBob1.text()).as("utf8(JSON.stringify(body))")
                .isEqualTo("{\"type\":\"announcement\",\"content\":\"Hello, subscribers!\",\"prices\":[100,2.5]}");
        assertThat(atBob1.data()).isEqualTo(TopicJson.encode(body));
        assertThat(atBob1.json().path("prices").get(1).asDouble()).isEqualTo(2.5);
        assertThat(atBob2.messageId()).isEqualTo(atBob1.messageId());
        assertThat(atCarol.messageId()).as("the same message id on every node").isEqualTo(atBob1.messageId())
                .isNotEmpty().doesNotContain("=");
        assertThat(handlerThreads.get(0).getName()).as("handlers run on the coordinator's event thread")
                .startsWith("lotus-p2p-events-");
        ErrorEvent reported = join(error);
        assertThat(reported.error()).hasMessage("handler bug");
        assertThat(reported.context()).contains(TOPIC);
        assertThat(failing.isActive()).isTrue();

        // Removing one handler leaves the other (and the subscription) in place.
        first.close();
        assertThat(first.isActive()).isFalse();
        assertThat(bob.getSubscribedTopics()).containsExactly(TOPIC);
        join(alice.publishToTopic(TOPIC, "second"));
        assertThat(next(bob2).json().asText()).isEqualTo("second");
        assertThat(next(carolGot).text()).isEqualTo("\"second\"");
        assertThat(bob1).as("the removed handler got nothing").isEmpty();

        // unsubscribeFromTopic drops every handler of the topic and leaves the topic.
        assertThat(bob.unsubscribeFromTopic(TOPIC)).isTrue();
        assertThat(bob.unsubscribeFromTopic(TOPIC)).isFalse();
        assertThat(second.isActive()).isFalse();
        assertThat(bob.getSubscribedTopics()).isEmpty();
        eventually("alice to forget bob's subscription", () -> !topicPeers(alice).contains(bob.peerId()));
        assertThat(join(alice.publishToTopic(TOPIC, Map.of("n", 3)))).isEqualTo(1);
        assertThat(next(carolGot).json().path("n").asInt()).isEqualTo(3);
        assertThat(bob2).isEmpty();

        // Closing the last handlers unsubscribes too.
        failing.close();
        assertThat(carol.getSubscribedTopics()).containsExactly(TOPIC);
        carolSub.close();
        assertThat(carol.getSubscribedTopics()).isEmpty();
        eventually("alice to forget carol's subscription", () -> topicPeers(alice).isEmpty());
        assertThat(join(alice.publishToTopic(TOPIC, "nobody"))).as("publishing to no peer succeeds, as the reference")
                .isZero();
    }

    @Test
    void rawBytesArriveUnchangedAndMeshPeersAreTheRealMesh() throws Exception {
        P2PCoordinator alice = node();
        P2PCoordinator bob = node();
        connect(alice, bob);
        BlockingQueue<TopicMessage> atBob = new LinkedBlockingQueue<>();
        bob.subscribeToTopic(TOPIC, atBob::add);
        BlockingQueue<TopicMessage> atAlice = new LinkedBlockingQueue<>();
        alice.subscribeToTopic(TOPIC, atAlice::add);
        eventually("a mesh between alice and bob", () -> join(alice.getMeshPeers(TOPIC)).contains(bob.peerId())
                && join(bob.getMeshPeers(TOPIC)).contains(alice.peerId()));
        assertThat(topicPeers(alice)).containsExactly(bob.peerId());

        byte[] raw = {(byte) 0xff, 0, 1, 2, (byte) 0xc3};
        assertThat(join(alice.publishToTopic(TOPIC, raw))).isEqualTo(1);
        TopicMessage m = next(atBob);
        assertThat(m.data()).isEqualTo(raw);
        assertThat(m.size()).isEqualTo(5);
        assertThat(m.jsonIfValid()).isEmpty();
        assertThatThrownBy(m::json).isInstanceOf(MessageFormatException.class);

        join(bob.publishToTopic(TOPIC, List.of(1, "two")));
        JsonNode json = next(atAlice).json();
        assertThat(json.toString()).isEqualTo("[1,\"two\"]");
        assertThat(atAlice).as("no echo of our own messages").isEmpty();
        assertThat(atBob).isEmpty();
    }

    @Test
    void meshHealthEventsFollowTheRealMesh() throws Exception {
        MeshHealthConfig health = new MeshHealthConfig(true, Duration.ofMillis(100), 2);
        P2PCoordinator alice = node(health);
        P2PCoordinator bob = node();
        P2PCoordinator carol = node();

        CompletableFuture<MeshHealthEvent> unhealthy = Events.waitForEvent(alice, EventType.MESH_UNHEALTHY, WAIT);
        alice.subscribeToTopic(TOPIC, m -> { });
        MeshHealthEvent alone = join(unhealthy);
        assertThat(alone.topic()).isEqualTo(TOPIC);
        assertThat(alone.meshPeers()).isZero();
        assertThat(alone.required()).isEqualTo(2);

        CompletableFuture<MeshHealthEvent> recovered = Events.waitForEvent(alice, EventType.MESH_RECOVERED, WAIT);
        bob.subscribeToTopic(TOPIC, m -> { });
        carol.subscribeToTopic(TOPIC, m -> { });
        connect(bob, alice);
        connect(carol, alice);
        MeshHealthEvent back = join(recovered);
        assertThat(back.meshPeers()).isEqualTo(2);
        assertThat(back.topicPeers()).isEqualTo(2);
        List<TopicMeshHealth> now = join(alice.checkMeshHealth());
        assertThat(now).singleElement().satisfies(r -> {
            assertThat(r.isHealthy()).isTrue();
            assertThat(r.meshPeers()).isEqualTo(join(alice.getMeshPeers(TOPIC)).size());
        });
        assertThat(alice.getMeshHealth()).extracting(TopicMeshHealth::topic).containsExactly(TOPIC);

        CompletableFuture<MeshHealthEvent> lost = Events.waitForEvent(alice, EventType.MESH_UNHEALTHY, WAIT);
        carol.unsubscribeFromTopic(TOPIC);
        assertThat(join(lost).meshPeers()).isEqualTo(1);
    }

    @Test
    void disabledOrStoppedGossipSubFailsClearly() {
        P2PCoordinator plain = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
        nodes.add(plain);
        join(plain.start());
        assertThatThrownBy(() -> plain.subscribeToTopic(TOPIC, m -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GossipSub not enabled in config");
        assertThatThrownBy(() -> plain.publishToTopic(TOPIC, Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("GossipSub not enabled in config");
        assertThatThrownBy(() -> plain.getTopicPeers(TOPIC)).isInstanceOf(IllegalStateException.class);
        assertThat(plain.unsubscribeFromTopic(TOPIC)).isFalse();
        assertThat(plain.getSubscribedTopics()).isEmpty();

        P2PCoordinator idle = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0")
                .enableGossipSub(true).build());
        nodes.add(idle);
        assertThatThrownBy(() -> idle.subscribeToTopic(TOPIC, m -> { }))
                .isInstanceOf(IllegalStateException.class).hasMessage("coordinator not started");
        assertThatThrownBy(() -> idle.publishToTopic(TOPIC, "x".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalStateException.class).hasMessage("coordinator not started");
        assertThat(join(idle.getTopicPeers(TOPIC))).isEmpty();

        join(idle.start());
        TopicSubscription sub = idle.subscribeToTopic(TOPIC, m -> { });
        assertThat(idle.gossipSub()).isNotNull();
        assertThatThrownBy(() -> idle.subscribeToTopic("", m -> { })).isInstanceOf(IllegalArgumentException.class);
        join(idle.stop());
        assertThat(sub.isActive()).as("subscriptions end when the node stops").isFalse();
        assertThat(idle.getSubscribedTopics()).isEmpty();
        join(idle.start());
        assertThat(idle.getSubscribedTopics()).isEmpty();
        assertThat(idle.subscribeToTopic(TOPIC, m -> { }).isActive()).isTrue();
    }
}
