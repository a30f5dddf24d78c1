package org.lotusia.libp2p.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import org.lotusia.libp2p.multiformats.Varint;

import java.util.List;

/**
 * Splits a byte stream into {@code uvarint(length) || payload} frames (the framing of identify,
 * gossipsub, kad and relay messages) and passes each payload on as a ByteBuf. A length above
 * {@code maxFrameLength} fails with {@link FrameTooLongException} before anything is buffered.
 */
public final class UvarintFrameDecoder extends ByteToMessageDecoder {
    private final int maxFrameLength;
    private long pendingLength = -1;

    /** Creates a decoder that accepts payloads of at most {@code maxFrameLength} bytes. */
    public UvarintFrameDecoder(int maxFrameLength) {
        if (maxFrameLength < 0) {
            throw new IllegalArgumentException("maxFrameLength must not be negative");
        }
        this.maxFrameLength = maxFrameLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            if (pendingLength < 0) {
                long length = Varint.tryDecode(in, 9);
                if (length < 0) {
                    return;
                }
                if (length > maxFrameLength) {
                    in.skipBytes(in.readableBytes());
                    throw new FrameTooLongException(length, maxFrameLength);
                }
                pendingLength = length;
            }
            if (in.readableBytes() < pendingLength) {
                return;
            }
            out.add(in.readRetainedSlice((int) pendingLength));
            pendingLength = -1;
        }
    }
}
