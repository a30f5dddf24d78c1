package org.lotusia.libp2p.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.muxer.StreamChannel;

/** Test protocol handler: echoes every byte and half-closes when the peer does. */
public final class EchoHandler extends ChannelInboundHandlerAdapter {
    /** The protocol id the tests serve it on. */
    public static final String PROTOCOL = "/test/echo/1.0.0";

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.write(msg);
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
        }
        ctx.fireUserEventTriggered(evt);
    }
}
