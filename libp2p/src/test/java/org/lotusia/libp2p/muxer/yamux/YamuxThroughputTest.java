// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.muxer.StreamAcceptor;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

/**
 * Bulk transfer over loopback TCP through two YamuxHandlers (no encryption), writing only while the
 * stream is writable. Checks completeness and prints the rate; it asserts no timing. The JMH benchmark
 * belongs in the bench module.
 */
@ExtendWith(LeakDetectionExtension.class)
@Timeout(120)
class YamuxThroughputTest {

    /** Writes {@code total} bytes as slices of one shared chunk while the channel is writable, then FIN. */
    static final class BulkWriter extends ChannelInboundHandlerAdapter {
        private final ByteBuf chunk;
        private long remaining;

        BulkWriter(long total, int chunkSize) {
            this.remaining = total;
            this.chunk = PooledByteBufAllocator.DEFAULT.directBuffer(chunkSize);
            for (int i = 0; i < chunkSize; i++) {
                chunk.writeByte(i * 31);
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            pump(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            release();
            ctx.fireChannelInactive();
        }

        private void pump(ChannelHandlerContext ctx) {
            if (remaining == 0) {
                return;
            }
            while (remaining > 0 && ctx.channel().isWritable()) {
                int n = (int) Math.min(remaining, chunk.readableBytes());
                ctx.write(chunk.retainedSlice(0, n));
                remaining -= n;
            }
            ctx.flush();
            if (remaining == 0) {
                ((StreamChannel) ctx.channel()).closeWrite();
                release();
            }
        }

        private void release() {
            if (chunk.refCnt() > 0) {
                chunk.release();
            }
        }
    }

    @Test
    void singleStreamBulkTransfer() throws Exception {
        long total = 256L << 20;
        StreamAcceptor serverAcceptor = StreamAcceptor.recording();
        YamuxContractTest.TcpYamuxPair p = new YamuxContractTest.TcpYamuxPair(YamuxConfig.defaults(),
                StreamAcceptor.recording(), serverAcceptor, 2);
        try {
            // Warm-up, then the measured run.
            run(p, serverAcceptor, 32L << 20, 0);
            long t0 = System.nanoTime();
            run(p, serverAcceptor, total, 1);
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("yamux loopback (plaintext, 1 stream): %d MiB in %.2f s = %.0f MiB/s (%.2f Gbit/s)%n",
                    total >> 20, secs, (total >> 20) / secs, total * 8 / secs / 1e9);
            YamuxStreamChannel serverSide = (YamuxStreamChannel) serverAcceptor.stream(1);
            System.out.printf("receive window after transfer: %d KiB, rtt %d us%n",
                    serverSide.receiveWindow() / 1024, p.server.rttNanos() / 1000);
        } finally {
            p.close();
        }
    }

    private static void run(YamuxContractTest.TcpYamuxPair p, StreamAcceptor acceptor, long total, int index)
            throws Exception {
        StreamChannel s = p.client().openStream(new BulkWriter(total, 64 * 1024)).get(10, TimeUnit.SECONDS);
        acceptor.awaitStreams(index + 1);
        acceptor.handler(index).countOnly();
        acceptor.handler(index).inputShutdown.get(100, TimeUnit.SECONDS);
        assertThat(acceptor.handler(index).receivedBytes()).isEqualTo(total);
        acceptor.stream(index).closeWrite();
        assertThat(s.closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
    }
}
