package org.lotusia.libp2p.host;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.Version;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.protocols.identify.IdentifyService;
import org.lotusia.libp2p.protocols.perf.PerfResult;
import org.lotusia.libp2p.protocols.perf.PerfService;
import org.lotusia.libp2p.protocols.ping.PingService;
import org.lotusia.libp2p.testing.ByteCollector;
import org.lotusia.libp2p.testing.EchoHandler;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LeakDetectionExtension.class)
class HostTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    private static final String LIMITED_ECHO = "/test/limited-echo/1.0.0";

    private Host alice;
    private Host bob;

    @BeforeEach
    void start() {
        alice = Host.builder().listen(LOOPBACK).build();
        bob = Host.builder().listen(LOOPBACK).build();
        alice.start().join();
        bob.start().join();
        for (Host host : List.of(alice, bob)) {
            host.setStreamHandler(EchoHandler.PROTOCOL, s -> s.channel().pipeline().addLast(new EchoHandler()), 200);
            host.setStreamHandler(LIMITED_ECHO, s -> s.channel().pipeline().addLast(new EchoHandler()), 2);
        }
    }

    @AfterEach
    void stop() {
        alice.close();
        bob.close();
    }

    private Connection aliceDialsBob() throws Exception {
        return alice.connect(bob.shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void listenOnPortZeroReportsTheRealPort() {
        Multiaddr address = bob.listenAddresses().get(0);
        assertThat(address.toString()).startsWith("/ip4/127.0.0.1/tcp/").doesNotEndWith("/tcp/0");
        assertThat(bob.shareableAddresses().get(0).getPeerId()).contains(bob.peerId());
    }

    @Test
    void connectingAuthenticatesBothSidesAndIdentifyFillsThePeerStores() throws Exception {
        CompletableFuture<Connection> bobSawAlice = new CompletableFuture<>();
        CompletableFuture<PeerRecordView> bobIdentifiedAlice = new CompletableFuture<>();
        bob.addListener(new HostListener() {
            @Override
            public void connectionOpened(Connection connection) {
                bobSawAlice.complete(connection);
            }

            @Override
            public void peerIdentified(PeerId peer, PeerRecordView info) {
                bobIdentifiedAlice.complete(info);
            }
        });

        Connection connection = aliceDialsBob();

        assertThat(connection.remotePeer()).isEqualTo(bob.peerId());
        assertThat(connection.direction()).isEqualTo(Direction.OUTBOUND);
        Connection inbound = bobSawAlice.get(5, TimeUnit.SECONDS);
        assertThat(inbound.remotePeer()).isEqualTo(alice.peerId());
        assertThat(inbound.direction()).isEqualTo(Direction.INBOUND);
        assertThat(connection.secureSession().selectedMuxer()).isEqualTo("/yamux/1.0.0");

        alice.identifyService().identification(bob.peerId()).orElseThrow().get(5, TimeUnit.SECONDS);
        PeerRecordView bobAsSeenByAlice = alice.peerStore().get(bob.peerId()).orElseThrow();
        assertThat(bobAsSeenByAlice.protocols()).contains(PingService.PROTOCOL, IdentifyService.PROTOCOL,
                IdentifyService.PUSH_PROTOCOL, EchoHandler.PROTOCOL);
        assertThat(bobAsSeenByAlice.agentVersion()).contains(Version.agentVersion());
        assertThat(bobAsSeenByAlice.addresses()).containsExactlyElementsOf(bob.listenAddresses());
        assertThat(bobAsSeenByAlice.publicKey()).contains(bob.identity().publicKey());

        PeerRecordView aliceAsSeenByBob = bobIdentifiedAlice.get(5, TimeUnit.SECONDS);
        assertThat(aliceAsSeenByBob.peerId()).isEqualTo(alice.peerId());
        assertThat(aliceAsSeenByBob.addresses()).containsExactlyElementsOf(alice.listenAddresses());
    }

    @Test
    void identifyPushTellsConnectedPeersAboutNewProtocols() throws Exception {
        aliceDialsBob();
        alice.identifyService().identification(bob.peerId()).orElseThrow().get(5, TimeUnit.SECONDS);
        assertThat(alice.peerStore().protocols(bob.peerId())).doesNotContain("/test/added-later/1.0.0");
        CompletableFuture<PeerRecordView> pushed = new CompletableFuture<>();
        alice.addListener(new HostListener() {
            @Override
            public void peerIdentified(PeerId peer, PeerRecordView info) {
                if (info.protocols().contains("/test/added-later/1.0.0")) {
                    pushed.complete(info);
                }
            }
        });

        bob.setStreamHandler("/test/added-later/1.0.0", s -> s.channel().close());

        assertThat(pushed.get(5, TimeUnit.SECONDS).peerId()).isEqualTo(bob.peerId());
        assertThat(alice.peerStore().protocols(bob.peerId())).contains("/test/added-later/1.0.0", EchoHandler.PROTOCOL);
    }

    @Test
    void pingMeasuresRoundTrips() throws Exception {
        aliceDialsBob();
        List<Duration> rtts = alice.pingService().ping(bob.peerId(), 5, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
        assertThat(rtts).hasSize(5).allSatisfy(rtt -> assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(5)));
    }

    @Test
    void echoesOneMebibyteEachWayOnOneStream() throws Exception {
        byte[] payload = new byte[1 << 20];
        new Random(7).nextBytes(payload);
        ByteCollector collector = new ByteCollector();

        Libp2pStream stream = alice.connect(bob.shareableAddresses().get(0))
                .thenCompose(c -> c.newStream(List.of(EchoHandler.PROTOCOL), s -> s.channel().pipeline().addLast(collector)))
                .get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(payload));
        stream.channel().closeWrite();

        assertThat(collector.done.get(20, TimeUnit.SECONDS)).isEqualTo(payload);
        assertThat(stream.protocol()).isEqualTo(EchoHandler.PROTOCOL);
    }

    @Test
    void carriesAHundredConcurrentStreamsOnOneConnection() throws Exception {
        Connection connection = aliceDialsBob();
        List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            byte[] payload = ("stream " + i + " ").repeat(100 + i).getBytes();
            sent.add(payload);
            ByteCollector collector = new ByteCollector();
            echoes.add(collector.done);
            connection.newStream(List.of(EchoHandler.PROTOCOL), s -> {
                s.channel().pipeline().addLast(collector);
                s.channel().writeAndFlush(Unpooled.wrappedBuffer(payload));
                s.channel().closeWrite();
            });
        }
        for (int i = 0; i < 100; i++) {
            assertThat(echoes.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(sent.get(i));
        }
        assertThat(alice.connections()).hasSize(1);
    }

    @Test
    void inboundStreamsBeyondTheProtocolLimitAreResetWhileOthersContinue() throws Exception {
        Connection connection = aliceDialsBob();
        List<ByteCollector> open = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ByteCollector collector = new ByteCollector();
            open.add(collector);
            connection.newStream(List.of(LIMITED_ECHO), s -> s.channel().pipeline().addLast(collector)).get(5, TimeUnit.SECONDS);
        }
        ByteCollector third = new ByteCollector();
        CompletableFuture<Libp2pStream> refused =
                connection.newStream(List.of(LIMITED_ECHO), s -> s.channel().pipeline().addLast(third));

        // The reset may beat the echo (negotiation fails) or follow it (the stream dies): either way it ends.
        assertThatThrownBy(() -> refused.thenCompose(s -> third.done).get(5, TimeUnit.SECONDS))
                .isInstanceOf(java.util.concurrent.ExecutionException.class);
        assertThat(connection.isOpen()).isTrue();
        assertThat(alice.pingService().ping(bob.peerId()).get(5, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void concurrentDialsToOnePeerShareOneConnection() throws Exception {
        Multiaddr address = bob.shareableAddresses().get(0);
        List<CompletableFuture<Connection>> dials = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            dials.add(alice.connect(address));
        }
        Connection first = dials.get(0).get(10, TimeUnit.SECONDS);
        for (CompletableFuture<Connection> dial : dials) {
            assertThat(dial.get(10, TimeUnit.SECONDS)).isSameAs(first);
        }
        assertThat(alice.connections()).hasSize(1);
    }

    @Test
    void dialingWithTheWrongPeerIdIsRejected() {
        PeerId impostor = Keys.generateEd25519().publicKey().peerId();
        Multiaddr wrong = bob.listenAddresses().get(0).withPeerId(impostor);

        assertThatThrownBy(() -> alice.connect(wrong).get(10, TimeUnit.SECONDS))
                .rootCause()
                .hasMessageContaining(impostor.toString())
                .hasMessageContaining(bob.peerId().toString());
        assertThat(alice.connections()).isEmpty();
    }

    @Test
    void unsupportedProtocolsFailCleanlyAndKeepTheConnection() throws Exception {
        Connection connection = aliceDialsBob();
        CompletableFuture<Libp2pStream> stream = connection.newStream(List.of("/nobody/speaks/this"), s -> { });
        assertThatThrownBy(() -> stream.get(5, TimeUnit.SECONDS)).hasMessageContaining("/nobody/speaks/this");
        assertThat(alice.pingService().ping(bob.peerId()).get(5, TimeUnit.SECONDS)).isPositive();
    }

    @Test
    void perfMovesTheRequestedBytesBothWays() throws Exception {
        new PerfService(bob).serve();
        Connection connection = aliceDialsBob();
        PerfResult result = new PerfService(alice).run(connection, 8 << 20, 16 << 20).get(30, TimeUnit.SECONDS);
        assertThat(result.uploadBytes()).isEqualTo(8 << 20);
        assertThat(result.downloadBytes()).isEqualTo(16 << 20);
        assertThat(result.totalTime()).isPositive();
    }

    @Test
    void disconnectClosesAndNotifiesBothSides() throws Exception {
        CompletableFuture<Connection> bobLost = new CompletableFuture<>();
        bob.addListener(new HostListener() {
            @Override
            public void connectionClosed(Connection connection) {
                bobLost.complete(connection);
            }
        });
        aliceDialsBob();
        alice.disconnect(bob.peerId()).get(5, TimeUnit.SECONDS);
        assertThat(bobLost.get(5, TimeUnit.SECONDS).remotePeer()).isEqualTo(alice.peerId());
        assertThat(alice.isConnected(bob.peerId())).isFalse();
    }

    @Test
    void aDialRefusedAtOnceDoesNotPoisonLaterDialsToThatPeer() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean refuse = new java.util.concurrent.atomic.AtomicBoolean(true);
        try (Host carol = Host.builder().gater(new ConnectionGater() {
            @Override
            public boolean allowDial(PeerId peer, Multiaddr address) {
                return !refuse.get();
            }
        }).build()) {
            carol.start().join();
            Multiaddr bobAddress = bob.shareableAddresses().get(0);
            assertThatThrownBy(() -> carol.connect(bobAddress).get(5, TimeUnit.SECONDS)).hasMessageContaining("gater");

            refuse.set(false);
            for (int round = 0; round < 5; round++) {
                Connection connection = carol.connect(bobAddress).get(10, TimeUnit.SECONDS);
                assertThat(connection.isOpen()).isTrue();
                assertThat(carol.pingService().ping(connection, 1, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS)).hasSize(1);
                carol.disconnect(bob.peerId()).get(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void dialingSelfIsRefused() {
        assertThatThrownBy(() -> alice.connect(alice.shareableAddresses().get(0)).get(5, TimeUnit.SECONDS))
                .hasMessageContaining("self");
    }

    @Test
    void dialingAClosedPortFailsQuickly() throws Exception {
        Multiaddr closed;
        try (Host temporary = Host.builder().listen(LOOPBACK).build()) {
            temporary.start().join();
            closed = temporary.shareableAddresses().get(0);
        }
        CompletableFuture<Connection> dial = alice.connect(closed);
        assertThatThrownBy(() -> dial.get(10, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.ExecutionException.class);
    }
}
