package org.lotusia.libp2p.protocols.ping;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.lotusia.libp2p.Libp2pException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Sends {@code count} pings of 32 random bytes one after another on one stream and checks each
 * echo; completes with the round-trip times. Runs on the stream's event loop.
 */
final class PingClientHandler extends ChannelInboundHandlerAdapter {
    private final int count;
    private final CompletableFuture<List<Duration>> result;
    private final List<Duration> rtts = new ArrayList<>();
    private final byte[] expected = new byte[PingService.PING_SIZE];
    private final byte[] received = new byte[PingService.PING_SIZE];
    private int receivedLength;
    private long sentAt;

    PingClientHandler(int count, CompletableFuture<List<Duration>> result) {
        this.count = count;
        this.result = result;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        sendNext(ctx);
    }

    private void sendNext(ChannelHandlerContext ctx) {
        ThreadLocalRandom.current().nextBytes(expected);
        receivedLength = 0;
        sentAt = System.nanoTime();
        ctx.writeAndFlush(Unpooled.wrappedBuffer(expected.clone()));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        try {
            while (data.isReadable() && !result.isDone()) {
                int take = Math.min(data.readableBytes(), PingService.PING_SIZE - receivedLength);
                data.readBytes(received, receivedLength, take);
                receivedLength += take;
                if (receivedLength == PingService.PING_SIZE) {
                    onPong(ctx);
                }
            }
        } finally {
            data.release();
        }
    }

    private void onPong(ChannelHandlerContext ctx) {
        Duration rtt = Duration.ofNanos(System.nanoTime() - sentAt);
        if (!java.util.Arrays.equals(expected, received)) {
            fail(ctx, new Libp2pException("ping echo did not match: sent " + ByteBufUtil.hexDump(expected)
                    + ", got " + ByteBufUtil.hexDump(received)));
            return;
        }
        rtts.add(rtt);
        if (rtts.size() == count) {
            result.complete(List.copyOf(rtts));
            ctx.close();
        } else {
            sendNext(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.completeExceptionally(new Libp2pException(
                "ping stream closed after " + rtts.size() + " of " + count + " pings"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, cause);
    }

    private void fail(ChannelHandlerContext ctx, Throwable cause) {
        result.completeExceptionally(cause);
        ctx.close();
    }
}
