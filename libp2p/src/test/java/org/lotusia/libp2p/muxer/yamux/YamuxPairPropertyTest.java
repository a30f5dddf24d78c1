// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.lotusia.libp2p.muxer.RecordingStreamHandler;
import org.lotusia.libp2p.muxer.StreamAcceptor;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

/**
 * Random traffic between two YamuxHandlers: streams from both sides, writes of random sizes in both
 * directions, readers that pause (autoRead off) and resume, and frames delivered in random batches.
 * Every byte must arrive in order, no session may fail, every stream must end cleanly, nothing may leak.
 */
class YamuxPairPropertyTest {

    private static final class StreamUnderTest {
        StreamChannel initiator;
        RecordingStreamHandler initiatorRec;
        StreamChannel acceptor;
        RecordingStreamHandler acceptorRec;
        final ByteArrayOutputStream toAcceptor = new ByteArrayOutputStream();
        final ByteArrayOutputStream toInitiator = new ByteArrayOutputStream();
    }

    @Property(tries = 40)
    void randomTrafficArrivesIntact(@ForAll long seed) {
        Random r = new Random(seed);
        StreamAcceptor clientAcceptor = StreamAcceptor.recording();
        StreamAcceptor serverAcceptor = StreamAcceptor.recording();
        YamuxConfig config = YamuxConfig.builder().maxFrameSize(1024 + r.nextInt(100_000)).build();
        EmbeddedYamuxPair pair = new EmbeddedYamuxPair(config, clientAcceptor, serverAcceptor);
        try {
            if (r.nextBoolean()) {
                pair.client.rttNanosForTest(1_000_000_000L); // every window consumption counts as fast
            }
            List<StreamUnderTest> streams = new ArrayList<>();
            int count = 1 + r.nextInt(5);
            for (int i = 0; i < count; i++) {
                boolean fromClient = r.nextBoolean();
                YamuxHandler opener = fromClient ? pair.client : pair.server;
                StreamAcceptor peerAcceptor = fromClient ? serverAcceptor : clientAcceptor;
                StreamUnderTest s = new StreamUnderTest();
                s.initiatorRec = RecordingStreamHandler.recorder();
                s.initiator = opener.openStream(s.initiatorRec).join();
                s.initiator.writeAndFlush(TestBufs.pooled(new byte[] {(byte) i})); // makes the peer see it
                s.toAcceptor.write(i);
                pair.pump();
                s.acceptor = peerAcceptor.streams.get(peerAcceptor.streams.size() - 1);
                s.acceptorRec = peerAcceptor.handlers.get(peerAcceptor.handlers.size() - 1);
                streams.add(s);
            }
            for (int step = 0; step < 60; step++) {
                StreamUnderTest s = streams.get(r.nextInt(streams.size()));
                switch (r.nextInt(6)) {
                    case 0 -> write(r, s.initiator, s.toAcceptor);
                    case 1 -> write(r, s.acceptor, s.toInitiator);
                    case 2 -> toggleAutoRead(r.nextBoolean() ? s.initiator : s.acceptor);
                    case 3 -> (r.nextBoolean() ? s.initiator : s.acceptor).read();
                    case 4 -> partialPump(r, pair);
                    default -> pair.pump();
                }
            }
            for (StreamUnderTest s : streams) {
                s.initiator.config().setAutoRead(true);
                s.acceptor.config().setAutoRead(true);
                s.initiator.closeWrite();
                s.acceptor.closeWrite();
            }
            pair.pump();
            for (StreamUnderTest s : streams) {
                assertThat(s.acceptorRec.bytes()).isEqualTo(s.toAcceptor.toByteArray());
                assertThat(s.initiatorRec.bytes()).isEqualTo(s.toInitiator.toByteArray());
                assertThat(s.initiator.isOpen()).isFalse();
                assertThat(s.acceptor.isOpen()).isFalse();
                assertThat(s.initiator.isReset()).isFalse();
            }
            assertThat(pair.clientChannel.isOpen()).isTrue();
            assertThat(pair.serverChannel.isOpen()).isTrue();
            assertThat(pair.client.streamCount()).isZero();
            assertThat(pair.server.streamCount()).isZero();
        } finally {
            pair.close();
        }
        assertThat(LeakDetectionExtension.collect()).isEmpty();
    }

    private static void write(Random r, StreamChannel ch, ByteArrayOutputStream expected) {
        int size = r.nextInt(4) == 0 ? r.nextInt(600_000) : r.nextInt(5_000);
        byte[] data = new byte[size];
        r.nextBytes(data);
        expected.writeBytes(data);
        int off = 0;
        while (off < size) {
            int n = Math.min(size - off, 1 + r.nextInt(70_000));
            ch.write(TestBufs.pooled(data, off, n));
            off += n;
        }
        ch.flush();
    }

    private static void toggleAutoRead(Channel ch) {
        ch.config().setAutoRead(!ch.config().isAutoRead());
    }

    private static void partialPump(Random r, EmbeddedYamuxPair pair) {
        for (int i = r.nextInt(4); i >= 0; i--) {
            Object m = pair.clientChannel.readOutbound();
            if (m != null) {
                pair.serverChannel.writeInbound(m);
            }
            m = pair.serverChannel.readOutbound();
            if (m != null) {
                pair.clientChannel.writeInbound(m);
            }
        }
    }
}
