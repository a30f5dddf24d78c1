package org.lotusia.p2p.pubsub;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsonLinesProcess;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The coordinator's topic API against js-libp2p's @libp2p/gossipsub ({@code interop/js/pubsub/node.mjs}):
 * JSON published by Java arrives at js byte for byte, JSON published by js (as the reference does, UTF-8
 * JSON text) reaches a Java handler with js's author and js's message id, and js keeps scoring us well.
 */
@Tag("interop")
@ExtendWith(LeakDetectionExtension.class)
class PubsubJsInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String TOPIC = "lotus/discovery/interop";
    private static final HexFormat HEX = HexFormat.of();

    private JsonLinesProcess js;
    private PeerId jsPeer;
    private P2PCoordinator java;

    @BeforeEach
    void start() throws Exception {
        JsInterop.assumeEnabled();
        js = JsInterop.startJsonLines("pubsub/node.mjs");
        JsonNode started = js.awaitEvent("started", TIMEOUT);
        jsPeer = PeerId.parse(started.path("peerId").asText());
        java = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").enableGossipSub(true).build());
        join(java.start());
        join(java.connectToPeer(Multiaddr.parse(started.path("addrs").get(0).asText())));
    }

    @AfterEach
    void stop() {
        if (java != null) {
            java.close();
        }
        if (js != null) {
            js.close();
        }
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        return future.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private JsonNode jsCall(String cmd, Map<String, ?> args) {
        return js.call(cmd, args, TIMEOUT).path("result");
    }

    private boolean jsListContains(String cmd, PeerId peer) {
        for (JsonNode n : jsCall(cmd, Map.of("topic", TOPIC))) {
            if (n.asText().equals(peer.toString())) {
                return true;
            }
        }
        return false;
    }

    private void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "\n" + js.diagnostics());
            }
            Thread.sleep(50);
        }
    }

    @Test
    void topicMessagesBothWaysWithTheReferenceJsonEncoding() throws Exception {
        BlockingQueue<TopicMessage> received = new LinkedBlockingQueue<>();
        TopicSubscription subscription = java.subscribeToTopic(TOPIC, received::add);
        jsCall("subscribe", Map.of("topic", TOPIC));
        eventually("java to see js's subscription", () -> {
            try {
                return join(java.getTopicPeers(TOPIC)).contains(jsPeer);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        eventually("js to see java's subscription", () -> jsListContains("subscribers", java.peerId()));

        // Java → js: the bytes are utf8(JSON.stringify(object)).
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "announcement");
        body.put("content", "Hello, subscribers! ✓");
        body.put("prices", List.of(100, 200.5, 1e21));
        assertThat(join(java.publishToTopic(TOPIC, body))).isEqualTo(1);
        JsonNode atJs = js.await(e -> "message".equals(e.path("event").asText()), TIMEOUT, "js message");
        assertThat(atJs.path("type").asText()).isEqualTo("signed");
        assertThat(atJs.path("from").asText()).isEqualTo(java.peerId().toString());
        assertThat(new String(HEX.parseHex(atJs.path("dataHex").asText()), StandardCharsets.UTF_8)).isEqualTo(
                "{\"type\":\"announcement\",\"content\":\"Hello, subscribers! ✓\",\"prices\":[100,200.5,1e+21]}");

        // js → Java: the reference's publishToTopic payload, js's author and js's message id.
        String text = "{\"type\":\"greeting\",\"n\":1}";
        jsCall("publish", Map.of("topic", TOPIC, "dataHex", HEX.formatHex(text.getBytes(StandardCharsets.UTF_8))));
        TopicMessage m = received.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(m).as("js's message at the Java handler").isNotNull();
        assertThat(m.topic()).isEqualTo(TOPIC);
        assertThat(m.from()).isEqualTo(jsPeer);
        assertThat(m.json().path("type").asText()).isEqualTo("greeting");
        assertThat(m.json().path("n").asInt()).isEqualTo(1);
        byte[] id = Base64.getDecoder().decode(m.messageId());
        byte[] authorKey = Arrays.copyOfRange(jsPeer.toBytes(), 2, jsPeer.toBytes().length);
        assertThat(id).as("js's message id: the author's key protobuf || 8-byte seqno")
                .hasSize(authorKey.length + 8).startsWith(authorKey);
        assertThat(m.messageId()).doesNotContain("=");

        // js does not penalise us.
        assertThat(jsCall("score", Map.of("peer", java.peerId().toString())).asDouble()).isGreaterThanOrEqualTo(0);

        subscription.close();
        eventually("js to forget java's subscription", () -> !jsListContains("subscribers", java.peerId()));
    }
}
