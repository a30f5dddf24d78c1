package org.lotusia.p2p.interop;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsonLinesProcess;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.BroadcastResult;
import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.ProtocolHandler;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;
import org.lotusia.p2p.events.MessageEvent;
import org.lotusia.p2p.message.MessageOptions;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;
import org.lotusia.p2p.patterns.RequestResponse;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Java {@link P2PCoordinator} against a js-libp2p 3.1.0 node that speaks {@code /lotus/message/1.0.0} like the
 * reference coordinator (interop/js/message/peer.mjs): messages both ways (sendTo, broadcast), routing to the
 * {@link ProtocolHandler} by {@code message.protocol}, the reference hash on both sides, and the guide's
 * request-response pattern both ways. Skipped with -Dlotus.interop.skip=true.
 */
class CoordinatorInteropTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String CHAT = "interop-chat";

    private final P2PProtocol protocol = new P2PProtocol();
    private P2PCoordinator java;
    private JsonLinesProcess js;
    private PeerId jsPeer;

    /** Records what the handler got. */
    private record Received(P2PMessage message, PeerInfo from) {
    }

    private final BlockingQueue<Received> handled = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws Exception {
        JsInterop.assumeEnabled();
        js = JsInterop.startJsonLines("message/peer.mjs");
        JsonNode started = js.awaitEvent("started", TIMEOUT);
        jsPeer = PeerId.parse(started.get("peerId").asText());
        Multiaddr jsAddress = Multiaddr.parse(started.get("addrs").get(0).asText());

        java = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
        java.registerProtocol(new ProtocolHandler() {
            @Override
            public String protocolName() {
                return CHAT;
            }

            @Override
            public String protocolId() {
                return "/lotus/interop-chat/1.0.0";
            }

            @Override
            public void handleMessage(P2PMessage message, PeerInfo from) {
                handled.add(new Received(message, from));
            }
        });
        java.start().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        PeerInfo info = java.connectToPeer(jsAddress).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(info.peerId()).isEqualTo(jsPeer);
    }

    @AfterEach
    void tearDown() {
        if (js != null) {
            js.close();
        }
        if (java != null) {
            java.close();
        }
    }

    private static <T> T join(CompletableFuture<T> f) throws Exception {
        return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void jsMessagesArriveAsMessageEventsAndAreRoutedByProtocol() throws Exception {
        String self = java.peerId().toString();
        CompletableFuture<MessageEvent> event = Events.waitForEvent(java, EventType.MESSAGE,
                e -> "chat".equals(e.message().type()), TIMEOUT);
        JsonNode sent = js.call("message", Map.of("peer", self, "type", "chat", "to", self, "protocol", CHAT,
                "payload", Map.of("text", "héllo ✓ 😀", "n", List.of(1, 2.5, -3))), TIMEOUT).get("result");

        MessageEvent e = join(event);
        assertThat(e.from().peerId()).isEqualTo(jsPeer);
        P2PMessage m = e.message();
        assertThat(m.from()).isEqualTo(jsPeer.toString());
        assertThat(m.protocol()).isEqualTo(CHAT);
        assertThat(m.toJson()).as("same JSON as JSON.stringify in js").isEqualTo(sent.get("json").asText());
        assertThat(protocol.computeMessageHash(m)).isEqualTo(sent.get("hash").asText());
        assertThat(protocol.validateMessage(m)).isTrue();

        Received r = handled.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.from().peerId()).isEqualTo(jsPeer);
        assertThat(r.message()).isEqualTo(m);

        // a message for a protocol nobody registered: MESSAGE event, no handler call
        CompletableFuture<MessageEvent> other = Events.waitForEvent(java, EventType.MESSAGE,
                x -> "other".equals(x.message().type()), TIMEOUT);
        JsonNode sent2 = js.call("message", Map.of("peer", self, "type", "other", "protocol", "nobody",
                "payload", "x"), TIMEOUT).get("result");
        MessageEvent e2 = join(other);
        assertThat(e2.from().peerId()).isEqualTo(jsPeer);
        assertThat(e2.message().to()).isNull();
        assertThat(protocol.computeMessageHash(e2.message())).isEqualTo(sent2.get("hash").asText());
        // and one without protocol, sent to our multiaddr rather than by peer id
        CompletableFuture<MessageEvent> third = Events.waitForEvent(java, EventType.MESSAGE,
                x -> "plain".equals(x.message().type()), TIMEOUT);
        js.call("message", Map.of("addr", java.getStats().multiaddrs().get(0).toString(), "type", "plain"), TIMEOUT);
        assertThat(join(third).message().protocol()).isNull();
        assertThat(handled.poll(300, TimeUnit.MILLISECONDS)).as("handler called only for its protocol").isNull();
    }

    @Test
    void javaSendToAndBroadcastReachJsWithTheSameHash() throws Exception {
        String self = java.peerId().toString();
        P2PMessage direct = protocol.createMessage("chat", Map.of("text", "to js ✓", "big", 12345678901L), self,
                MessageOptions.to(jsPeer.toString()).withProtocol(CHAT));
        join(java.sendTo(jsPeer, direct));
        JsonNode got = js.awaitEvent("message", TIMEOUT);
        assertThat(got.get("peer").asText()).isEqualTo(self);
        assertThat(got.get("raw").asText()).isEqualTo(direct.toJson());
        assertThat(got.get("hash").asText()).isEqualTo(protocol.computeMessageHash(direct));
        assertThat(protocol.deserialize(got.get("raw").asText().getBytes(StandardCharsets.UTF_8))).isEqualTo(direct);

        P2PMessage everyone = protocol.createMessage("announce", List.of("a", 1, true), self,
                MessageOptions.protocol(CHAT));
        BroadcastResult result = join(java.broadcast(everyone));
        assertThat(result.sent()).containsExactly(jsPeer);
        assertThat(result.failed()).isEmpty();
        JsonNode got2 = js.awaitEvent("message", TIMEOUT);
        assertThat(got2.get("peer").asText()).isEqualTo(self);
        assertThat(got2.get("raw").asText()).isEqualTo(everyone.toJson());
        assertThat(got2.get("hash").asText()).isEqualTo(protocol.computeMessageHash(everyone));
        // the broadcast's self-delivery reaches our own handler, with ourselves as sender
        Received r = handled.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.from().peerId()).isEqualTo(java.peerId());
        assertThat(r.message()).isEqualTo(everyone);
    }

    @Test
    void requestResponseBothWaysWithTheGuidesJsClass() throws Exception {
        String name = "interop-rr";
        js.call("respond", Map.of("protocol", name), TIMEOUT);
        RequestResponse rr = RequestResponse.builder(java, name).timeout(TIMEOUT)
                .responder(req -> CompletableFuture.completedFuture(
                        Map.of("answer", req.data().asText().toUpperCase(), "asker", req.from().peerId().toString())))
                .build();

        // Java asks, js answers
        JsonNode answer = join(rr.request(jsPeer, Map.of("q", "ping")));
        assertThat(answer.path("by").asText()).isEqualTo("js");
        assertThat(answer.path("echo").path("q").asText()).isEqualTo("ping");

        // js asks (the guide's RequestResponseProtocol), Java answers
        JsonNode reply = js.call("request", Map.of("peer", java.peerId().toString(), "protocol", name,
                "data", "hello"), TIMEOUT).get("result");
        assertThat(reply.path("data").path("answer").asText()).isEqualTo("HELLO");
        assertThat(reply.path("data").path("asker").asText()).isEqualTo(jsPeer.toString());
        assertThat(rr.pendingCount()).isZero();
        assertThat(rr.ignoredResponses()).isZero();
        rr.close();
    }
}
