package org.lotusia.libp2p.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import org.lotusia.libp2p.multiformats.Varint;

import java.util.List;

/** Prefixes every outbound ByteBuf with its length as an unsigned varint. Stateless and shareable. */
@ChannelHandler.Sharable
public final class UvarintFrameEncoder extends MessageToMessageEncoder<ByteBuf> {
    /** The shared instance. */
    public static final UvarintFrameEncoder INSTANCE = new UvarintFrameEncoder();

    private UvarintFrameEncoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        out.add(frame(ctx.alloc(), msg.retain()));
    }

    /** Returns {@code uvarint(len) || payload} as one buffer; takes ownership of {@code payload}. */
    public static ByteBuf frame(ByteBufAllocator alloc, ByteBuf payload) {
        int length = payload.readableBytes();
        ByteBuf prefix = alloc.buffer(Varint.encodedLength(length));
        Varint.write(length, prefix);
        return alloc.compositeBuffer(2).addComponents(true, prefix, payload);
    }
}
