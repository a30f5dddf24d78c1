package org.lotusia.libp2p.protocols.ping;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.handler.timeout.IdleStateEvent;
import org.lotusia.libp2p.muxer.StreamChannel;

/**
 * Serves {@code /ipfs/ping/1.0.0}: echoes every byte back until the peer half-closes, then
 * half-closes too. An idle stream is reset (the pipeline holds an IdleStateHandler in front).
 * At most {@link PingService#MAX_ECHO_BYTES} are echoed per stream, so ping cannot be used to make
 * us stream data indefinitely.
 */
final class PingResponder extends ChannelInboundHandlerAdapter {
    private long echoed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf data = (ByteBuf) msg;
        echoed += data.readableBytes();
        if (echoed > PingService.MAX_ECHO_BYTES) {
            data.release();
            ((StreamChannel) ctx.channel()).reset();
            return;
        }
        ctx.write(data);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete) {
            ctx.flush();
            ((StreamChannel) ctx.channel()).closeWrite();
        } else if (evt instanceof IdleStateEvent) {
            ((StreamChannel) ctx.channel()).reset();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ((StreamChannel) ctx.channel()).reset();
    }
}
