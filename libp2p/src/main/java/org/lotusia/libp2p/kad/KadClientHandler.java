package org.lotusia.libp2p.kad;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.kad.pb.KadProto;

import java.util.concurrent.CompletableFuture;

/** Reads the one response of an outbound request (after a uvarint frame decoder), then closes. */
final class KadClientHandler extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<KadProto.Message> response;
    private final int maxPeers;

    KadClientHandler(CompletableFuture<KadProto.Message> response, int maxPeers) {
        this.response = response;
        this.maxPeers = maxPeers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (!response.isDone()) {
                response.complete(KadMessages.parse(frame, maxPeers));
            }
        } catch (RuntimeException e) {
            response.completeExceptionally(e);
        } finally {
            frame.release();
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete) {
            response.completeExceptionally(new Libp2pException("kad peer closed the stream without a response"));
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        response.completeExceptionally(new Libp2pException("kad stream closed before a response"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        response.completeExceptionally(cause);
        ctx.close();
    }
}
