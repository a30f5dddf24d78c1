// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lotusia.libp2p.muxer.yamux.Frame.ACK;
import static org.lotusia.libp2p.muxer.yamux.Frame.FIN;
import static org.lotusia.libp2p.muxer.yamux.Frame.RST;
import static org.lotusia.libp2p.muxer.yamux.Frame.SYN;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lotusia.libp2p.muxer.MuxerException;
import org.lotusia.libp2p.muxer.RecordingStreamHandler;
import org.lotusia.libp2p.muxer.StreamAcceptor;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.StreamMuxerSession;
import org.lotusia.libp2p.muxer.StreamResetException;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

/** Drives one YamuxHandler with hand-made frames and checks the exact frames it answers with. */
@ExtendWith(LeakDetectionExtension.class)
class YamuxHandlerTest {
    private static final int WINDOW = 256 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    private RawYamuxPeer peer;
    private StreamAcceptor acceptor;

    private RawYamuxPeer start(boolean client, YamuxConfig config, StreamAcceptor acceptor) {
        this.acceptor = acceptor;
        peer = new RawYamuxPeer(client, config, acceptor);
        assertThat(peer.frames()).containsExactly(Frame.ping(SYN, 0));
        return peer;
    }

    private RawYamuxPeer start(boolean client) {
        return start(client, YamuxConfig.defaults(), StreamAcceptor.recording());
    }

