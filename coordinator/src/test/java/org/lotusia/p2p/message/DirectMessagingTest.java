package org.lotusia.p2p.message;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.ByteCollector;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LeakDetectionExtension.class)
class DirectMessagingTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    /** What a sink saw. */
    record Event(byte[] body, ReceiveFailure failure, PeerId peer, Connection connection, String detail) {
    }

    static final class QueueSink implements DirectMessageSink {
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();

        @Override
        public void onMessage(byte[] body, PeerId remotePeer, Connection connection) {
            events.add(new Event(body, null, remotePeer, connection, ""));
        }

        @Override
        public void onFailure(ReceiveFailure failure, PeerId remotePeer, Connection connection, String detail) {
            events.add(new Event(null, failure, remotePeer, connection, detail));
        }

        Event next() throws InterruptedException {
            Event e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("sink event").isNotNull();
            return e;
        }
    }

    private Host alice;
    private Host bob;
    private final QueueSink bobSink = new QueueSink();
    private DirectMessageService bobService;

    @BeforeEach
    void start() {
        alice = Host.builder().listen(LOOPBACK).build();
        bob = Host.builder().listen(LOOPBACK).build();
        alice.start().join();
        bob.start().join();
        bobService = DirectMessageService.builder(bob, bobSink)
                .maxMessageBytes(1000)
                .readTimeout(Duration.ofMillis(500))
                .build();
        bobService.start();
        alice.peerStore().addAddresses(bob.peerId(), bob.listenAddresses());
    }

    @AfterEach
    void stop() {
        bobService.close();
        alice.close();
        bob.close();
    }

    private Connection aliceToBob() throws Exception {
        return alice.connect(bob.shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void deliversAMessageWithTheAuthenticatedRemotePeer() throws Exception {
        P2PProtocol protocol = new P2PProtocol();
        // 'from' claims someone else: the sink must still get the real sender
        P2PMessage m = protocol.createMessage("chat", "hello", "12D3KooWNotAlice");
        byte[] body = protocol.serialize(m);

        MessageSender.send(alice, bob.peerId(), body).get(10, TimeUnit.SECONDS);

        Event e = bobSink.next();
        assertThat(e.failure()).isNull();
        assertThat(e.body()).isEqualTo(body);
        assertThat(e.peer()).isEqualTo(alice.peerId());
        assertThat(e.connection().remotePeer()).isEqualTo(alice.peerId());
        assertThat(protocol.deserialize(e.body())).isEqualTo(m);
    }

    @Test
    void receiverNeverWritesBackAndClosesItsSideCleanly() throws Exception {
        ByteCollector collector = new ByteCollector();
        Libp2pStream stream = aliceToBob().newStream(List.of(DirectMessaging.PROTOCOL_ID),
                s -> s.channel().pipeline().addLast(collector)).get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer("{\"type\":\"t\"}".getBytes(StandardCharsets.UTF_8)));
        stream.channel().closeWrite();
        assertThat(collector.done.get(10, TimeUnit.SECONDS)).isEmpty();
        assertThat(new String(bobSink.next().body(), StandardCharsets.UTF_8)).isEqualTo("{\"type\":\"t\"}");
        stream.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(stream.channel().isReset()).isFalse();
    }

    @Test
    void aMessageAtTheLimitIsDeliveredInManyChunks() throws Exception {
        byte[] body = new byte[1000];
        new Random(5).nextBytes(body);
        Libp2pStream stream = aliceToBob().newStream(List.of(DirectMessaging.PROTOCOL_ID), s -> { })
                .get(10, TimeUnit.SECONDS);
        for (int off = 0; off < body.length; off += 100) {
            stream.channel().writeAndFlush(Unpooled.wrappedBuffer(body, off, 100)).sync();
        }
        stream.channel().closeWrite();
        assertThat(bobSink.next().body()).isEqualTo(body);
    }

    @Test
    void oversizedMessageIsReportedAndTheStreamReset() throws Exception {
        ByteCollector collector = new ByteCollector();
        Libp2pStream stream = aliceToBob().newStream(List.of(DirectMessaging.PROTOCOL_ID),
                s -> s.channel().pipeline().addLast(collector)).get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[600]));
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[401])); // no FIN: the receiver must not wait

        Event e = bobSink.next();
        assertThat(e.failure()).isEqualTo(ReceiveFailure.OVERSIZED);
        assertThat(e.peer()).isEqualTo(alice.peerId());
        assertThat(stream.channel().closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stream.channel().isReset()).isTrue();
        assertThatThrownBy(() -> collector.done.get(5, TimeUnit.SECONDS)).hasMessageContaining("reset: true");
    }

    @Test
    void oversizedViaTheSenderIsReported() throws Exception {
        CompletableFuture<Void> sent = MessageSender.send(aliceToBob(), new byte[50_000]);
        assertThat(bobSink.next().failure()).isEqualTo(ReceiveFailure.OVERSIZED);
        try {
            sent.get(10, TimeUnit.SECONDS);
        } catch (Exception expected) {
            // the reset may arrive before the FIN went out; either outcome is fine
        }
        assertThat(bobSink.events).isEmpty();
    }

    @Test
    void stalledSenderTimesOutAndTheStreamIsReset() throws Exception {
        Libp2pStream stream = aliceToBob().newStream(List.of(DirectMessaging.PROTOCOL_ID), s -> { })
                .get(10, TimeUnit.SECONDS);
        long start = System.nanoTime();
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer("{\"type\":".getBytes(StandardCharsets.UTF_8)));

        Event e = bobSink.next();
        assertThat(e.failure()).isEqualTo(ReceiveFailure.TIMEOUT);
        assertThat(e.detail()).contains("8 bytes");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(stream.channel().closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(stream.channel().isReset()).isTrue();
    }

    @Test
    void silentStreamTimesOutToo() throws Exception {
        Libp2pStream stream = aliceToBob().newStream(List.of(DirectMessaging.PROTOCOL_ID), s -> { })
                .get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.EMPTY_BUFFER);
        assertThat(bobSink.next().failure()).isEqualTo(ReceiveFailure.TIMEOUT);
    }

    @Test
    void emptyStreamIsReportedAsEmpty() throws Exception {
        MessageSender.send(aliceToBob(), new byte[0]).get(10, TimeUnit.SECONDS);
        Event e = bobSink.next();
        assertThat(e.failure()).isEqualTo(ReceiveFailure.EMPTY);
        assertThat(e.peer()).isEqualTo(alice.peerId());
    }

    @Test
    void senderResetIsReportedAsReset() throws Exception {
        Libp2pStream stream = aliceToBob().newStream(List.of(DirectMessaging.PROTOCOL_ID), s -> { })
                .get(10, TimeUnit.SECONDS);
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[10])).sync();
        stream.channel().reset();
        assertThat(bobSink.next().failure()).isEqualTo(ReceiveFailure.RESET);
    }

    @Test
    void manyConcurrentMessagesOnOneConnectionAreAllDelivered() throws Exception {
        Connection c = aliceToBob();
        P2PProtocol protocol = new P2PProtocol();
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            P2PMessage m = protocol.createMessage("n", i, alice.peerId().toString());
            ids.add(m.messageId());
            sends.add(MessageSender.send(c, protocol.serialize(m)));
        }
        CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            Event e = bobSink.next();
            assertThat(e.failure()).as("failure %s", e.detail()).isNull();
            got.add(protocol.deserialize(e.body()).messageId());
        }
        assertThat(got).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void serviceSendsAndStopsServing() throws Exception {
        QueueSink aliceSink = new QueueSink();
        try (DirectMessageService aliceService = DirectMessageService.builder(alice, aliceSink)
                .executor(Runnable::run).build()) {
            aliceService.start();
            aliceService.start(); // idempotent
            bob.peerStore().addAddresses(alice.peerId(), alice.listenAddresses());
            DirectMessageService.builder(bob, bobSink).build().send(alice.peerId(), "{}".getBytes(StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS);
            assertThat(aliceSink.next().peer()).isEqualTo(bob.peerId());
            assertThat(aliceService.maxMessageBytes()).isEqualTo(100_000);
            assertThat(aliceService.readTimeout()).isEqualTo(Duration.ofSeconds(10));
        }
        assertThat(alice.protocols().supports(DirectMessaging.PROTOCOL_ID)).isFalse();
    }
}
