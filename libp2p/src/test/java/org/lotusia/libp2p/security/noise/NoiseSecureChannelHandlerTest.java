package org.lotusia.libp2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.security.SecureChannelException;
import org.lotusia.libp2p.security.SecureSession;
import org.lotusia.libp2p.security.SecureSessionEstablished;
import org.lotusia.libp2p.security.SecurityHandshakeException;
import org.lotusia.libp2p.security.SecurityHandshakeException.Reason;

/** The Netty handlers on two {@link EmbeddedChannel}s wired back to back, with deterministic leak checks. */
class NoiseSecureChannelHandlerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final List<String> YAMUX = List.of("/yamux/1.0.0");

    private final LeakCheckingAllocator alloc = new LeakCheckingAllocator(false);
    private final PrivateKey aliceKey = Keys.generateEd25519();
    private final PrivateKey bobKey = Keys.generateEd25519();
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    /** Records what reaches the end of the pipeline, in order. */
    static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> order = new ArrayList<>();
        final List<Object> events = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        final ByteArrayOutputStream data = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            byte[] bytes = new byte[b.readableBytes()];
            b.readBytes(bytes);
            b.release();
            data.writeBytes(bytes);
            order.add("data:" + bytes.length);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(evt);
            order.add("event:" + evt.getClass().getSimpleName());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            errors.add(cause);
        }

        String text() {
            return data.toString(StandardCharsets.UTF_8);
        }
    }

    final class Side {
        final EmbeddedChannel ch;
        final NoiseSecureChannelHandler handler;
        final Recorder rec = new Recorder();

        Side(NoiseSecureChannelHandler handler) {
            this.handler = handler;
            ch = new EmbeddedChannel();
            ch.config().setAllocator(alloc);
            ch.pipeline().addLast("recorder", rec);
            ch.pipeline().addFirst("noise", handler);
            channels.add(ch);
        }

        CompletableFuture<SecureSession> future() {
            return handler.sessionFuture();
        }

        SecureSession session() {
            assertThat(future()).isCompleted();
            return future().join();
        }
    }

    private Side initiator(PeerId expected, List<String> muxers, ChaChaPolyAead.Kind kind) {
        return new Side(new NoiseSecureChannelHandler(true, aliceKey, expected, muxers, TIMEOUT).aeadKind(kind));
    }

    private Side initiator() {
        return initiator(bobKey.publicKey().peerId(), List.of(), null);
    }

    private Side responder(List<String> muxers, ChaChaPolyAead.Kind kind) {
        return new Side(new NoiseSecureChannelHandler(false, bobKey, null, muxers, TIMEOUT).aeadKind(kind));
    }

    private Side responder() {
        return responder(List.of(), null);
    }

    /** Moves written bytes between the two channels until both are quiet; a closed side closes the other. */
    static void pump(Side a, Side b) {
        boolean moved;
        do {
            moved = move(a, b) | move(b, a);
            if (!a.ch.isOpen() && b.ch.isOpen()) {
                b.ch.close();
                moved = true;
            }
            if (!b.ch.isOpen() && a.ch.isOpen()) {
                a.ch.close();
                moved = true;
            }
            a.ch.runPendingTasks();
            b.ch.runPendingTasks();
        } while (moved);
    }

    private static boolean move(Side from, Side to) {
        boolean moved = false;
        Object m;
        while ((m = from.ch.readOutbound()) != null) {
            moved = true;
            if (to.ch.isOpen()) {
                to.ch.writeInbound(m);
            } else {
                ((ByteBuf) m).release();
            }
        }
        return moved;
    }

    @AfterEach
    void noLeaks() {
        for (EmbeddedChannel ch : channels) {
            ch.finishAndReleaseAll();
        }
        alloc.assertAllReleased();
    }

    @Test
    void handshakeCompletesAndTheHandlerReplacesItself() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        SecureSession sa = a.session();
        SecureSession sb = b.session();
        assertThat(sa.remotePeer()).isEqualTo(bobKey.publicKey().peerId());
        assertThat(sb.remotePeer()).isEqualTo(aliceKey.publicKey().peerId());
        assertThat(sa.initiator()).isTrue();
        assertThat(sb.initiator()).isFalse();
        for (Side s : List.of(a, b)) {
            assertThat(s.rec.events).hasSize(1).first().isInstanceOf(SecureSessionEstablished.class);
            assertThat(((SecureSessionEstablished) s.rec.events.get(0)).session()).isSameAs(s.session());
            assertThat(s.ch.pipeline().get(NoiseSecureChannelHandler.class)).isNull();
            assertThat(s.ch.pipeline().get(NoiseSecureChannelHandler.TRANSPORT_HANDLER_NAME))
                    .isInstanceOf(NoiseTransportCodec.class);
            assertThat(s.rec.errors).isEmpty();
            assertThat(s.ch.isOpen()).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(ChaChaPolyAead.Kind.class)
    void payloadsBothWaysIncludingMoreThanOneMebibyte(ChaChaPolyAead.Kind kind) {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChaChaPolyAead.isAvailable(kind));
        Side a = initiator(null, List.of(), kind);
        Side b = responder(List.of(), kind);
        pump(a, b);
        byte[] big = new byte[1536 * 1024 + 7];
        new Random(1).nextBytes(big);
        ChannelFuture bigWrite = a.ch.writeAndFlush(alloc.wrap(big));
        // inspect the frames: full frames are 2 + 65519 + 16 bytes, none larger
        List<ByteBuf> frames = new ArrayList<>();
        Object m;
        while ((m = a.ch.readOutbound()) != null) {
            frames.add((ByteBuf) m);
        }
        assertThat(frames).hasSize((big.length + 65518) / 65519);
        for (int i = 0; i < frames.size(); i++) {
            ByteBuf f = frames.get(i);
            assertThat(f.getUnsignedShort(f.readerIndex())).isEqualTo(f.readableBytes() - 2);
            if (i < frames.size() - 1) {
                assertThat(f.readableBytes()).isEqualTo(2 + 65519 + 16);
            }
            b.ch.writeInbound(f);
        }
        assertThat(bigWrite.isSuccess()).isTrue();
        assertThat(b.rec.data.toByteArray()).isEqualTo(big);

        byte[] back = new byte[1024 * 1024];
        new Random(2).nextBytes(back);
        b.ch.writeAndFlush(alloc.wrap(back));
        b.ch.writeAndFlush(alloc.wrap("tail".getBytes(StandardCharsets.UTF_8)));
        pump(a, b);
        byte[] got = a.rec.data.toByteArray();
        assertThat(got).hasSize(back.length + 4);
        assertThat(java.util.Arrays.copyOf(got, back.length)).isEqualTo(back);
        assertThat(a.rec.text()).endsWith("tail");
        assertThat(a.rec.errors).isEmpty();
        assertThat(b.rec.errors).isEmpty();
    }

    @Test
    void smallWritesAreCoalescedUntilFlush() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            writes.add(a.ch.write(alloc.wrap(String.format("%09d,", i).getBytes(StandardCharsets.UTF_8))));
        }
        assertThat(a.ch.<Object>readOutbound()).isNull();
        assertThat(writes).noneMatch(ChannelFuture::isDone);
        a.ch.flush();
        ByteBuf frame = a.ch.readOutbound();
        assertThat(frame.readableBytes()).isEqualTo(2 + 1000 + 16);
        assertThat(a.ch.<Object>readOutbound()).isNull();
        b.ch.writeInbound(frame);
        assertThat(writes).allMatch(ChannelFuture::isSuccess);
        assertThat(b.rec.text()).startsWith("000000000,000000001,").endsWith("000000099,");
        assertThat(b.rec.order).containsExactly("event:SecureSessionEstablished", "data:1000");
    }

    @Test
    void emptyWritesCompleteWithoutSendingFrames() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        ChannelFuture f = a.ch.writeAndFlush(alloc.heapBuffer(0));
        assertThat(f.isSuccess()).isTrue();
        ByteBuf out = a.ch.readOutbound();
        assertThat(out.readableBytes()).isZero();
        out.release();
    }

    @Test
    void writesMadeDuringTheHandshakeAreSentAfterIt() {
        Side a = initiator();
        Side b = responder();
        ChannelFuture early = a.ch.writeAndFlush(alloc.wrap("early bird".getBytes(StandardCharsets.UTF_8)));
        assertThat(early.isDone()).isFalse();
        pump(a, b);
        assertThat(early.isSuccess()).isTrue();
        assertThat(b.rec.text()).isEqualTo("early bird");
        assertThat(b.rec.order).containsExactly("event:SecureSessionEstablished", "data:10");
    }

    @Test
    void bytesBehindTheLastHandshakeMessageAreDecryptedNotLost() {
        Side a = initiator();
        Side b = responder();
        // the initiator sends application data as soon as its side completes (while writing message 3)
        a.future().thenAccept(s -> a.ch.writeAndFlush(alloc.wrap("hello".getBytes(StandardCharsets.UTF_8))));
        move(a, b); // message 1
        move(b, a); // message 2; the initiator answers with message 3 and then "hello"
        ByteBuf msg3 = a.ch.readOutbound();
        ByteBuf hello = a.ch.readOutbound();
        assertThat(msg3.readableBytes()).isEqualTo(2 + 48 + 104 + 16);
        assertThat(hello.readableBytes()).isEqualTo(2 + 5 + 16);
        ByteBuf both = alloc.buffer().writeBytes(msg3).writeBytes(hello);
        msg3.release();
        hello.release();
        b.ch.writeInbound(both); // one read holding message 3 and the first transport frame
        assertThat(b.session().remotePeer()).isEqualTo(aliceKey.publicKey().peerId());
        assertThat(b.rec.text()).isEqualTo("hello");
        assertThat(b.rec.order).containsExactly("event:SecureSessionEstablished", "data:5");
    }

    @Test
    void earlyMuxerListsEndUpInTheSessions() {
        Side a = initiator(null, YAMUX, null);
        Side b = responder(List.of("/mplex/6.7.0", "/yamux/1.0.0"), null);
        pump(a, b);
        assertThat(a.session().remoteMuxers()).containsExactly("/mplex/6.7.0", "/yamux/1.0.0");
        assertThat(a.session().selectedMuxer()).isEqualTo("/yamux/1.0.0");
        assertThat(b.session().remoteMuxers()).containsExactly("/yamux/1.0.0");
        assertThat(b.session().selectedMuxer()).isEqualTo("/yamux/1.0.0");
    }

    @Test
    void unexpectedRemotePeerAbortsWithBothIds() {
        PeerId wanted = Keys.generateEd25519().publicKey().peerId();
        Side a = initiator(wanted, List.of(), null);
        Side b = responder();
        ChannelFuture queued = a.ch.writeAndFlush(alloc.wrap(new byte[] {1}));
        pump(a, b);
        assertFailed(a, Reason.PEER_ID_MISMATCH, wanted.toString(), bobKey.publicKey().peerId().toString());
        assertFailed(b, Reason.CONNECTION_CLOSED);
        assertThat(queued.isSuccess()).isFalse();
        assertThat(queued.cause()).isInstanceOf(SecurityHandshakeException.class);
    }

    @Test
    void badSignatureAborts() {
        byte[] sk = new byte[32];
        byte[] pk = new byte[32];
        NoiseXX.generateKeyPair(sk, pk);
        NoiseIdentity forged = NoiseIdentity.withSignature(bobKey, sk, new byte[64]);
        Side a = initiator();
        Side b = new Side(new NoiseSecureChannelHandler(false, forged, null, List.of(), TIMEOUT));
        pump(a, b);
        assertFailed(a, Reason.BAD_SIGNATURE);
        assertFailed(b, Reason.CONNECTION_CLOSED);
    }

    @Test
    void wrongLengthForMessage1ClosesAtOnce() {
        Side b = responder();
        b.ch.writeInbound(alloc.wrap(new byte[] {0, 33, 1, 2, 3})); // announces 33 bytes: rejected before they arrive
        assertFailed(b, Reason.MALFORMED_MESSAGE, "invalid length 33");
    }

    @Test
    void oversizedGarbageMessage2FailsToDecrypt() {
        Side a = initiator();
        ByteBuf msg1 = a.ch.readOutbound();
        msg1.release();
        byte[] junk = new byte[2 + 65535];
        new Random(3).nextBytes(junk);
        junk[0] = (byte) 0xff;
        junk[1] = (byte) 0xff;
        a.ch.writeInbound(alloc.wrap(java.util.Arrays.copyOf(junk, 40000)));
        assertThat(a.ch.isOpen()).isTrue(); // still waiting for the rest of the frame
        a.ch.writeInbound(alloc.wrap(java.util.Arrays.copyOfRange(junk, 40000, junk.length)));
        assertFailed(a, Reason.DECRYPT_FAILED);
    }

    @Test
    void garbageMessage3FailsToDecrypt() {
        Side a = initiator();
        Side b = responder();
        move(a, b);
        ByteBuf msg2 = b.ch.readOutbound();
        msg2.release();
        byte[] junk = new byte[2 + 200];
        new Random(4).nextBytes(junk);
        junk[0] = 0;
        junk[1] = (byte) 200;
        b.ch.writeInbound(alloc.wrap(junk));
        assertFailed(b, Reason.DECRYPT_FAILED);
    }

    @Test
    void truncatedHandshakeFrameThenCloseLeaksNothing() {
        Side b = responder();
        b.ch.writeInbound(alloc.wrap(new byte[] {0, 32, 1, 2, 3, 4}));
        b.ch.close();
        assertFailed(b, Reason.CONNECTION_CLOSED, "waiting for message 1");
    }

    @Test
    void stalledHandshakeTimesOut() {
        Side b = new Side(new NoiseSecureChannelHandler(false, bobKey, null, List.of(), Duration.ofMillis(250)));
        b.ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        b.ch.runPendingTasks();
        assertThat(b.future()).isNotDone();
        b.ch.advanceTimeBy(100, TimeUnit.MILLISECONDS);
        b.ch.runPendingTasks();
        assertFailed(b, Reason.TIMEOUT, "250 ms", "waiting for message 1 as responder");
    }

    @Test
    void garbageTransportFrameClosesWithATypedException() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        byte[] junk = new byte[2 + 100];
        new Random(5).nextBytes(junk);
        junk[0] = 0;
        junk[1] = 100;
        ByteBuf twice = alloc.buffer().writeBytes(junk).writeBytes(junk); // the second frame must be dropped
        b.ch.writeInbound(twice);
        assertClosedWith(b, SecureChannelException.Reason.DECRYPT_FAILED);
        assertThat(b.rec.data.size()).isZero();
    }

    @Test
    void transportFrameShorterThanATagIsRejected() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        b.ch.writeInbound(alloc.wrap(new byte[] {0, 15}));
        assertClosedWith(b, SecureChannelException.Reason.MALFORMED_FRAME);
    }

    @Test
    void replayedTransportFrameIsRejected() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        a.ch.writeAndFlush(alloc.wrap("once".getBytes(StandardCharsets.UTF_8)));
        ByteBuf frame = a.ch.readOutbound();
        ByteBuf copy = alloc.buffer().writeBytes(frame, frame.readerIndex(), frame.readableBytes());
        b.ch.writeInbound(frame);
        b.ch.writeInbound(copy);
        assertThat(b.rec.text()).isEqualTo("once");
        assertClosedWith(b, SecureChannelException.Reason.DECRYPT_FAILED);
    }

    @Test
    void truncatedTransportFrameThenCloseLeaksNothing() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        a.ch.writeAndFlush(alloc.wrap(new byte[1000]));
        ByteBuf frame = a.ch.readOutbound();
        b.ch.writeInbound(frame.retainedSlice(0, 500));
        frame.release();
        b.ch.close();
        assertThat(b.rec.data.size()).isZero();
        assertThat(b.rec.errors).isEmpty();
    }

    @Test
    void writesThatAreNotBytesAreRefused() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        ChannelFuture f = a.ch.writeAndFlush("not bytes");
        assertThat(f.cause()).isInstanceOf(UnsupportedMessageTypeException.class);
    }

    @Test
    void unflushedWritesFailWhenTheChannelCloses() {
        Side a = initiator();
        Side b = responder();
        pump(a, b);
        ChannelFuture f = a.ch.write(alloc.wrap(new byte[10]));
        a.ch.close();
        assertThat(f.isSuccess()).isFalse();
    }

    private static void assertFailed(Side s, Reason reason, String... fragments) {
        assertThat(s.future()).isCompletedExceptionally();
        Throwable t = s.future().handle((v, e) -> e).join();
        assertThat(t).isInstanceOf(SecurityHandshakeException.class);
        assertThat(((SecurityHandshakeException) t).reason()).as(t.getMessage()).isEqualTo(reason);
        for (String f : fragments) {
            assertThat(t.getMessage()).contains(f);
        }
        assertThat(s.ch.isOpen()).isFalse();
        assertThat(s.rec.events).isEmpty();
        assertThat(s.rec.data.size()).isZero();
    }

    private static void assertClosedWith(Side s, SecureChannelException.Reason reason) {
        assertThat(s.ch.isOpen()).isFalse();
        assertThat(s.rec.errors).hasSize(1);
        assertThat(s.rec.errors.get(0)).isInstanceOf(SecureChannelException.class);
        assertThat(((SecureChannelException) s.rec.errors.get(0)).reason()).isEqualTo(reason);
    }
}
