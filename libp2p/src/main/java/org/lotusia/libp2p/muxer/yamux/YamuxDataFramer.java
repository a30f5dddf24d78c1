// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelOutboundBuffer;

/**
 * Cuts a stream's flushed outbound buffers into Data frame payloads without copying: consecutive
 * writes share a frame, a large write is split across frames. Payload parts are retained duplicates or
 * slices; the caller removes the bytes from the outbound buffer afterwards. One instance per stream,
 * event-loop only.
 */
final class YamuxDataFramer {
    private final Sizer sizer = new Sizer();
    private final Slicer slicer = new Slicer();

    /** Returns how many flushed bytes the next frame carries, at most {@code limit}. */
    int nextFrameLength(ChannelOutboundBuffer in, int limit) throws Exception {
        sizer.limit = limit;
        sizer.total = 0;
        in.forEachFlushedMessage(sizer);
        return sizer.total;
    }

    /** Hands the first {@code length} flushed bytes to {@code writer} as payload parts. */
    void appendPayload(ChannelOutboundBuffer in, YamuxFrameWriter writer, int length) throws Exception {
        slicer.writer = writer;
        slicer.remaining = length;
        try {
            in.forEachFlushedMessage(slicer);
        } finally {
            slicer.writer = null;
        }
    }

    private static final class Sizer implements ChannelOutboundBuffer.MessageProcessor {
        int limit;
        int total;

        @Override
        public boolean processMessage(Object msg) {
            int readable = ((ByteBuf) msg).readableBytes();
            int room = limit - total;
            if (readable > room) {
                total = limit;
                return false;
            }
            total += readable;
            return true;
        }
    }

    private static final class Slicer implements ChannelOutboundBuffer.MessageProcessor {
        YamuxFrameWriter writer;
        int remaining;

        @Override
        public boolean processMessage(Object msg) {
            if (remaining == 0) {
                return false;
            }
            ByteBuf buf = (ByteBuf) msg;
            int readable = buf.readableBytes();
            int n = Math.min(readable, remaining);
            if (n > 0) {
                writer.payload(n == readable ? buf.retainedDuplicate() : buf.retainedSlice(buf.readerIndex(), n));
                remaining -= n;
            }
            return remaining > 0;
        }
    }
}