    @AfterEach
    void tearDown() {
        if (peer != null) {
            peer.close();
        }
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] payloadOf(List<Frame> frames, long stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            if (f.type() == Frame.DATA && f.streamId() == stream) {
                out.writeBytes(f.payload());
            }
        }
        return out.toByteArray();
    }

    private static void assertProtocolErrorGoAway(RawYamuxPeer p) {
        List<Frame> frames = p.frames();
        assertThat(frames).isNotEmpty();
        assertThat(frames.get(frames.size() - 1)).isEqualTo(Frame.goAway(1));
        assertThat(p.channel.isOpen()).isFalse();
    }

    // ---- the js conversation from interop-notes §0.1 ------------------------------------------------

    @Test
    void answersJsOpeningSequenceAsClient() {
        start(true);
        byte[] mss = "\u0013/multistream/1.0.0\n\u000f/ipfs/id/1.0.0\n".getBytes(StandardCharsets.UTF_8);
        peer.sendBytes(HEX.parseHex("000200010000000000000000" + "000100010000000200000000"
                + "000000000000000200000024" + HEX.formatHex(mss)));
        List<Frame> frames = peer.frames();
        assertThat(frames).extracting(Frame::hexHeader)
                .containsExactly("000200020000000000000000", "000100020000000200000000");
        assertThat(acceptor.streams).hasSize(1);
        StreamChannel s = acceptor.stream(0);
        assertThat(s.streamId()).isEqualTo(2);
        assertThat(s.isInitiator()).isFalse();
        assertThat(s.parent()).isSameAs(peer.channel);
        assertThat(s.eventLoop()).isSameAs(peer.channel.eventLoop());
        assertThat(acceptor.handler(0).bytes()).isEqualTo(mss);
        assertThat(StreamMuxerSession.of(peer.channel)).isSameAs(peer.handler);
    }

    @Test
    void acceptsDataWithSynAsOpen() {
        start(false);
        peer.send(Frame.data(SYN, 1, "hi".getBytes(StandardCharsets.UTF_8)));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(ACK, 1, 0));
        assertThat(acceptor.handler(0).text()).isEqualTo("hi");
    }

    @Test
    void opensStreamsWithWindowUpdateSynAndWritesAtOnce() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        assertThat(s.streamId()).isEqualTo(1);
        assertThat(s.isInitiator()).isTrue();
        assertThat(s.isActive()).isTrue();
        s.write(TestBufs.pooled("a"));
        s.write(TestBufs.pooled("bc"));
        s.writeAndFlush(Unpooled.EMPTY_BUFFER);
        List<Frame> frames = peer.frames();
        assertThat(frames).containsExactly(Frame.windowUpdate(SYN, 1, 0),
                Frame.data(0, 1, "abc".getBytes(StandardCharsets.US_ASCII)));
        assertThat(frames.get(0).hexHeader()).isEqualTo("000100010000000100000000");
        StreamChannel s2 = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        assertThat(s2.streamId()).isEqualTo(3);
        assertThat(peer.handler.ackBacklog()).isEqualTo(2);
        peer.send(Frame.windowUpdate(ACK, 1, 0));
        assertThat(peer.handler.ackBacklog()).isEqualTo(1);
    }

    @Test
    void serverUsesEvenIds() {
        start(false);
        assertThat(peer.handler.openStream(RecordingStreamHandler.recorder()).join().streamId()).isEqualTo(2);
        assertThat(peer.handler.openStream(RecordingStreamHandler.recorder()).join().streamId()).isEqualTo(4);
    }

    @Test
    void largerInitialWindowIsAnnouncedOnSynAndAck() {
        YamuxConfig cfg = YamuxConfig.builder().initialStreamWindow(1 << 20).build();
        start(true, cfg, StreamAcceptor.recording());
        peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        peer.send(Frame.windowUpdate(SYN, 2, 0));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(SYN, 1, (1 << 20) - WINDOW),
                Frame.windowUpdate(ACK, 2, (1 << 20) - WINDOW));
        // The peer may now send a whole MiB at once.
        peer.send(Frame.data(0, 2, new byte[1 << 20]));
        assertThat(peer.channel.isOpen()).isTrue();
        assertThat(acceptor.handler(0).receivedBytes()).isEqualTo(1 << 20);
    }

    // ---- half-close, reset, close -------------------------------------------------------------------

    @Test
    void closeWriteSendsFinAndRemoteFinClosesTheStream() {
        start(false);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        RecordingStreamHandler h = (RecordingStreamHandler) s.pipeline().last();
        s.write(TestBufs.pooled("xyz"));
        ChannelFuture fin = s.closeWrite();
        assertThat(fin.isSuccess()).isTrue();
        assertThat(s.isOutputShutdown()).isTrue();
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(SYN, 2, 0),
                Frame.data(0, 2, "xyz".getBytes(StandardCharsets.US_ASCII)), Frame.windowUpdate(FIN, 2, 0));
        assertThat(s.write(TestBufs.pooled(new byte[] {1})).cause()).isNotNull();
        assertThat(s.isOpen()).isTrue();
        peer.send(Frame.data(ACK | FIN, 2, "ok".getBytes(StandardCharsets.US_ASCII)));
        assertThat(h.text()).isEqualTo("ok");
        assertThat(h.inputShutdown).isDone();
        assertThat(h.inputShutdownReadComplete).isDone();
        assertThat(s.isInputShutdown()).isTrue();
        assertThat(s.isOpen()).isFalse();
        peer.channel.runPendingTasks();
        assertThat(h.inactive).isDone();
        assertThat(s.isReset()).isFalse();
        assertThat(peer.handler.streamCount()).isZero();
        assertThat(peer.frames()).isEmpty();
    }

    @Test
    void remoteFinOnWindowUpdateKeepsStreamWritable() {
        start(true);
        peer.send(Frame.windowUpdate(SYN, 2, 0), Frame.data(0, 2, new byte[] {1, 2}), Frame.windowUpdate(FIN, 2, 0));
        peer.frames();
        StreamChannel s = acceptor.stream(0);
        RecordingStreamHandler h = acceptor.handler(0);
        assertThat(h.bytes()).containsExactly(1, 2);
        assertThat(h.inputShutdown).isDone();
        assertThat(s.isOpen()).isTrue();
        s.writeAndFlush(TestBufs.pooled(new byte[] {3}));
        s.closeWrite();
        assertThat(peer.frames()).containsExactly(Frame.data(0, 2, new byte[] {3}), Frame.windowUpdate(FIN, 2, 0));
        assertThat(s.isOpen()).isFalse();
        assertThat(peer.handler.streamCount()).isZero();
    }

    @Test
    void remoteResetClosesStreamAndFailsPendingWrites() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        RecordingStreamHandler h = (RecordingStreamHandler) s.pipeline().last();
        ChannelFuture big = s.writeAndFlush(TestBufs.pooled(new byte[WINDOW + 10]));
        assertThat(big.isDone()).isFalse(); // 10 bytes wait for window
        peer.frames();
        peer.send(Frame.windowUpdate(RST, 1, 0));
        assertThat(s.isOpen()).isFalse();
        assertThat(s.isReset()).isTrue();
        assertThat(big.cause()).isInstanceOf(StreamResetException.class);
        assertThat(((StreamResetException) big.cause()).isRemote()).isTrue();
        peer.channel.runPendingTasks();
        assertThat(h.inactive).isDone();
        assertThat(peer.frames()).isEmpty();
        assertThat(peer.handler.streamCount()).isZero();
    }

    @Test
    void resetSendsRstAndReleasesUnreadData() {
        start(false, YamuxConfig.defaults(), StreamAcceptor.recording().autoRead(false));
        peer.send(Frame.windowUpdate(SYN, 1, 0), Frame.data(0, 1, new byte[1000]));
        peer.frames();
        StreamChannel s = acceptor.stream(0);
        assertThat(((YamuxStreamChannel) s).bufferedInboundBytes()).isEqualTo(1000);
        assertThat(s.reset().isSuccess()).isTrue();
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(RST, 1, 0));
        assertThat(s.isReset()).isTrue();
        assertThat(s.isOpen()).isFalse();
        assertThat(s.reset().isSuccess()).isTrue();
        assertThat(peer.frames()).isEmpty();
        // Frames for the forgotten stream are ignored.
        peer.send(Frame.data(0, 1, new byte[10]));
        assertThat(peer.frames()).isEmpty();
        assertThat(peer.channel.isOpen()).isTrue();
    }

    @Test
    void closeWithUnsentDataResets() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        ChannelFuture write = s.writeAndFlush(TestBufs.pooled(new byte[WINDOW + 1]));
        peer.frames();
        s.close();
        assertThat(write.isSuccess()).isFalse();
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(RST, 1, 0));
        assertThat(peer.handler.streamCount()).isZero();
    }

    @Test
    void closeWhileRemoteStillOpenSendsFinThenForgetsOnRemoteFin() {
        start(true);
        peer.send(Frame.windowUpdate(SYN, 2, 0));
        peer.frames();
        StreamChannel s = acceptor.stream(0);
        s.close();
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(FIN, 2, 0));
        assertThat(peer.handler.streamCount()).isEqualTo(1);
        peer.send(Frame.windowUpdate(FIN, 2, 0));
        assertThat(peer.handler.streamCount()).isZero();
        assertThat(peer.frames()).isEmpty();
    }

    @Test
    void closeWhileRemoteStillOpenResetsOnLateData() {
        start(true);
        peer.send(Frame.windowUpdate(SYN, 2, 0));
        peer.frames();
        acceptor.stream(0).close();
        peer.frames();
        peer.send(Frame.data(0, 2, new byte[5]));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(RST, 2, 0));
        assertThat(peer.handler.streamCount()).isZero();
    }

    @Test
    void closeWhileRemoteStillOpenResetsAfterTimeout() {
        start(true);
        peer.send(Frame.windowUpdate(SYN, 2, 0));
        peer.frames();
        acceptor.stream(0).close();
        peer.frames();
        peer.advance(9_000);
        peer.send(Frame.ping(ACK, 0)); // keep the connection demonstrably alive
        assertThat(peer.frames()).isEmpty();
        peer.advance(1_000);
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(RST, 2, 0));
        assertThat(peer.handler.streamCount()).isZero();
    }

    @Test
    void dataAfterRemoteFinResetsTheStream() {
        start(true);
        peer.send(Frame.windowUpdate(SYN, 2, 0), Frame.windowUpdate(FIN, 2, 0), Frame.data(0, 2, new byte[3]));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(ACK, 2, 0), Frame.windowUpdate(RST, 2, 0));
        assertThat(acceptor.stream(0).isReset()).isTrue();
        assertThat(peer.channel.isOpen()).isTrue();
    }

    // ---- flow control -------------------------------------------------------------------------------

    @Test
    void sendsNoMoreThanTheWindowAndResumesOnWindowUpdate() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        byte[] data = bytes(WINDOW + 200 * 1024, 1);
        List<ChannelFuture> writes = new ArrayList<>();
        for (int off = 0; off < data.length; off += 50_000) {
            writes.add(s.write(TestBufs.pooled(data, off, Math.min(50_000, data.length - off))));
        }
        s.flush();
        List<Frame> frames = peer.frames();
        assertThat(frames.get(0)).isEqualTo(Frame.windowUpdate(SYN, 1, 0));
        List<Frame> dataFrames = frames.subList(1, frames.size());
        assertThat(dataFrames).allSatisfy(f -> assertThat(f.payload().length).isLessThanOrEqualTo(64 * 1024));
        assertThat(payloadOf(frames, 1)).hasSize(WINDOW);
        assertThat(((YamuxStreamChannel) s).sendWindow()).isZero();
        assertThat(s.isWritable()).isFalse();
        assertThat(writes.get(writes.size() - 1).isDone()).isFalse();
        peer.send(Frame.windowUpdate(ACK, 1, 100 * 1024));
        List<Frame> more = peer.frames();
        assertThat(payloadOf(more, 1)).hasSize(100 * 1024);
        peer.send(Frame.windowUpdate(0, 1, 1 << 20));
        List<Frame> rest = peer.frames();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(payloadOf(frames, 1));
        all.writeBytes(payloadOf(more, 1));
        all.writeBytes(payloadOf(rest, 1));
        assertThat(all.toByteArray()).isEqualTo(data);
        assertThat(writes).allSatisfy(w -> assertThat(w.isSuccess()).isTrue());
        assertThat(s.isWritable()).isTrue();
    }

    @Test
    void finFollowsTheLastDataFrameAsWindowUpdateWhenDataWaitsForWindow() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        s.writeAndFlush(TestBufs.pooled(new byte[WINDOW + 7]));
        ChannelFuture fin = s.closeWrite();
        List<Frame> frames = peer.frames();
        assertThat(frames).noneMatch(f -> (f.flags() & FIN) != 0);
        assertThat(fin.isDone()).isFalse();
        assertThat(s.isOutputShutdown()).isFalse();
        peer.send(Frame.windowUpdate(ACK, 1, 7));
        // Never Data|FIN: js drops the payload of such a frame.
        assertThat(peer.frames()).containsExactly(Frame.data(0, 1, new byte[7]), Frame.windowUpdate(FIN, 1, 0));
        assertThat(fin.isSuccess()).isTrue();
        assertThat(s.isOutputShutdown()).isTrue();
    }

    @Test
    void windowUpdateGoesBackAfterHalfTheWindowIsConsumed() {
        start(false);
        peer.send(Frame.windowUpdate(SYN, 1, 0), Frame.data(0, 1, new byte[64 * 1024]));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(ACK, 1, 0));
        peer.send(Frame.data(0, 1, new byte[64 * 1024]));
        // No round-trip estimate yet (our ping is unanswered), so no auto-tuning: credit = consumed.
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(0, 1, 128 * 1024));
        YamuxStreamChannel s = (YamuxStreamChannel) acceptor.stream(0);
        assertThat(s.receiveCredit()).isEqualTo(WINDOW);
    }

    @Test
    void windowGrowsWhenConsumedWithinFourRoundTrips() {
        start(false);
        peer.handler.rttNanosForTest(Duration.ofSeconds(1).toNanos());
        peer.send(Frame.windowUpdate(SYN, 1, 0), Frame.data(0, 1, new byte[128 * 1024]));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(ACK, 1, 0),
                Frame.windowUpdate(0, 1, 128 * 1024 + WINDOW));
        YamuxStreamChannel s = (YamuxStreamChannel) acceptor.stream(0);
        assertThat(s.receiveWindow()).isEqualTo(2 * WINDOW);
        long expectedWindow = 2 * WINDOW;
        while (expectedWindow < (16 << 20)) {
            int half = (int) (expectedWindow / 2);
            peer.send(Frame.data(0, 1, new byte[half]));
            expectedWindow = Math.min(expectedWindow * 2, 16 << 20);
            assertThat(s.receiveWindow()).isEqualTo(expectedWindow);
            peer.frames();
        }
        // Slow consumption (more than 4 RTT between updates) does not grow it further, nor does the cap.
        peer.advance(5_000);
        peer.send(Frame.data(0, 1, new byte[8 << 20]));
        assertThat(s.receiveWindow()).isEqualTo(16 << 20);
        assertThat(s.receiveCredit()).isEqualTo(16 << 20);
    }

    @Test
    void autoReadOffBuffersWithoutCreditUntilRead() {
        start(false, YamuxConfig.defaults(), StreamAcceptor.recording().autoRead(false));
        peer.send(Frame.windowUpdate(SYN, 1, 0));
        for (int i = 0; i < 4; i++) {
            peer.send(Frame.data(0, 1, new byte[64 * 1024]));
        }
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(ACK, 1, 0));
        YamuxStreamChannel s = (YamuxStreamChannel) acceptor.stream(0);
        RecordingStreamHandler h = acceptor.handler(0);
        assertThat(h.receivedBytes()).isZero();
        assertThat(s.bufferedInboundBytes()).isEqualTo(WINDOW);
        assertThat(s.receiveCredit()).isZero();
        s.read();
        assertThat(h.receivedBytes()).isEqualTo(WINDOW);
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(0, 1, WINDOW));
        // A FIN behind buffered data is delivered only after the data.
        peer.send(Frame.data(FIN, 1, new byte[10]));
        assertThat(h.inputShutdown).isNotDone();
        s.read();
        assertThat(h.receivedBytes()).isEqualTo(WINDOW + 10);
        assertThat(h.inputShutdown).isDone();
    }

    @Test
    void windowViolationIsProtocolError() {
        start(false, YamuxConfig.defaults(), StreamAcceptor.recording().autoRead(false));
        peer.send(Frame.windowUpdate(SYN, 1, 0), Frame.data(0, 1, new byte[WINDOW]));
        assertThat(peer.channel.isOpen()).isTrue();
        peer.frames();
        RecordingStreamHandler h = acceptor.handler(0);
        peer.send(Frame.data(0, 1, new byte[1]));
        assertProtocolErrorGoAway(peer);
        peer.channel.runPendingTasks();
        assertThat(h.inactive).isDone();
    }

    @Test
    void peerMayUseWindowUpdateDeltasUpToUint32() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        peer.send(Frame.windowUpdate(ACK, 1, 0xFFFF_FFFFL));
        assertThat(((YamuxStreamChannel) s).sendWindow()).isEqualTo(0xFFFF_FFFFL);
        assertThat(peer.channel.isOpen()).isTrue();
    }

    // ---- protocol errors ----------------------------------------------------------------------------

    static Stream<Arguments> malformedInput() {
        byte[] badVersion = Frame.ping(SYN, 1).encode();
        badVersion[0] = 1;
        return Stream.of(
                Arguments.of("bad version", badVersion),
                Arguments.of("unknown type", new Frame(7, 0, 0, 0, new byte[0]).encode()),
                Arguments.of("data on stream 0", Frame.data(0, 0, new byte[3]).encode()),
                Arguments.of("window update on stream 0", Frame.windowUpdate(SYN, 0, 0).encode()),
                Arguments.of("ping on a stream", new Frame(Frame.PING, SYN, 1, 0, new byte[0]).encode()),
                Arguments.of("go away on a stream", new Frame(Frame.GO_AWAY, 0, 1, 0, new byte[0]).encode()),
                Arguments.of("oversized length", HEX.parseHex("000000010000000101000001")),
                Arguments.of("wrong parity SYN", Frame.windowUpdate(SYN, 4, 0).encode()),
                Arguments.of("duplicate SYN", Frame.concat(Frame.windowUpdate(SYN, 3, 0), Frame.windowUpdate(SYN, 3, 0))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedInput")
    void malformedInputEndsSessionWithProtocolError(String name, byte[] wire) {
        start(false);
        StreamChannel open = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        RecordingStreamHandler h = (RecordingStreamHandler) open.pipeline().last();
        peer.frames();
        // A ping behind the bad frame in the same buffer must not be answered.
        byte[] ping = Frame.ping(SYN, 9).encode();
        byte[] input = java.util.Arrays.copyOf(wire, wire.length + ping.length);
        System.arraycopy(ping, 0, input, wire.length, ping.length);
        peer.sendBytes(input);
        List<Frame> frames = peer.frames();
        assertThat(frames).last().isEqualTo(Frame.goAway(1));
        assertThat(frames).doesNotContain(Frame.ping(ACK, 9));
        assertThat(peer.channel.isOpen()).isFalse();
        peer.channel.runPendingTasks();
        assertThat(h.inactive).isDone();
        assertThat(peer.handler.isOpen()).isFalse();
    }

    @Test
    void truncatedFrameAtConnectionEndIsReleased() {
        start(false);
        byte[] frame = Frame.data(SYN, 1, new byte[100]).encode();
        peer.sendBytes(java.util.Arrays.copyOf(frame, 60));
        peer.channel.close();
        peer.channel.runPendingTasks();
        assertThat(acceptor.handler(0).inactive).isDone();
    }

    // ---- limits -------------------------------------------------------------------------------------

    @Test
    void inboundStreamsBeyondTheLimitAreReset() {
        start(true, YamuxConfig.builder().maxInboundStreams(4).build(), StreamAcceptor.recording());
        List<Frame> syns = new ArrayList<>();
        for (int id = 2; id <= 20; id += 2) {
            syns.add(Frame.windowUpdate(SYN, id, 0));
        }
        peer.send(syns.toArray(new Frame[0]));
        List<Frame> answers = peer.frames();
        assertThat(answers).filteredOn(f -> f.flags() == ACK).hasSize(4);
        assertThat(answers).filteredOn(f -> f.flags() == RST).extracting(Frame::streamId)
                .containsExactly(10L, 12L, 14L, 16L, 18L, 20L);
        assertThat(acceptor.streams).hasSize(4);
        assertThat(peer.handler.inboundStreamCount()).isEqualTo(4);
        // Still healthy: pings answered, a freed slot is reusable.
        peer.send(Frame.ping(SYN, 77));
        assertThat(peer.frames()).containsExactly(Frame.ping(ACK, 77));
        acceptor.stream(0).reset();
        peer.send(Frame.windowUpdate(SYN, 22, 0));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(RST, 2, 0), Frame.windowUpdate(ACK, 22, 0));
    }

    @Test
    void nullInboundInitializerRefusesStreams() {
        peer = new RawYamuxPeer(true, YamuxConfig.defaults(), null);
        peer.frames();
        peer.send(Frame.windowUpdate(SYN, 2, 0));
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(RST, 2, 0));
    }

    @Test
    void opensBeyondTheAckBacklogWaitForAcks() {
        start(true, YamuxConfig.builder().maxAckBacklog(2).build(), StreamAcceptor.recording());
        CompletableFuture<StreamChannel> a = peer.handler.openStream(RecordingStreamHandler.recorder());
        CompletableFuture<StreamChannel> b = peer.handler.openStream(RecordingStreamHandler.recorder());
        CompletableFuture<StreamChannel> c = peer.handler.openStream(RecordingStreamHandler.recorder());
        assertThat(a).isDone();
        assertThat(b).isDone();
        assertThat(c).isNotDone();
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(SYN, 1, 0), Frame.windowUpdate(SYN, 3, 0));
        peer.send(Frame.data(ACK, 3, new byte[1]));
        assertThat(c).isDone();
        assertThat(c.join().streamId()).isEqualTo(5);
        assertThat(peer.frames()).containsExactly(Frame.windowUpdate(SYN, 5, 0));
    }

    @Test
    void outboundStreamLimitFailsOpens() {
        start(true, YamuxConfig.builder().maxOutboundStreams(1).build(), StreamAcceptor.recording());
        peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        assertThat(peer.handler.openStream(RecordingStreamHandler.recorder()))
                .failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(MuxerException.class);
    }

    @Test
    void unknownStreamIdsAreIgnored() {
        start(false);
        peer.send(Frame.windowUpdate(0, 99, 5), Frame.data(0, 99, new byte[100]), Frame.windowUpdate(FIN, 98, 0),
                Frame.windowUpdate(RST, 97, 0), Frame.ping(SYN, 3));
        assertThat(peer.frames()).containsExactly(Frame.ping(ACK, 3));
        assertThat(peer.channel.isOpen()).isTrue();
    }

    @Test
    void nonByteBufWritesFail() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        assertThat(s.writeAndFlush("text").cause()).isInstanceOf(UnsupportedOperationException.class);
        assertThat(s.isOpen()).isTrue();
    }

    // ---- ping, keep-alive, go-away ------------------------------------------------------------------

    @Test
    void answersPingsAndIgnoresUnsolicitedAnswers() {
        start(true);
        peer.send(Frame.ping(SYN, 0xFFFF_FFFFL), Frame.ping(ACK, 12345));
        assertThat(peer.frames()).containsExactly(Frame.ping(ACK, 0xFFFF_FFFFL));
        assertThat(peer.channel.isOpen()).isTrue();
    }

    @Test
    void userPingMeasuresRoundTrip() {
        start(true);
        CompletableFuture<Duration> rtt = peer.handler.ping();
        assertThat(peer.frames()).containsExactly(Frame.ping(SYN, 1));
        peer.advance(3);
        peer.send(Frame.ping(ACK, 1));
        assertThat(rtt.join()).isEqualTo(Duration.ofMillis(3));
        assertThat(peer.handler.rttNanos()).isEqualTo(Duration.ofMillis(3).toNanos());
    }

    @Test
    void sendsKeepAlivePingsAndClosesWhenUnanswered() {
        start(true);
        peer.send(Frame.ping(ACK, 0));
        peer.advance(30_000);
        assertThat(peer.frames()).containsExactly(Frame.ping(SYN, 1));
        // Answer arrives: next keep-alive 30 s later.
        peer.send(Frame.ping(ACK, 1));
        peer.advance(30_000);
        assertThat(peer.frames()).containsExactly(Frame.ping(SYN, 2));
        // Unanswered but the peer keeps sending: still alive.
        peer.advance(10_000);
        peer.send(Frame.windowUpdate(0, 99, 1));
        peer.advance(10_000);
        assertThat(peer.channel.isOpen()).isTrue();
        // Silence for a full timeout: connection closed.
        peer.advance(15_000);
        List<Frame> last = peer.frames();
        assertThat(last).containsExactly(Frame.goAway(2));
        assertThat(peer.channel.isOpen()).isFalse();
    }

    @Test
    void goAwayNormalStopsNewStreamsButKeepsExistingOnes() {
        start(true);
        List<Long> codes = new ArrayList<>();
        peer.handler.addListener(new StreamMuxerSession.Listener() {
            @Override
            public void goAwayReceived(StreamMuxerSession session, long errorCode) {
                codes.add(errorCode);
            }
        });
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        peer.frames();
        peer.send(Frame.goAway(0));
        assertThat(codes).containsExactly(0L);
        assertThat(peer.handler.isOpen()).isFalse();
        assertThat(peer.handler.openStream(RecordingStreamHandler.recorder())).isCompletedExceptionally();
        s.writeAndFlush(TestBufs.pooled(new byte[] {1}));
        assertThat(peer.frames()).containsExactly(Frame.data(0, 1, new byte[] {1}));
        assertThat(peer.channel.isOpen()).isTrue();
    }

    @Test
    void goAwayWithErrorClosesConnection() {
        start(true);
        StreamChannel s = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        ChannelFuture pending = s.writeAndFlush(TestBufs.pooled(new byte[WINDOW + 1]));
        peer.frames();
        peer.send(Frame.goAway(2));
        assertThat(peer.channel.isOpen()).isFalse();
        assertThat(pending.cause()).isInstanceOf(YamuxException.class);
        assertThat(((YamuxException) pending.cause()).isRemote()).isTrue();
        assertThat(peer.frames()).isEmpty();
    }

    @Test
    void closingTheConnectionSendsGoAwayAndClosesStreams() {
        start(false, YamuxConfig.defaults(), StreamAcceptor.recording().autoRead(false));
        List<Throwable> closed = new ArrayList<>();
        peer.handler.addListener(new StreamMuxerSession.Listener() {
            @Override
            public void sessionClosed(StreamMuxerSession session, Throwable cause) {
                closed.add(cause == null ? new Exception("none") : cause);
            }
        });
        peer.send(Frame.windowUpdate(SYN, 1, 0), Frame.data(0, 1, new byte[4096]));
        StreamChannel out = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        RecordingStreamHandler outHandler = (RecordingStreamHandler) out.pipeline().last();
        peer.frames();
        peer.handler.close();
        assertThat(peer.frames()).containsExactly(Frame.goAway(0));
        assertThat(peer.channel.isOpen()).isFalse();
        peer.channel.runPendingTasks();
        assertThat(acceptor.handler(0).inactive).isDone();
        assertThat(outHandler.inactive).isDone();
        assertThat(closed).hasSize(1);
        assertThat(peer.handler.streamCount()).isZero();
        assertThat(peer.handler.openStream(RecordingStreamHandler.recorder())).isCompletedExceptionally();
        assertThat(peer.handler.ping()).isCompletedExceptionally();
    }

    @Test
    void refusesNewStreamsAfterSendingGoAway() {
        start(false);
        peer.handler.close();
        peer.frames();
        assertThat(peer.handler.isOpen()).isFalse();
    }

    @Test
    void controlFrameFloodOnUnwritableConnectionIsCutOff() {
        YamuxConfig cfg = YamuxConfig.builder().maxQueuedControlFrames(100).build();
        start(true, cfg, StreamAcceptor.recording());
        peer.channel.config().setWriteBufferWaterMark(new io.netty.channel.WriteBufferWaterMark(1, 2));
        peer.channel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
        assertThat(peer.channel.isWritable()).isFalse();
        Frame[] pings = new Frame[150];
        for (int i = 0; i < pings.length; i++) {
            pings[i] = Frame.ping(SYN, i);
        }
        peer.send(pings);
        assertThat(peer.channel.isOpen()).isFalse();
    }

    @Test
    void listenersSeeStreamsOpenAndClose() {
        start(true);
        List<String> events = new ArrayList<>();
        StreamMuxerSession.Listener listener = new StreamMuxerSession.Listener() {
            @Override
            public void streamOpened(StreamMuxerSession session, StreamChannel stream) {
                events.add("open " + stream.streamId());
            }

            @Override
            public void streamClosed(StreamMuxerSession session, StreamChannel stream) {
                events.add("closed " + stream.streamId());
            }
        };
        peer.handler.addListener(listener);
        peer.handler.addListener(new StreamMuxerSession.Listener() {
            @Override
            public void streamOpened(StreamMuxerSession session, StreamChannel stream) {
                IllegalStateException e = new IllegalStateException("a broken listener must not break the session");
                e.setStackTrace(new StackTraceElement[0]); // keep the expected WARN log short
                throw e;
            }
        });
        StreamChannel out = peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        peer.send(Frame.windowUpdate(SYN, 2, 0));
        out.reset();
        peer.send(Frame.windowUpdate(RST, 2, 0));
        assertThat(events).containsExactly("open 1", "open 2", "closed 1", "closed 2");
        peer.handler.removeListener(listener);
        peer.handler.openStream(RecordingStreamHandler.recorder()).join();
        assertThat(events).hasSize(4);
        assertThat(peer.handler.streamCount()).isEqualTo(1);
    }

    @Test
    void streamToStringAndIdsAreInformative() {
        start(true);
        StreamChannel s = peer.handler.openStream(new ChannelInboundHandlerAdapter()).join();
        assertThat(s.toString()).contains("/1", "out", "open");
        assertThat(s.id().asShortText()).endsWith("/1");
        assertThat(s.session()).isSameAs(peer.handler);
        assertThat(s.remoteAddress()).isEqualTo(peer.channel.remoteAddress());
    }
}
