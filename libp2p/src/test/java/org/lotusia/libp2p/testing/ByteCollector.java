package org.lotusia.libp2p.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.muxer.StreamChannel;

import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * Collects a stream's bytes. {@link #done} completes with everything once the peer half-closed (fails if the
 * stream closes first); {@link #reached(int)} completes once at least that many bytes have arrived.
 */
public final class ByteCollector extends ChannelInboundHandlerAdapter {
    public final CompletableFuture<byte[]> done = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile int threshold = Integer.MAX_VALUE;
    private final CompletableFuture<Integer> reached = new CompletableFuture<>();

    /** Completes (with the count so far) when at least {@code n} bytes have arrived. Call before data flows. */
    public CompletableFuture<Integer> reached(int n) {
        threshold = n;
        return reached;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            buf.readBytes(bytes, buf.readableBytes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            buf.release();
        }
        if (bytes.size() >= threshold) {
            reached.complete(bytes.size());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete) {
            done.complete(bytes.toByteArray());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        done.completeExceptionally(cause);
        reached.completeExceptionally(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        StreamChannel stream = (StreamChannel) ctx.channel();
        IllegalStateException e = new IllegalStateException("stream closed before the peer half-closed (reset: "
                + stream.isReset() + ", " + bytes.size() + " bytes received)");
        done.completeExceptionally(e);
        reached.completeExceptionally(e);
        ctx.fireChannelInactive();
    }
}
