// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behaviour every {@link StreamMuxerSession} must show over a real connection. An implementation's
 * test extends this class and provides {@link #connect}.
 */
@Timeout(60)
public abstract class StreamMuxerContractTest {
    protected static final long WAIT_SECONDS = 10;

    /** A connected client/server pair of sessions; closing it releases every resource. */
    protected interface MuxedPair {
        StreamMuxerSession client();

        StreamMuxerSession server();

        void close() throws Exception;
    }

    /** Connects two sessions; inbound streams of each side get the given initializer. */
    protected abstract MuxedPair connect(ChannelHandler clientInbound, ChannelHandler serverInbound) throws Exception;

    private final List<MuxedPair> pairs = new ArrayList<>();

    protected MuxedPair pair(ChannelHandler clientInbound, ChannelHandler serverInbound) throws Exception {
        MuxedPair p = connect(clientInbound, serverInbound);
        pairs.add(p);
        return p;
    }

    @AfterEach
    void closePairs() throws Exception {
        for (MuxedPair p : pairs) {
            p.close();
        }
        pairs.clear();
    }

    protected static ByteBuf buf(String text) {
        return StreamTestData.buf(text);
    }

    protected static byte[] random(int n, long seed) {
        return StreamTestData.random(n, seed);
    }

    protected static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
    }

    protected static void awaitSuccess(ChannelFuture f) throws InterruptedException {
        assertThat(f.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("completed in time").isTrue();
        assertThat(f.cause()).isNull();
    }

    protected static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    protected static void writeAllAndFin(StreamChannel s, byte[] data, int chunk) {
        StreamTestData.writeAllAndFin(s, data, chunk);
    }

    private void echoRoundTrip(StreamMuxerSession opener) throws Exception {
        RecordingStreamHandler rec = RecordingStreamHandler.recorder();
        StreamChannel s = await(opener.openStream(rec));
        assertThat(s.isInitiator()).isTrue();
        assertThat(s.isActive()).isTrue();
        s.writeAndFlush(buf("hello, muxer"));
        s.closeWrite();
        await(rec.inputShutdown);
        assertThat(rec.text()).isEqualTo("hello, muxer");
        await(rec.inactive);
        assertThat(s.isOpen()).isFalse();
        assertThat(s.isReset()).isFalse();
    }

    @Test
    void clientOpensStreamAndPeerEchoes() throws Exception {
        StreamAcceptor serverAcceptor = StreamAcceptor.echoing();
        MuxedPair p = pair(StreamAcceptor.echoing(), serverAcceptor);
        echoRoundTrip(p.client());
        assertThat(serverAcceptor.streams).hasSize(1);
        assertThat(serverAcceptor.stream(0).isInitiator()).isFalse();
        await(serverAcceptor.handler(0).inactive);
        awaitTrue("streams forgotten", () -> p.client().streamCount() == 0 && p.server().streamCount() == 0);
    }

    @Test
    void serverOpensStreamAndPeerEchoes() throws Exception {
        MuxedPair p = pair(StreamAcceptor.echoing(), StreamAcceptor.echoing());
        echoRoundTrip(p.server());
    }

    @Test
    void hundredConcurrentStreamsEachEchoTheirOwnData() throws Exception {
        MuxedPair p = pair(StreamAcceptor.echoing(), StreamAcceptor.echoing());
        int streams = 100;
        int size = 40_000;
        List<RecordingStreamHandler> recs = new ArrayList<>();
        List<CompletableFuture<StreamChannel>> opens = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            RecordingStreamHandler rec = RecordingStreamHandler.recorder();
            recs.add(rec);
            opens.add(p.client().openStream(rec));
        }
        for (int i = 0; i < streams; i++) {
            writeAllAndFin(await(opens.get(i)), random(size, i), 7_000);
        }
        for (int i = 0; i < streams; i++) {
            await(recs.get(i).inputShutdown);
            assertThat(recs.get(i).bytes()).isEqualTo(random(size, i));
            await(recs.get(i).inactive);
        }
        awaitTrue("streams forgotten", () -> p.client().streamCount() == 0 && p.server().streamCount() == 0);
    }

    @Test
    void largeTransferEchoesIntactBeyondManyWindows() throws Exception {
        MuxedPair p = pair(StreamAcceptor.echoing(), StreamAcceptor.echoing());
        byte[] data = random(6 << 20, 42);
        RecordingStreamHandler rec = RecordingStreamHandler.recorder();
        StreamChannel s = await(p.client().openStream(rec));
        writeAllAndFin(s, data, 100_000);
        await(rec.inputShutdown);
        assertThat(rec.receivedBytes()).isEqualTo(data.length);
        assertThat(rec.bytes()).isEqualTo(data);
    }

    @Test
    void halfCloseKeepsTheOtherDirectionOpen() throws Exception {
        StreamAcceptor serverAcceptor = StreamAcceptor.recording();
        MuxedPair p = pair(StreamAcceptor.recording(), serverAcceptor);
        RecordingStreamHandler rec = RecordingStreamHandler.recorder();
        StreamChannel s = await(p.client().openStream(rec));
        s.writeAndFlush(buf("request"));
        awaitSuccess(s.closeWrite());
        assertThat(s.isOutputShutdown()).isTrue();
        serverAcceptor.awaitStreams(1);
        RecordingStreamHandler serverRec = serverAcceptor.handler(0);
        await(serverRec.inputShutdown);
        assertThat(serverRec.text()).isEqualTo("request");
        StreamChannel serverSide = serverAcceptor.stream(0);
        assertThat(serverSide.isInputShutdown()).isTrue();
        assertThat(serverSide.isOpen()).isTrue();
        assertThat(rec.inputShutdown).isNotDone();
        serverSide.writeAndFlush(buf("response"));
        serverSide.closeWrite();
        await(rec.inputShutdown);
        assertThat(rec.text()).isEqualTo("response");
        await(rec.inactive);
        await(serverRec.inactive);
    }

    @Test
    void resetReachesThePeerAndFailsWrites() throws Exception {
        StreamAcceptor serverAcceptor = StreamAcceptor.recording();
        MuxedPair p = pair(StreamAcceptor.recording(), serverAcceptor);
        StreamChannel s = await(p.client().openStream(RecordingStreamHandler.recorder()));
        s.writeAndFlush(buf("x"));
        serverAcceptor.awaitStreams(1);
        awaitSuccess(s.reset());
        assertThat(s.isReset()).isTrue();
        assertThat(s.isOpen()).isFalse();
        ChannelFuture late = s.writeAndFlush(buf("y"));
        late.await(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(late.isSuccess()).isFalse();
        await(serverAcceptor.handler(0).inactive);
        StreamChannel serverSide = serverAcceptor.stream(0);
        assertThat(serverSide.isReset()).isTrue();
        ChannelFuture serverWrite = serverSide.writeAndFlush(buf("z"));
        serverWrite.await(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(serverWrite.isSuccess()).isFalse();
    }

    @Test
    void closingTheConnectionClosesEveryStreamOnBothSides() throws Exception {
        StreamAcceptor serverAcceptor = StreamAcceptor.recording();
        MuxedPair p = pair(StreamAcceptor.recording(), serverAcceptor);
        CompletableFuture<Throwable> serverClosed = new CompletableFuture<>();
        p.server().addListener(new StreamMuxerSession.Listener() {
            @Override
            public void sessionClosed(StreamMuxerSession session, Throwable cause) {
                serverClosed.complete(cause);
            }
        });
        List<RecordingStreamHandler> recs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            RecordingStreamHandler rec = RecordingStreamHandler.recorder();
            recs.add(rec);
            await(p.client().openStream(rec)).writeAndFlush(buf("data " + i));
        }
        serverAcceptor.awaitStreams(10);
        p.client().close();
        for (RecordingStreamHandler rec : recs) {
            await(rec.inactive);
        }
        for (RecordingStreamHandler rec : serverAcceptor.handlers) {
            await(rec.inactive);
        }
        await(serverClosed);
        assertThat(p.client().isOpen()).isFalse();
        assertThat(p.client().streamCount()).isZero();
        awaitTrue("server forgot streams", () -> p.server().streamCount() == 0);
    }

    @Test
    void closeSendsGoAwayToThePeer() throws Exception {
        MuxedPair p = pair(StreamAcceptor.recording(), StreamAcceptor.recording());
        CompletableFuture<Long> code = new CompletableFuture<>();
        p.server().addListener(new StreamMuxerSession.Listener() {
            @Override
            public void goAwayReceived(StreamMuxerSession session, long errorCode) {
                code.complete(errorCode);
            }
        });
        p.client().close();
        assertThat(await(code)).isZero();
    }

    @Test
    void pingMeasuresTheRoundTrip() throws Exception {
        MuxedPair p = pair(StreamAcceptor.recording(), StreamAcceptor.recording());
        Duration rtt = await(p.client().ping());
        assertThat(rtt).isPositive().isLessThan(Duration.ofSeconds(WAIT_SECONDS));
        assertThat(await(p.server().ping())).isPositive();
    }

    @Test
    void readerWithAutoReadOffStallsTheWriterUntilItReads() throws Exception {
        StreamAcceptor serverAcceptor = StreamAcceptor.recording().autoRead(false);
        MuxedPair p = pair(StreamAcceptor.recording(), serverAcceptor);
        StreamChannel s = await(p.client().openStream(RecordingStreamHandler.recorder()));
        byte[] data = random(4 << 20, 7);
        writeAllAndFin(s, data, 64 * 1024);
        serverAcceptor.awaitStreams(1);
        awaitTrue("writer unwritable", () -> !s.isWritable());
        Thread.sleep(100); // give a misbehaving implementation time to push more
        RecordingStreamHandler serverRec = serverAcceptor.handler(0);
        assertThat(serverRec.receivedBytes()).isZero();
        assertThat(s.isWritable()).isFalse();
        StreamChannel serverSide = serverAcceptor.stream(0);
        serverSide.config().setAutoRead(true);
        await(serverRec.inputShutdown);
        assertThat(serverRec.bytes()).isEqualTo(data);
        assertThat(s.isWritable()).isTrue();
    }
}
