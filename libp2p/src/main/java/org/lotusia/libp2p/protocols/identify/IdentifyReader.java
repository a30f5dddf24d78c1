package org.lotusia.libp2p.protocols.identify;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.protocols.identify.pb.IdentifyProto;

import java.util.concurrent.CompletableFuture;

/**
 * Reads identify messages (after a {@link org.lotusia.libp2p.codec.UvarintFrameDecoder}) until the
 * sender half-closes, merging them as js does: repeated fields concatenate, scalars take the last
 * value. At most {@link IdentifyService#MAX_MESSAGES} messages are accepted.
 */
final class IdentifyReader extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<IdentifyProto.Identify> result;
    private final IdentifyProto.Identify.Builder merged = IdentifyProto.Identify.newBuilder();
    private int messages;

    IdentifyReader(CompletableFuture<IdentifyProto.Identify> result) {
        this.result = result;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (++messages > IdentifyService.MAX_MESSAGES) {
                throw new Libp2pException("peer sent more than " + IdentifyService.MAX_MESSAGES + " identify messages");
            }
            merged.mergeFrom(IdentifyProto.Identify.parseFrom(ByteBufUtil.getBytes(frame)));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            fail(ctx, e instanceof Libp2pException ? e : new Libp2pException("malformed identify message: " + e.getMessage(), e));
        } finally {
            frame.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete) {
            if (messages == 0) {
                fail(ctx, new Libp2pException("peer closed the identify stream without a message"));
            } else {
                result.complete(merged.build());
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (messages > 0) {
            result.complete(merged.build());
        } else {
            result.completeExceptionally(new Libp2pException("identify stream closed before a message arrived"));
        }
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
