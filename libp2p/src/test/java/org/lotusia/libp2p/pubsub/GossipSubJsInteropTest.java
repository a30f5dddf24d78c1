package org.lotusia.libp2p.pubsub;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsonLinesProcess;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** Java GossipSub against js-libp2p's @libp2p/gossipsub ({@code interop/js/pubsub/node.mjs}). */
@Tag("interop")
@ExtendWith(LeakDetectionExtension.class)
class GossipSubJsInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String TOPIC = "lotus/interop";
    private static final HexFormat HEX = HexFormat.of();

    private JsonLinesProcess js;
    private Host host;
    private GossipSubRouter router;
    private Host host2;
    private GossipSubRouter router2;

    @AfterEach
    void stop() {
        if (router2 != null) {
            router2.close();
        }
        if (host2 != null) {
            host2.close();
        }
        if (router != null) {
            router.close();
        }
        if (host != null) {
            host.close();
        }
        if (js != null) {
            js.close();
        }
    }

    private PeerId startJs() {
        js = JsInterop.startJsonLines("pubsub/node.mjs", "--debug=" + System.getProperty("lotus.interop.jsDebug", "libp2p:*:error"));
        JsonNode started = js.awaitEvent("started", TIMEOUT);
        return PeerId.parse(started.path("peerId").asText());
    }

    private void startJava() {
        host = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build();
        host.start().join();
        router = new GossipSubRouter(host);
    }

    private JsonNode jsCall(String cmd, Map<String, ?> args) {
        return js.call(cmd, args, TIMEOUT).path("result");
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

    private boolean jsListContains(String cmd, PeerId peer) {
        for (JsonNode n : jsCall(cmd, Map.of("topic", TOPIC))) {
            if (n.asText().equals(peer.toString())) {
                return true;
            }
        }
        return false;
    }

    private void exchange(PeerId jsPeer) throws Exception {
        BlockingQueue<PubsubMessage> received = new LinkedBlockingQueue<>();
        router.subscribe(TOPIC, received::add);
        eventually("java to see js's subscription", () -> router.topicPeers(TOPIC).join().contains(jsPeer));
        eventually("js to see java's subscription", () -> jsListContains("subscribers", host.peerId()));
        eventually("js to graft java", () -> jsListContains("mesh", host.peerId()));
        eventually("java to graft js", () -> router.meshPeers(TOPIC).join().contains(jsPeer));

        // Java → js
        byte[] hello = "hello from java".getBytes(StandardCharsets.UTF_8);
        assertThat(router.publish(TOPIC, hello).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        JsonNode atJs = js.await(e -> "message".equals(e.path("event").asText()), TIMEOUT, "js message");
        assertThat(atJs.path("topic").asText()).isEqualTo(TOPIC);
        assertThat(atJs.path("type").asText()).isEqualTo("signed");
        assertThat(atJs.path("from").asText()).isEqualTo(host.peerId().toString());
        assertThat(atJs.path("dataHex").asText()).isEqualTo(HEX.formatHex(hello));

        // js → Java
        byte[] reply = "hello from js".getBytes(StandardCharsets.UTF_8);
        JsonNode published = jsCall("publish", Map.of("topic", TOPIC, "dataHex", HEX.formatHex(reply)));
        assertThat(published.path("recipients").toString()).contains(host.peerId().toString());
        PubsubMessage atJava = received.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(atJava).isNotNull();
        assertThat(atJava.data()).isEqualTo(reply);
        assertThat(atJava.from()).contains(jsPeer);
        assertThat(atJava.receivedFrom()).contains(jsPeer);

        // A large message (IDONTWANT-sized) both ways; js keeps us in its mesh (no penalties).
        byte[] big = new byte[4096];
        new java.util.Random(7).nextBytes(big);
        router.publish(TOPIC, big).get(5, TimeUnit.SECONDS);
        JsonNode bigAtJs = js.await(e -> "message".equals(e.path("event").asText()), TIMEOUT, "js big message");
        assertThat(bigAtJs.path("dataHex").asText()).isEqualTo(HEX.formatHex(big));
        jsCall("publish", Map.of("topic", TOPIC, "dataHex", HEX.formatHex(big)));
        PubsubMessage bigAtJava = received.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(bigAtJava).isNotNull();
        assertThat(bigAtJava.data()).isEqualTo(big);
        Thread.sleep(1100);
        assertThat(jsListContains("mesh", host.peerId())).isTrue();
        assertThat(jsCall("score", Map.of("peer", host.peerId().toString())).asDouble()).isGreaterThanOrEqualTo(0);

        // Unsubscribing on the Java side is seen by js.
        router.unsubscribe(TOPIC);
        eventually("js to forget java's subscription", () -> !jsListContains("subscribers", host.peerId()));
    }

    @Test
    void javaDialsJsAndMessagesFlowBothWays() throws Exception {
        PeerId jsPeer = startJs();
        jsCall("subscribe", Map.of("topic", TOPIC));
        startJava();
        JsonNode started = js.events().get(0);
        host.connect(Multiaddr.parse(started.path("addrs").get(0).asText())).get(10, TimeUnit.SECONDS);
        exchange(jsPeer);
    }

    @Test
    void jsDialsJavaAndMessagesFlowBothWays() throws Exception {
        PeerId jsPeer = startJs();
        startJava();
        jsCall("dial", Map.of("addr", host.shareableAddresses().get(0).toString()));
        jsCall("subscribe", Map.of("topic", TOPIC));
        exchange(jsPeer);
    }

    @Test
    void jsForwardsBetweenTwoJavaNodes() throws Exception {
        PeerId jsPeer = startJs();
        jsCall("subscribe", Map.of("topic", TOPIC));
        startJava();
        host2 = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build();
        host2.start().join();
        router2 = new GossipSubRouter(host2);
        Multiaddr jsAddress = Multiaddr.parse(js.events().get(0).path("addrs").get(0).asText());
        BlockingQueue<PubsubMessage> at1 = new LinkedBlockingQueue<>();
        BlockingQueue<PubsubMessage> at2 = new LinkedBlockingQueue<>();
        router.subscribe(TOPIC, at1::add);
        router2.subscribe(TOPIC, at2::add);
        host.connect(jsAddress).get(10, TimeUnit.SECONDS);
        host2.connect(jsAddress).get(10, TimeUnit.SECONDS);
        eventually("js mesh with both", () -> jsListContains("mesh", host.peerId()) && jsListContains("mesh", host2.peerId()));
        eventually("java meshes", () -> router.meshPeers(TOPIC).join().contains(jsPeer)
                && router2.meshPeers(TOPIC).join().contains(jsPeer));
        byte[] data = "java 1 via js".getBytes(StandardCharsets.UTF_8);
        router.publish(TOPIC, data).get(5, TimeUnit.SECONDS);
        PubsubMessage got = at2.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(got.data()).isEqualTo(data);
        assertThat(got.from()).contains(host.peerId());
        assertThat(got.receivedFrom()).contains(jsPeer);
        byte[] back = "java 2 via js".getBytes(StandardCharsets.UTF_8);
        router2.publish(TOPIC, back).get(5, TimeUnit.SECONDS);
        PubsubMessage gotBack = at1.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(gotBack).isNotNull();
        assertThat(gotBack.data()).isEqualTo(back);
        assertThat(at1.poll(300, TimeUnit.MILLISECONDS)).isNull();
        assertThat(at2.poll(10, TimeUnit.MILLISECONDS)).isNull();
    }
}
