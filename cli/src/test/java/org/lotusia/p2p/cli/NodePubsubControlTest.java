package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Base64;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/** The pub/sub commands and events of the control interface, between two {@code node --json --enable-gossipsub} processes. */
class NodePubsubControlTest {
    private static final String TOPIC = "lotus/cli-topic";

    private static JsonNode pollTopicPeers(ControlClient node, Predicate<JsonNode> until) throws Exception {
        long deadline = System.nanoTime() + ControlClient.WAIT_SECONDS * 1_000_000_000L;
        while (true) {
            JsonNode reply = node.ok(node.command("topicPeers").put("topic", TOPIC));
            if (until.test(reply)) {
                return reply;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("topicPeers never matched; last " + reply);
            }
            Thread.sleep(50);
        }
    }

    private static boolean lists(JsonNode array, String peer) {
        for (JsonNode n : array) {
            if (n.asText().equals(peer)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void subscribePublishTopicPeersMeshHealthAndUnsubscribe() throws Exception {
        String[] gossip = {"--enable-gossipsub", "--mesh-health-interval", "100", "--mesh-min-peers", "1"};
        try (ControlClient alice = ControlClient.start(gossip); ControlClient bob = ControlClient.start(gossip)) {
            JsonNode subscribed = alice.ok(alice.command("subscribe").put("topic", TOPIC));
            assertThat(subscribed.path("topic").asText()).isEqualTo(TOPIC);
            assertThat(subscribed.path("changed").asBoolean()).isTrue();
            assertThat(alice.ok(alice.command("subscribe").put("topic", TOPIC)).path("changed").asBoolean()).isFalse();
            JsonNode alone = alice.awaitEvent("mesh:unhealthy", e -> e.path("topic").asText().equals(TOPIC));
            assertThat(alone.path("meshPeers").asInt()).isZero();
            assertThat(alone.path("required").asInt()).isEqualTo(1);

            bob.ok(bob.command("subscribe").put("topic", TOPIC));
            alice.ok(alice.command("connect").put("addr", bob.address()));
            JsonNode recovered = alice.awaitEvent("mesh:recovered", e -> e.path("topic").asText().equals(TOPIC));
            assertThat(recovered.path("meshPeers").asInt()).isEqualTo(1);
            JsonNode peers = pollTopicPeers(alice, r -> lists(r.path("peers"), bob.peerId())
                    && lists(r.path("meshPeers"), bob.peerId()));
            assertThat(peers.path("topic").asText()).isEqualTo(TOPIC);
            assertThat(alice.ok(alice.command("topics"))).hasSize(1).first()
                    .satisfies(t -> assertThat(t.asText()).isEqualTo(TOPIC));
            JsonNode health = alice.ok(alice.command("meshHealth"));
            assertThat(health).hasSize(1);
            assertThat(health.get(0).path("healthy").asBoolean()).isTrue();
            pollTopicPeers(bob, r -> lists(r.path("peers"), alice.peerId()));

            // JSON data is published as utf8(JSON.stringify(data)) and arrives parsed.
            ObjectNode publish = alice.command("publish").put("topic", TOPIC);
            publish.putObject("data").put("type", "announcement").put("n", 1.0).putArray("list").add("x");
            assertThat(alice.ok(publish).path("recipients").asInt()).isEqualTo(1);
            JsonNode message = bob.awaitEvent("topic:message", e -> e.path("topic").asText().equals(TOPIC));
            assertThat(message.path("from").asText()).isEqualTo(alice.peerId());
            assertThat(message.path("data").toString()).as("JSON.stringify writes 1.0 as 1")
                    .isEqualTo("{\"type\":\"announcement\",\"n\":1,\"list\":[\"x\"]}");
            assertThat(message.has("dataBase64")).isFalse();
            assertThat(message.path("messageId").asText()).isNotEmpty();

            // Raw bytes go as dataBase64 and come back as dataBase64 when they are not JSON.
            byte[] raw = {(byte) 0xff, 0x00, 0x7f};
            String encoded = Base64.getEncoder().encodeToString(raw);
            bob.ok(bob.command("publish").put("topic", TOPIC).put("dataBase64", encoded));
            JsonNode rawMessage = alice.awaitEvent("topic:message", e -> e.path("topic").asText().equals(TOPIC));
            assertThat(rawMessage.path("data").isNull()).isTrue();
            assertThat(rawMessage.path("dataBase64").asText()).isEqualTo(encoded);
            assertThat(rawMessage.path("from").asText()).isEqualTo(bob.peerId());
            String text = Base64.getEncoder().encodeToString("[1,2]".getBytes(StandardCharsets.UTF_8));
            bob.ok(bob.command("publish").put("topic", TOPIC).put("dataBase64", text));
            JsonNode jsonText = alice.awaitEvent("topic:message", e -> e.path("topic").asText().equals(TOPIC));
            assertThat(jsonText.path("data").toString()).isEqualTo("[1,2]");

            // Bad publish arguments are errors; the node keeps running.
            JsonNode neither = alice.call(alice.command("publish").put("topic", TOPIC));
            assertThat(neither.path("ok").asBoolean()).isFalse();
            assertThat(neither.path("error").asText()).contains("exactly one of");
            JsonNode notBase64 = alice.call(alice.command("publish").put("topic", TOPIC).put("dataBase64", "%%"));
            assertThat(notBase64.path("error").asText()).contains("base64");
            assertThat(alice.call(alice.command("subscribe")).path("error").asText()).isEqualTo("missing \"topic\"");

            JsonNode left = alice.ok(alice.command("unsubscribe").put("topic", TOPIC));
            assertThat(left.path("changed").asBoolean()).isTrue();
            assertThat(alice.ok(alice.command("unsubscribe").put("topic", TOPIC)).path("changed").asBoolean()).isFalse();
            assertThat(alice.ok(alice.command("topics"))).isEmpty();
            pollTopicPeers(bob, r -> !lists(r.path("peers"), alice.peerId()));
        }
    }

    @Test
    void pubsubCommandsFailClearlyWithoutGossipSub() throws Exception {
        // In process: the control interface on a coordinator started without --enable-gossipsub.
        StringWriter written = new StringWriter();
        try (P2PCoordinator node = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build())) {
            node.start().get(ControlClient.WAIT_SECONDS, TimeUnit.SECONDS);
            ControlInterface control = new ControlInterface(node, new JsonLines(new PrintWriter(written)), () -> { });
            control.run(new StringReader(String.join("\n",
                    "{\"id\":1,\"cmd\":\"subscribe\",\"topic\":\"t\"}",
                    "{\"id\":2,\"cmd\":\"publish\",\"topic\":\"t\",\"data\":\"x\"}",
                    "{\"id\":3,\"cmd\":\"topicPeers\",\"topic\":\"t\"}",
                    "{\"id\":4,\"cmd\":\"topics\"}")));
            List<JsonNode> replies = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ControlClient.WAIT_SECONDS);
            while (replies.size() < 4 && System.nanoTime() < deadline) {
                replies.clear();
                for (String line : written.toString().split("\n")) {
                    if (!line.isBlank()) {
                        replies.add(JsonLines.MAPPER.readTree(line));
                    }
                }
                Thread.sleep(10);
            }
            replies.sort(java.util.Comparator.comparingInt(r -> r.path("id").asInt()));
            assertThat(replies).hasSize(4);
            for (JsonNode reply : replies.subList(0, 3)) {
                assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isFalse();
                assertThat(reply.path("error").asText()).contains("GossipSub not enabled in config");
            }
            assertThat(replies.get(3).path("result")).isEmpty();
        }
    }
}
