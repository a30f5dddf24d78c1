// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_DATA;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_GO_AWAY;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_PING;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_WINDOW_UPDATE;

import io.netty.buffer.ByteBuf;

/**
 * Streaming yamux frame parser. It never accumulates Data payloads: each inbound buffer's share of a
 * payload is handed on at once as a retained slice, so a 16 MiB frame costs no copy and no 16 MiB
 * buffer. Only a header split across two inbound buffers is copied (12 bytes).
 *
 * <p>Frame-level validation happens here: version 0, known type, Data/WindowUpdate not on stream 0,
 * Ping/GoAway only on stream 0, and Data length at most {@code maxDataLength}. A violation throws
 * {@link YamuxException} (protocol error); after that the decoder refuses further input.
 *
 * <p>Not thread-safe; one instance per session, used on the event loop.
 */
final class YamuxFrameDecoder {

    /** Receives decoded frames. */
    interface Sink {
        /**
         * Called for every frame header. Stream id and length are unsigned 32-bit values in ints. For a
         * Data frame the return value says whether the payload is wanted; if not it is skipped. Every
         * Data header is followed by zero or more {@link #onData} calls and one {@link #onDataEnd}.
         */
        boolean onFrame(int type, int flags, int streamId, int length);

        /** Receives part of the current Data payload; ownership of {@code chunk} passes to the sink. */
        void onData(ByteBuf chunk);

        /** Called when the current Data frame's payload is complete (also for empty payloads). */
        void onDataEnd();
    }

    private final long maxDataLength;
    private final byte[] partialHeader = new byte[YamuxFrameHeader.LENGTH];
    private int partialLength;
    private long payloadRemaining;
    private boolean payloadWanted;
    private boolean failed;

    /** Creates a decoder that rejects Data frames longer than {@code maxDataLength} bytes. */
    YamuxFrameDecoder(long maxDataLength) {
        this.maxDataLength = maxDataLength;
    }

    /**
     * Consumes every readable byte of {@code in}, calling {@code sink} for each frame part. The caller
     * keeps ownership of {@code in} (payload slices handed to the sink are retained separately).
     *
     * @throws YamuxException on a malformed frame; the decoder is then unusable
     */
    void decode(ByteBuf in, Sink sink) {
        if (failed) {
            return;
        }
        try {
            decode0(in, sink);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Makes the decoder ignore the rest of the current buffer and all later input. */
    void stop() {
        failed = true;
    }

    /** Returns true while a frame is partially received (a header fragment or an unfinished payload). */
    boolean isMidFrame() {
        return partialLength != 0 || payloadRemaining != 0;
    }

    private void decode0(ByteBuf in, Sink sink) {
        while (!failed && in.isReadable()) {
            if (payloadRemaining != 0) {
                int n = (int) Math.min(payloadRemaining, in.readableBytes());
                payloadRemaining -= n;
                if (payloadWanted) {
                    sink.onData(in.readRetainedSlice(n));
                } else {
                    in.skipBytes(n);
                }
                if (payloadRemaining == 0) {
                    sink.onDataEnd();
                }
                continue;
            }
            int versionAndType;
            int flags;
            int streamId;
            int length;
            if (partialLength == 0 && in.readableBytes() >= YamuxFrameHeader.LENGTH) {
                int idx = in.readerIndex();
                versionAndType = in.getUnsignedShort(idx);
                flags = in.getUnsignedShort(idx + 2);
                streamId = in.getInt(idx + 4);
                length = in.getInt(idx + 8);
                in.skipBytes(YamuxFrameHeader.LENGTH);
            } else {
                int n = Math.min(YamuxFrameHeader.LENGTH - partialLength, in.readableBytes());
                in.readBytes(partialHeader, partialLength, n);
                partialLength += n;
                if (partialLength < YamuxFrameHeader.LENGTH) {
                    return;
                }
                partialLength = 0;
                byte[] h = partialHeader;
                versionAndType = (h[0] & 0xFF) << 8 | (h[1] & 0xFF);
                flags = (h[2] & 0xFF) << 8 | (h[3] & 0xFF);
                streamId = (h[4] & 0xFF) << 24 | (h[5] & 0xFF) << 16 | (h[6] & 0xFF) << 8 | (h[7] & 0xFF);
                length = (h[8] & 0xFF) << 24 | (h[9] & 0xFF) << 16 | (h[10] & 0xFF) << 8 | (h[11] & 0xFF);
            }
            onHeader(versionAndType >>> 8, versionAndType & 0xFF, flags, streamId, length, sink);
        }
    }

    private void onHeader(int version, int type, int flags, int streamId, int length, Sink sink) {
        if (version != YamuxFrameHeader.VERSION) {
            throw YamuxException.protocol("unsupported yamux version " + version);
        }
        switch (type) {
            case TYPE_DATA, TYPE_WINDOW_UPDATE -> {
                if (streamId == 0) {
                    throw YamuxException.protocol(YamuxFrameHeader.typeName(type) + " frame on stream 0");
                }
            }
            case TYPE_PING, TYPE_GO_AWAY -> {
                if (streamId != 0) {
                    throw YamuxException.protocol(YamuxFrameHeader.typeName(type) + " frame on stream "
                            + Integer.toUnsignedString(streamId));
                }
            }
            default -> throw YamuxException.protocol("unknown yamux frame type " + type);
        }
        if (type != TYPE_DATA) {
            sink.onFrame(type, flags, streamId, length);
            return;
        }
        long payloadLength = Integer.toUnsignedLong(length);
        if (payloadLength > maxDataLength) {
            throw YamuxException.protocol("data frame of " + payloadLength + " bytes exceeds the largest window "
                    + maxDataLength);
        }
        boolean wanted = sink.onFrame(type, flags, streamId, length);
        if (payloadLength == 0) {
            sink.onDataEnd();
        } else {
            payloadWanted = wanted;
            payloadRemaining = payloadLength;
        }
    }
}
