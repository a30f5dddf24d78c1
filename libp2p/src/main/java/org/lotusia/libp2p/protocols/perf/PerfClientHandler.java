package org.lotusia.libp2p.protocols.perf;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.Libp2pException;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/** Counts the bytes the perf server sends back and completes the run when it half-closes. */
final class PerfClientHandler extends ChannelInboundHandlerAdapter {
    private final long uploadBytes;
    private final long downloadBytes;
    private final long startedAt;
    private final CompletableFuture<PerfResult> result;
    private final LongConsumer progress;
    private volatile long uploadDoneAt;
    private long received;

    PerfClientHandler(long uploadBytes, long downloadBytes, long startedAt, CompletableFuture<PerfResult> result,
                      LongConsumer progress) {
        this.uploadBytes = uploadBytes;
        this.downloadBytes = downloadBytes;
        this.startedAt = startedAt;
        this.result = result;
        this.progress = progress;
    }

    void uploadDone() {
        uploadDoneAt = System.nanoTime();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        received += data.readableBytes();
        data.release();
        progress.accept(received);
        if (received > downloadBytes) {
            result.completeExceptionally(new Libp2pException("perf server sent more than the " + downloadBytes
                    + " bytes requested"));
            ctx.close();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete) {
            long now = System.nanoTime();
            if (received != downloadBytes) {
                result.completeExceptionally(new Libp2pException("perf server sent " + received + " of "
                        + downloadBytes + " bytes"));
            } else {
                long uploadEnd = uploadDoneAt == 0 ? now : uploadDoneAt;
                result.complete(new PerfResult(uploadBytes, received, Duration.ofNanos(uploadEnd - startedAt),
                        Duration.ofNanos(now - startedAt)));
            }
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.completeExceptionally(new Libp2pException("perf stream closed after " + received + " of "
                + downloadBytes + " bytes"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        result.completeExceptionally(cause);
        ctx.close();
    }
}
