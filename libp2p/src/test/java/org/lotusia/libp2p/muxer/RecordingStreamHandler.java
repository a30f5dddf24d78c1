// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test handler for a stream pipeline: keeps every received byte, completes futures on input
 * shutdown and on channelInactive, and optionally echoes (and half-closes after the peer's FIN).
 * Thread-safe for reading results from the test thread.
 */
public final class RecordingStreamHandler extends ChannelInboundHandlerAdapter {
    private final boolean echo;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicLong receivedBytes = new AtomicLong();
    public final CompletableFuture<Void> active = new CompletableFuture<>();
    public final CompletableFuture<Void> inputShutdown = new CompletableFuture<>();
    public final CompletableFuture<Void> inputShutdownReadComplete = new CompletableFuture<>();
    public final CompletableFuture<Void> inactive = new CompletableFuture<>();
    private volatile long expectedBytes = -1;
    public final CompletableFuture<Void> receivedAll = new CompletableFuture<>();
    private volatile boolean keepBytes = true;

    public RecordingStreamHandler(boolean echo) {
        this.echo = echo;
    }

    public static RecordingStreamHandler recorder() {
        return new RecordingStreamHandler(false);
    }

    public static RecordingStreamHandler echo() {
        return new RecordingStreamHandler(true);
    }

    /** Completes {@link #receivedAll} once this many bytes arrived. */
    public RecordingStreamHandler expect(long bytes) {
        this.expectedBytes = bytes;
        if (receivedBytes.get() >= bytes) {
            receivedAll.complete(null);
        }
        return this;
    }

    /** Counts bytes without keeping them (for large transfers checked by digest elsewhere). */
    public RecordingStreamHandler countOnly() {
        keepBytes = false;
        return this;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        active.complete(null);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        int n = buf.readableBytes();
        if (keepBytes) {
            synchronized (received) {
                received.writeBytes(ByteBufUtil.getBytes(buf));
            }
        }
        long total = receivedBytes.addAndGet(n);
        if (echo) {
            ctx.write(buf);
        } else {
            buf.release();
        }
        if (expectedBytes >= 0 && total >= expectedBytes) {
            receivedAll.complete(null);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (echo) {
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputShutdown.complete(null);
            if (echo) {
                ((StreamChannel) ctx.channel()).closeWrite();
            }
        } else if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
            inputShutdownReadComplete.complete(null);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inactive.complete(null);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Stream errors are asserted through futures and channel state.
    }

    public byte[] bytes() {
        synchronized (received) {
            return received.toByteArray();
        }
    }

    public String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    public long receivedBytes() {
        return receivedBytes.get();
    }
}
