package org.lotusia.libp2p.interop;

import org.lotusia.libp2p.testing.ByteCollector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lotusia.libp2p.Version;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Direction;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.protocols.identify.IdentifyService;
import org.lotusia.libp2p.protocols.perf.PerfResult;
import org.lotusia.libp2p.protocols.perf.PerfService;
import org.lotusia.libp2p.protocols.ping.PingService;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

/**
 * The Java host against a real js-libp2p 3.1.0 node (tcp + noise + yamux + identify + ping, connection monitor on;
 * {@code interop/js/host/node.mjs}) in both directions: Java dials js, and js dials Java.
 *
 * <p>One js node and two Java hosts are shared by all tests: {@code javaDialer} dials the js node, the js node dials
 * {@code javaListener}. Each connection is made once and every test runs over it, so the last test can check that
 * both connections lived through rounds of js's connection monitor (a ping stream every 10 s).
 */
@Tag("interop")
@ExtendWith(LeakDetectionExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionInteropTest {
    private static final Duration T = Duration.ofSeconds(20);
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    private static final int ECHO_LIMIT = 256;
    private static final String YAMUX = "/yamux/1.0.0";

    private static HostJsNode js;
    private static Host javaDialer;
    private static Host javaListener;
    private static HostStreams.Counters dialerCounters;
    private static HostStreams.Counters listenerCounters;
    private static Connection dialerConnection;
    private static Connection listenerConnection;
    private static final int[] jsPingCommands = new int[2];

    /** Who opened the connection a test runs over. */
    enum Dialer {
        JAVA_DIALS_JS, JS_DIALS_JAVA;

        Host host() {
            return this == JAVA_DIALS_JS ? javaDialer : javaListener;
        }

        Connection connection() {
            return this == JAVA_DIALS_JS ? dialerConnection : listenerConnection;
        }

        HostStreams.Counters counters() {
            return this == JAVA_DIALS_JS ? dialerCounters : listenerCounters;
        }

        /** Direction of the connection as the Java host sees it. */
        Direction javaDirection() {
            return this == JAVA_DIALS_JS ? Direction.OUTBOUND : Direction.INBOUND;
        }

        /** Direction as js names it. */
        String jsDirection() {
            return this == JAVA_DIALS_JS ? "inbound" : "outbound";
        }
    }

    @BeforeAll
    static void startNodes() throws Exception {
        long t0 = System.nanoTime();
        js = HostJsNode.start(Duration.ofSeconds(60));
        long jsUp = System.nanoTime();
        javaDialer = Host.builder().listen(LOOPBACK).build();
        javaListener = Host.builder().listen(LOOPBACK).build();
        javaDialer.start().get(10, TimeUnit.SECONDS);
        javaListener.start().get(10, TimeUnit.SECONDS);
        dialerCounters = HostStreams.install(javaDialer, ECHO_LIMIT);
        listenerCounters = HostStreams.install(javaListener, ECHO_LIMIT);

        dialerConnection = javaDialer.connect(js.addresses().get(0)).get(15, TimeUnit.SECONDS);
        JsonNode dialed = js.call("dial", Map.of("addr", javaListener.shareableAddresses().get(0).toString()), T);
        assertThat(dialed.path("peer").asText()).isEqualTo(javaListener.peerId().toString());
        listenerConnection = awaitConnection(javaListener, js.peerId(), Duration.ofSeconds(10));
        System.err.printf("[connection-interop] js node up in %d ms, both connections in %d ms more (js %s)%n",
                TimeUnit.NANOSECONDS.toMillis(jsUp - t0), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - jsUp),
                js.started().path("versions"));
    }

    @AfterAll
    static void stopNodes() {
        try {
            if (js != null) {
                js.close();
                if (System.getProperty(HostJsNode.DEBUG_PROPERTY) != null) {
                    // asked for js logs: keep them in the test output (surefire-reports/*-output.txt)
                    System.err.println("[connection-interop] js stderr:\n" + js.process().process().stderr());
                }
            }
        } finally {
            if (javaDialer != null) {
                javaDialer.close();
            }
            if (javaListener != null) {
                javaListener.close();
            }
        }
    }

    private static Connection awaitConnection(Host host, PeerId peer, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            var c = host.connection(peer);
            if (c.isPresent()) {
                return c.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no connection from " + peer + " on the Java host after " + timeout + "\n"
                + js.diagnostics());
    }

    // ------------------------------------------------------------------------------------------------ connection

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(1)
    void connectionIsNoiseAndYamuxOnBothSides(Dialer d) {
        Connection c = d.connection();
        assertThat(c.isOpen()).isTrue();
        assertThat(c.remotePeer()).isEqualTo(js.peerId());
        assertThat(c.direction()).isEqualTo(d.javaDirection());
        assertThat(c.secureSession().selectedMuxer()).isEqualTo(YAMUX);

        JsonNode conns = js.call("connections", Map.of("peer", d.host().peerId().toString()), T);
        assertThat(conns).as("js connections to %s", d.host().peerId()).hasSize(1);
        JsonNode jc = conns.get(0);
        assertThat(jc.path("status").asText()).isEqualTo("open");
        assertThat(jc.path("direction").asText()).isEqualTo(d.jsDirection());
        assertThat(jc.path("encryption").asText()).isEqualTo("/noise");
        assertThat(jc.path("multiplexer").asText()).isEqualTo(YAMUX);
    }

    // ------------------------------------------------------------------------------------------------------ ping

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(2)
    void javaPingsJs(Dialer d) throws Exception {
        List<Duration> rtts = d.host().pingService().ping(d.connection(), 3, Duration.ofSeconds(5))
                .get(20, TimeUnit.SECONDS);
        assertThat(rtts).hasSize(3).allSatisfy(rtt -> assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(5)));
        assertThat(d.connection().isOpen()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(2)
    void jsPingsJava(Dialer d) {
        int before = d.counters().inboundPings.get();
        jsPingCommands[d.ordinal()]++;
        JsonNode r = js.call("ping", Map.of("peer", d.host().peerId().toString()), T);
        assertThat(r.path("rtt").isNumber()).as("rtt in %s", r).isTrue();
        assertThat(r.path("rtt").asDouble()).isBetween(0.0, 5000.0);
        assertThat(d.counters().inboundPings.get()).isGreaterThan(before);
        assertThat(d.host().connections()).containsExactly(d.connection());
    }

    // -------------------------------------------------------------------------------------------------- identify

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(3)
    void javaIdentifiesJs(Dialer d) throws Exception {
        Host host = d.host();
        host.identifyService().identification(js.peerId()).orElseThrow().get(10, TimeUnit.SECONDS);
        PeerRecordView info = host.peerStore().get(js.peerId()).orElseThrow();
        assertThat(info.protocols()).contains(PingService.PROTOCOL, IdentifyService.PROTOCOL, HostStreams.ECHO);
        assertThat(info.agentVersion()).hasValueSatisfying(a -> assertThat(a).startsWith("js-libp2p/3.1.0"));
        assertThat(info.protocolVersion()).contains("ipfs/0.1.0");
        assertThat(info.addresses()).contains(js.addresses().get(0).withoutPeerId());
        assertThat(info.publicKey()).hasValueSatisfying(k -> assertThat(k.peerId()).isEqualTo(js.peerId()));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(3)
    void jsIdentifiesJava(Dialer d) {
        Host host = d.host();
        String peer = host.peerId().toString();
        List<String> listen = host.listenAddresses().stream().map(Multiaddr::toString).toList();

        JsonNode ev = js.awaitEvent("peer:identify", e -> peer.equals(e.path("peer").asText()), T);
        assertThat(texts(ev.path("protocols"))).contains(PingService.PROTOCOL, IdentifyService.PROTOCOL,
                IdentifyService.PUSH_PROTOCOL, HostStreams.ECHO, HostStreams.RESET);
        assertThat(ev.path("agentVersion").asText()).isEqualTo(Version.agentVersion()).startsWith("lotus-p2p-java/");
        assertThat(ev.path("protocolVersion").asText()).isEqualTo(IdentifyService.PROTOCOL_VERSION);
        assertThat(texts(ev.path("listenAddrs"))).containsAll(listen);
        assertThat(ev.path("signedPeerRecord").isObject()).as("js accepted the signed peer record: %s", ev).isTrue();
        assertThat(texts(ev.path("signedPeerRecord").path("addrs"))).containsAll(listen);

        JsonNode info = js.call("peerInfo", Map.of("peer", peer), T);
        assertThat(texts(info.path("protocols"))).contains(PingService.PROTOCOL, IdentifyService.PROTOCOL,
                HostStreams.ECHO);
        assertThat(info.path("agentVersion").asText()).isEqualTo(Version.agentVersion());
        List<String> certified = StreamSupport.stream(info.path("addresses").spliterator(), false)
                .filter(a -> a.path("certified").asBoolean()).map(a -> a.path("addr").asText()).toList();
        assertThat(certified).as("certified addresses in js's peer store: %s", info).containsAll(listen);
    }

    // ------------------------------------------------------------------------------------------------------ echo

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(4)
    void javaEchoesOneMebibyteThroughJs(Dialer d) throws Exception {
        byte[] payload = random(1 << 20, 1);
        ByteCollector collector = new ByteCollector();
        Libp2pStream stream = d.connection().newStream(List.of(HostStreams.ECHO),
                s -> s.channel().pipeline().addLast(collector)).get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(payload));
        stream.channel().closeWrite();

        byte[] echoed = collector.done.get(20, TimeUnit.SECONDS);
        assertThat(echoed.length).isEqualTo(payload.length);
        assertThat(echoed).isEqualTo(payload);
        // both sides sent FIN: the stream ends cleanly, not by a reset
        stream.channel().closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(stream.channel().isReset()).isFalse();
        assertNoJsEchoErrors();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(4)
    void jsEchoesOneMebibyteThroughJava(Dialer d) {
        JsonNode r = js.call("echo", Map.of("peer", d.host().peerId().toString(), "bytes", 1 << 20, "streams", 1), T);
        assertThat(r.path("ok").asBoolean()).as("js echo result %s", r).isTrue();
        assertThat(r.path("connections").asInt()).isEqualTo(1);
        assertThat(d.host().connections()).containsExactly(d.connection());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(5)
    void javaOpensAHundredConcurrentStreamsToJs(Dialer d) throws Exception {
        List<byte[]> sent = new ArrayList<>();
        List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] payload = random(16 * 1024 + i, 100 + i);
            sent.add(payload);
            ByteCollector collector = new ByteCollector();
            echoes.add(collector.done);
            d.connection().newStream(List.of(HostStreams.ECHO), s -> {
                s.channel().pipeline().addLast(collector);
                s.channel().writeAndFlush(Unpooled.wrappedBuffer(payload));
                s.channel().closeWrite();
            }).whenComplete((s, e) -> {
                if (e != null) {
                    collector.done.completeExceptionally(e);
                }
            });
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            try {
                byte[] echoed = echoes.get(i).get(20, TimeUnit.SECONDS);
                if (!java.util.Arrays.equals(echoed, sent.get(i))) {
                    failures.add("stream " + i + ": echo differs (" + echoed.length + " of " + sent.get(i).length
                            + " bytes)");
                }
            } catch (ExecutionException e) {
                failures.add("stream " + i + ": " + e.getCause());
            }
        }
        assertThat(failures).as("js stats %s", js.call("stats", Map.of(), T)).isEmpty();
        assertThat(d.connection().isOpen()).isTrue();
        assertThat(d.host().connections()).containsExactly(d.connection());
        assertNoJsEchoErrors();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(5)
    void jsOpensAHundredConcurrentStreamsToJava(Dialer d) {
        int before = d.counters().echoStreams.get();
        JsonNode r = js.call("echo", Map.of("peer", d.host().peerId().toString(), "bytes", 16 * 1024,
                "streams", 100), Duration.ofSeconds(40));
        assertThat(r.path("ok").asBoolean()).as("js echo result %s", r).isTrue();
        assertThat(r.path("connections").asInt()).isEqualTo(1);
        assertThat(d.counters().echoStreams.get() - before).isEqualTo(100);
        System.err.printf("[connection-interop] %s: 100 js streams in %d ms, peak concurrent Java echo streams %d%n",
                d, r.path("elapsedMs").asLong(), d.counters().echoPeak.get());
        assertThat(d.host().connections()).containsExactly(d.connection());
    }

    // ------------------------------------------------------------------------------------------ half-close, reset

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(6)
    void jsHalfClosesAJavaEchoStream(Dialer d) {
        JsonNode r = js.call("halfclose", Map.of("peer", d.host().peerId().toString(), "bytes", 100_000), T);
        assertThat(r.path("echoedBeforeClose").asInt()).as("duplex before half-close: %s", r).isEqualTo(1000);
        assertThat(r.path("equal").asBoolean()).as("full echo after half-close: %s", r).isTrue();
        assertThat(r.path("received").asInt()).isEqualTo(101_000);
        assertThat(r.path("writeStatusAfterClose").asText()).isEqualTo("closed");
        assertThat(r.path("remoteClosedWrite").asBoolean()).as("Java closed its write side: %s", r).isTrue();
        assertThat(r.path("remoteClosedWriteAfterLocal").asBoolean()).as("only after js did: %s", r).isTrue();
        assertThat(r.path("status").asText()).as("js stream status after both FINs: %s", r).isEqualTo("closed");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(6)
    void javaHalfClosesAJsEchoStream(Dialer d) throws Exception {
        byte[] a = random(1000, 11);
        byte[] b = random(100_000, 12);
        ByteCollector collector = new ByteCollector();
        CompletableFuture<Integer> firstPart = collector.reached(a.length);
        Libp2pStream stream = d.connection().newStream(List.of(HostStreams.ECHO),
                s -> s.channel().pipeline().addLast(collector)).get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(a));
        assertThat(firstPart.get(10, TimeUnit.SECONDS)).as("echo of the first part while both sides are open")
                .isEqualTo(a.length);
        assertThat(stream.channel().isInputShutdown()).isFalse();
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(b));
        stream.channel().closeWrite().get(10, TimeUnit.SECONDS);
        assertThat(stream.channel().isOutputShutdown()).isTrue();

        byte[] echoed = collector.done.get(10, TimeUnit.SECONDS);
        byte[] expected = new byte[a.length + b.length];
        System.arraycopy(a, 0, expected, 0, a.length);
        System.arraycopy(b, 0, expected, a.length, b.length);
        assertThat(echoed).isEqualTo(expected);
        stream.channel().closeFuture().get(5, TimeUnit.SECONDS);
        assertThat(stream.channel().isReset()).isFalse();
        assertNoJsEchoErrors();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(7)
    void jsSeesTheResetOfAJavaHandler(Dialer d) {
        int before = d.counters().resets.get();
        JsonNode r = js.call("reset", Map.of("peer", d.host().peerId().toString()), T);
        assertThat(r.path("reset").asBoolean()).as("js saw a reset: %s", r).isTrue();
        assertThat(r.path("status").asText()).isEqualTo("reset");
        assertThat(r.path("error").path("name").asText()).as("error js read with: %s", r).isEqualTo("StreamResetError");
        assertThat(r.path("closeEventLocal").asBoolean(true)).as("reset came from the remote: %s", r).isFalse();
        assertThat(r.path("sendAfterResetError").isObject()).as("writing after the reset fails: %s", r).isTrue();
        assertThat(r.path("connectionStatus").asText()).isEqualTo("open");
        assertThat(d.counters().resets.get()).isEqualTo(before + 1);
        assertThat(d.connection().isOpen()).isTrue();
        System.err.printf("[connection-interop] %s: js saw reset as %s%n", d, r.path("error"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(7)
    void javaSeesTheResetOfAJsHandler(Dialer d) throws Exception {
        ByteCollector collector = new ByteCollector();
        Libp2pStream stream = d.connection().newStream(List.of(HostStreams.RESET),
                s -> s.channel().pipeline().addLast(collector)).get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(random(64, 21)));
        stream.channel().closeFuture().get(10, TimeUnit.SECONDS);
        assertThat(stream.channel().isReset()).as("stream ended by the peer's reset").isTrue();
        // the pipeline hears of the close after the close future: wait for the collector rather than race it
        assertThatThrownBy(() -> collector.done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("reset: true");
        assertThat(d.connection().isOpen()).isTrue();
        assertThat(d.host().pingService().ping(d.connection(), 1, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS))
                .hasSize(1);
    }

    // ---------------------------------------------------------------------------------------------- wrong peer id

    @Test
    @Order(8)
    void javaRejectsJsWhenTheExpectedPeerIdIsWrong() {
        PeerId impostor = Keys.generateEd25519().publicKey().peerId();
        Multiaddr wrong = js.addresses().get(0).withoutPeerId().withPeerId(impostor);
        try {
            javaDialer.connect(wrong).get(15, TimeUnit.SECONDS);
            fail("dialing " + wrong + " must fail: the node there is " + js.peerId());
        } catch (Exception e) {
            boolean named = false;
            for (Throwable t = e; t != null; t = t.getCause()) {
                String m = String.valueOf(t.getMessage());
                named |= m.contains(impostor.toString()) && m.contains(js.peerId().toString());
            }
            assertThat(named).as("an error in the chain names both %s and %s: %s", impostor, js.peerId(), chain(e))
                    .isTrue();
        }
        assertThat(javaDialer.connection(impostor)).isEmpty();
        assertThat(javaDialer.connections()).containsExactly(dialerConnection);
        assertThat(dialerConnection.isOpen()).isTrue();
    }

    @Test
    @Order(8)
    void jsRejectsJavaWhenTheExpectedPeerIdIsWrong() throws Exception {
        PeerId impostor = Keys.generateEd25519().publicKey().peerId();
        Multiaddr wrong = javaListener.listenAddresses().get(0).withPeerId(impostor);
        JsonNode reply = js.request("dial", Map.of("addr", wrong.toString()), T);
        assertThat(reply.path("ok").asBoolean()).as("js dial of %s (the node there is %s): %s", wrong,
                javaListener.peerId(), reply).isFalse();
        System.err.printf("[connection-interop] js refused the wrong peer id with %s: %s%n",
                reply.path("errorName").asText(), reply.path("error").asText());
        // js 3.1.0: EncryptionFailedError "Payload identity key <real> does not match expected remote identity key <wanted>"
        assertThat(reply.path("error").asText()).as("js error names both ids: %s", reply)
                .contains(javaListener.peerId().toString()).contains(impostor.toString());
        assertThat(js.call("connections", Map.of("peer", impostor.toString()), T)).isEmpty();
        Thread.sleep(200); // let the refused inbound attempt settle on the Java side
        assertThat(javaListener.connections()).containsExactly(listenerConnection);
        assertThat(listenerConnection.isOpen()).isTrue();
    }

    // ------------------------------------------------------------------------------------------------------ perf

    @Test
    @Order(9)
    void perfJavaClientAgainstJsPerfServer() throws Exception {
        String perfPackage = js.started().path("perf").asText("false");
        Assumptions.assumeTrue(!"false".equals(perfPackage),
                "SKIPPED: no js perf implementation is installed in interop/js/node_modules (@libp2p/perf is not "
                        + "in package.json: not published on the registry this machine reaches), so there is no js "
                        + "perf server to test the Java perf client against");
        PerfResult r = new PerfService(javaDialer).run(dialerConnection, 4 << 20, 4 << 20).get(30, TimeUnit.SECONDS);
        assertThat(r.uploadBytes()).isEqualTo(4 << 20);
        assertThat(r.downloadBytes()).isEqualTo(4 << 20);
    }

    // ----------------------------------------------------------------------------------------- connection monitor

    /**
     * js pings every connection every 10 s ({@code /ipfs/ping/1.0.0}, 32 bytes, then close) and aborts the
     * connection if that fails. Runs last: by now (or after a short wait) at least 12 s have passed since the
     * connections opened; each must have served at least one monitor ping (inbound pings beyond those the js
     * {@code ping} command caused), js must have recorded the monitor's RTT, and the connection must be the same.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Dialer.class)
    @Order(Integer.MAX_VALUE)
    void connectionSurvivesTheJsConnectionMonitor(Dialer d) throws Exception {
        Connection c = d.connection();
        Instant deadline = c.openedAt().plusSeconds(30);
        int monitorPings;
        while ((monitorPings = d.counters().inboundPings.get() - jsPingCommands[d.ordinal()]) < 1
                || Duration.between(c.openedAt(), Instant.now()).compareTo(Duration.ofSeconds(12)) < 0) {
            if (Instant.now().isAfter(deadline) || !c.isOpen()) {
                break;
            }
            Thread.sleep(100);
        }
        Duration age = Duration.between(c.openedAt(), Instant.now());
        JsonNode conns = js.call("connections", Map.of("peer", d.host().peerId().toString()), T);
        System.err.printf("[connection-interop] %s: connection age %d ms, monitor pings served %d, js view %s%n",
                d, age.toMillis(), monitorPings, conns);
        assertThat(c.isOpen()).as("connection still open after %s", age).isTrue();
        assertThat(age).isGreaterThanOrEqualTo(Duration.ofSeconds(12));
        assertThat(monitorPings).as("js connection-monitor pings served by Java").isPositive();
        assertThat(d.host().connections()).containsExactly(c);
        assertThat(conns).hasSize(1);
        assertThat(conns.get(0).path("status").asText()).isEqualTo("open");
        assertThat(conns.get(0).path("rtt").isNumber()).as("js recorded a monitor RTT: %s", conns).isTrue();
        assertThat(js.events("peer:disconnect", e -> d.host().peerId().toString().equals(e.path("peer").asText())))
                .isEmpty();
        // js logs (libp2p:*:error, on by default) must not show a failed monitor round on any connection
        assertThat(js.process().process().stderr()).doesNotContain("error during heartbeat")
                .doesNotContain("aborting connection due to ping failure");
    }

    // ---------------------------------------------------------------------------------------------------- helpers

    private static void assertNoJsEchoErrors() {
        JsonNode stats = js.call("stats", Map.of(), T);
        assertThat(stats.path("echo").path("errors")).as("js echo handler errors: %s", stats).isEmpty();
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String chain(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append("\n  ").append(t);
        }
        return sb.toString();
    }
}
