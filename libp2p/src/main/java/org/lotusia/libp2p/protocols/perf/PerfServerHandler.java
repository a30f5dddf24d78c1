package org.lotusia.libp2p.protocols.perf;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.muxer.StreamChannel;

/**
 * The server side of {@code /perf/1.0.0}: reads the 8-byte big-endian count of bytes to send back,
 * discards the upload until the client half-closes, then sends the requested bytes and half-closes.
 */
final class PerfServerHandler extends ChannelInboundHandlerAdapter {
    private final long maxDownloadBytes;
    private final byte[] header = new byte[8];
    private int headerLength;

    PerfServerHandler(long maxDownloadBytes) {
        this.maxDownloadBytes = maxDownloadBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        try {
            if (headerLength < header.length) {
                int take = Math.min(header.length - headerLength, data.readableBytes());
                data.readBytes(header, headerLength, take);
                headerLength += take;
            }
        } finally {
            data.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof ChannelInputShutdownReadComplete)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        if (headerLength < header.length) {
            ((StreamChannel) ctx.channel()).reset();
            return;
        }
        long requested = java.nio.ByteBuffer.wrap(header).getLong();
        if (requested < 0 || requested > maxDownloadBytes) {
            ((StreamChannel) ctx.channel()).reset();
            return;
        }
        BulkSender sender = new BulkSender(requested, () -> { });
        ctx.pipeline().addLast(sender);
        sender.start(ctx.pipeline().context(sender));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ((StreamChannel) ctx.channel()).reset();
    }
}
