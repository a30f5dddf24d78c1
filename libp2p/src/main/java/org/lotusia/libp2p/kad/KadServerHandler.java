package org.lotusia.libp2p.kad;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.kad.pb.KadProto;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests a peer sends on one inbound stream (after a uvarint frame decoder), in order,
 * like js does; at most {@link #MAX_REQUESTS} per stream. A malformed request resets the stream.
 */
final class KadServerHandler extends ChannelInboundHandlerAdapter {
    static final int MAX_REQUESTS = 32;
    private static final Logger LOG = LoggerFactory.getLogger(KadServerHandler.class);

    private final KadDht dht;
    private final PeerId remote;
    private int requests;

    KadServerHandler(KadDht dht, PeerId remote) {
        this.dht = dht;
        this.remote = remote;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        KadProto.Message response;
        try {
            if (++requests > MAX_REQUESTS) {
                throw new IllegalStateException("more than " + MAX_REQUESTS + " requests on one stream");
            }
            response = dht.answer(remote, KadMessages.parse(frame, dht.config().maxPeersPerMessage()));
        } catch (RuntimeException e) {
            LOG.debug("rejecting kad request from {}: {}", remote, e.toString());
            ((StreamChannel) ctx.channel()).reset();
            return;
        } finally {
            frame.release();
        }
        if (response != null) {
            KadMessages.write(ctx.channel(), response);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete) {
            ((StreamChannel) ctx.channel()).closeWrite();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("kad stream from {} failed: {}", remote, cause.toString());
        ((StreamChannel) ctx.channel()).reset();
    }
}
