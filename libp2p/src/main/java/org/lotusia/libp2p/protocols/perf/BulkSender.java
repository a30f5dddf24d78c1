package org.lotusia.libp2p.protocols.perf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.lotusia.libp2p.muxer.StreamChannel;

/**
 * Writes a given number of zero bytes to a stream as fast as the stream accepts them (pausing while
 * it is not writable, so memory stays bounded), then half-closes it. Used by both perf roles.
 */
final class BulkSender extends ChannelInboundHandlerAdapter {
    static final int BLOCK_SIZE = 64 * 1024;
    private static final ByteBuf ZEROS = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(BLOCK_SIZE, BLOCK_SIZE).writeZero(BLOCK_SIZE)).asReadOnly();

    private long remaining;
    private boolean started;
    private final Runnable onDone;

    BulkSender(long bytes, Runnable onDone) {
        this.remaining = bytes;
        this.onDone = onDone;
    }

    /** Starts sending; call on the stream's event loop. */
    void start(ChannelHandlerContext ctx) {
        started = true;
        pump(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (started) {
            pump(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void pump(ChannelHandlerContext ctx) {
        while (remaining > 0 && ctx.channel().isWritable()) {
            int size = (int) Math.min(BLOCK_SIZE, remaining);
            remaining -= size;
            ctx.write(ZEROS.retainedSlice(0, size));
        }
        ctx.flush();
        if (remaining == 0) {
            started = false;
            ((StreamChannel) ctx.channel()).closeWrite();
            onDone.run();
        }
    }
}
