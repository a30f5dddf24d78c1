package org.lotusia.libp2p.relay;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Direction;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsonLinesProcess;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.ByteCollector;
import org.lotusia.libp2p.testing.EchoHandler;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.transport.TransportResources;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Circuit relay v2 against js-libp2p with {@code @libp2p/circuit-relay-v2} 4.1.0
 * ({@code interop/js/relay/node.mjs}): Java clients through a js relay server, js clients through the
 * Java relay server, and a Java client reaching a js client through the Java relay.
 */
@ExtendWith(LeakDetectionExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RelayJsInteropTest {
    private static final Duration CALL = Duration.ofSeconds(30);
    private static final String RELAYED_ECHO = "/test/relayed-echo/1.0.0";

    private TransportResources resources;
    private final List<AutoCloseable> open = new ArrayList<>();
    private Host javaRelay;
    private RelayServer javaRelayServer;
    private Host javaAlice;
    private Host javaBob;
    private RelayClient aliceClient;
    private RelayClient bobClient;
    private JsonLinesProcess jsRelay;
    private PeerId jsRelayPeer;
    private Multiaddr jsRelayAddress;
    private JsonLinesProcess jsBob;
    private PeerId jsBobPeer;
    private JsonLinesProcess jsAlice;

    @BeforeAll
    void start() throws Exception {
        JsInterop.assumeEnabled();
        resources = TransportResources.create();
        javaRelay = host();
        javaRelayServer = RelayServer.start(javaRelay, RelayServerConfig.defaults());
        open.add(javaRelayServer);
        javaAlice = host();
        javaBob = host();
        aliceClient = RelayClient.start(javaAlice, RelayClientConfig.defaults());
        bobClient = RelayClient.start(javaBob, RelayClientConfig.defaults());
        open.add(aliceClient);
        open.add(bobClient);

        // The three js nodes start concurrently (each takes a few seconds to load).
        jsRelay = JsInterop.startJsonLines("relay/node.mjs", "--server", "--debug=libp2p:*:error");
        jsBob = JsInterop.startJsonLines("relay/node.mjs", "--relay=" + javaRelay.shareableAddresses().get(0),
                "--debug=libp2p:*:error");
        jsAlice = JsInterop.startJsonLines("relay/node.mjs", "--debug=libp2p:*:error");
        JsonNode started = jsRelay.awaitEvent("started", CALL);
        jsRelayPeer = PeerId.parse(started.path("peerId").asText());
        jsRelayAddress = Multiaddr.parse(started.path("addrs").get(0).asText()).withPeerId(jsRelayPeer);
        jsBobPeer = PeerId.parse(jsBob.awaitEvent("started", CALL).path("peerId").asText());
        jsAlice.awaitEvent("started", CALL);
    }

    @AfterAll
    void stop() throws Exception {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (JsonLinesProcess js : new JsonLinesProcess[] {jsAlice, jsBob, jsRelay}) {
            if (js != null) {
                closing.add(CompletableFuture.runAsync(js::close));
            }
        }
        CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (resources != null) {
            resources.close();
        }
    }

    private Host host() {
        Host host = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).transportResources(resources).build();
        host.start().join();
        host.handle(RELAYED_ECHO, s -> s.channel().pipeline().addLast(new EchoHandler()),
                ProtocolOptions.defaults().withAllowOnLimitedConnections(true));
        open.add(host);
        return host;
    }

    private static String echo(Connection connection, String text) throws Exception {
        ByteCollector collector = new ByteCollector();
        Libp2pStream stream = connection.newStream(List.of(RELAYED_ECHO), s -> s.channel().pipeline().addLast(collector))
                .get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(text.getBytes(StandardCharsets.UTF_8)));
        stream.channel().closeWrite();
        return new String(collector.done.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    @Test
    void javaClientsReachEachOtherThroughTheJsRelay() throws Exception {
        Reservation reservation = bobClient.reserve(jsRelayAddress).get(15, TimeUnit.SECONDS);
        assertThat(reservation.relay()).isEqualTo(jsRelayPeer);
        assertThat(reservation.addresses()).contains(Multiaddr.parse(jsRelayAddress + "/p2p-circuit"));
        // js puts its default duration (2 min) in milliseconds into the seconds field: 120000.
        assertThat(reservation.limit()).isEqualTo(new Limit(Duration.ofSeconds(120_000), 131_072));
        assertThat(reservation.voucher()).hasValueSatisfying(v -> {
            assertThat(v.relay()).isEqualTo(jsRelayPeer);
            assertThat(v.peer()).isEqualTo(javaBob.peerId());
            assertThat(v.expiration()).isEqualTo(reservation.expiry());
        });
        assertThat(jsRelay.call("reservations", Map.of(), CALL).path("result").path("peers").toString())
                .contains(javaBob.peerId().toString());

        CompletableFuture<Connection> bobSawAlice = new CompletableFuture<>();
        HostListener listener = new HostListener() {
            @Override
            public void connectionOpened(Connection connection) {
                if (connection.remotePeer().equals(javaAlice.peerId())) {
                    bobSawAlice.complete(connection);
                }
            }
        };
        javaBob.addListener(listener);
        try {
            Connection toBob = javaAlice.connect(reservation.addresses().get(0).withPeerId(javaBob.peerId()))
                    .get(15, TimeUnit.SECONDS);
            assertThat(toBob.isLimited()).isTrue();
            assertThat(echo(toBob, "alice to bob through a js relay")).isEqualTo("alice to bob through a js relay");
            Connection toAlice = bobSawAlice.get(10, TimeUnit.SECONDS);
            assertThat(toAlice.isLimited()).isTrue();
            assertThat(toAlice.direction()).isEqualTo(Direction.INBOUND);
            assertThat(echo(toAlice, "and back")).isEqualTo("and back");
        } finally {
            javaBob.removeListener(listener);
        }
    }

    @Test
    void jsClientsReachEachOtherThroughTheJavaRelay() throws Exception {
        JsonNode circuit = jsBob.call("awaitCircuitAddr", Map.of("timeoutMs", 15_000), CALL).path("result").path("addrs");
        String bobCircuit = circuit.get(0).asText();
        assertThat(bobCircuit).startsWith(javaRelay.shareableAddresses().get(0) + "/p2p-circuit");
        assertThat(javaRelayServer.hasReservation(jsBobPeer)).isTrue();

        String target = bobCircuit.endsWith("/p2p/" + jsBobPeer) ? bobCircuit : bobCircuit + "/p2p/" + jsBobPeer;
        JsonNode dialled = jsAlice.call("dial", Map.of("addr", target), CALL).path("result");
        assertThat(dialled.path("peer").asText()).isEqualTo(jsBobPeer.toString());
        assertThat(dialled.path("limited").asBoolean()).isTrue();
        JsonNode echoed = jsAlice.call("echo", Map.of("peer", jsBobPeer.toString(), "text", "js through java"), CALL)
                .path("result");
        assertThat(echoed.path("text").asText()).isEqualTo("js through java");
        assertThat(javaRelayServer.activeCircuits()).isPositive();
    }

    @Test
    void aJavaClientReachesAJsClientThroughTheJavaRelay() throws Exception {
        JsonNode circuit = jsBob.call("awaitCircuitAddr", Map.of("timeoutMs", 15_000), CALL).path("result").path("addrs");
        Multiaddr bobCircuit = Multiaddr.parse(circuit.get(0).asText()).withPeerId(jsBobPeer);

        Connection toJsBob = aliceClient.dial(bobCircuit).get(15, TimeUnit.SECONDS);
        assertThat(toJsBob.remotePeer()).isEqualTo(jsBobPeer);
        assertThat(toJsBob.isLimited()).isTrue();
        assertThat(echo(toJsBob, "java through java to js")).isEqualTo("java through java to js");
        assertThat(javaAlice.pingService().ping(toJsBob, 1, Duration.ofSeconds(10)).get(15, TimeUnit.SECONDS)).hasSize(1);
        JsonNode seen = jsBob.call("connections", Map.of("peer", javaAlice.peerId().toString()), CALL).path("result");
        assertThat(seen.toString()).contains("\"limited\":true").contains("/p2p-circuit");
        JsonNode back = jsBob.call("echo", Map.of("peer", javaAlice.peerId().toString(), "text", "js answers"), CALL)
                .path("result");
        assertThat(back.path("text").asText()).isEqualTo("js answers");
    }
}
