// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

/**
 * Collects outgoing frames into one buffer per flush so the layer below (Noise) sees few, large writes.
 *
 * <p>Headers are written back to back into a shared scratch buffer; consecutive control frames end up
 * in one contiguous slice, and a Data frame becomes two components (its header slice and the payload
 * buffers, which are never copied). The result is a plain buffer or a {@link CompositeByteBuf}.
 *
 * <p>Ownership: {@link #payload(ByteBuf)} takes over the buffer; {@link #take()} hands the collected
 * frames to the caller; {@link #release()} frees everything still held. Event-loop only.
 */
final class YamuxFrameWriter {
    private static final int HEADER_CHUNK = 1020; // 85 headers per allocation

    private final ByteBufAllocator alloc;
    private ByteBuf headers;
    private int headerMark;
    private ByteBuf out;
    private CompositeByteBuf composite;
    private int pendingBytes;
    private boolean released;

    YamuxFrameWriter(ByteBufAllocator alloc) {
        this.alloc = alloc;
    }

    /** Appends a frame header; for a Data frame, {@link #payload} calls for {@code length} bytes follow. */
    void header(int type, int flags, int streamId, int length) {
        if (released) {
            return;
        }
        if (headers == null || headers.writableBytes() < YamuxFrameHeader.LENGTH) {
            sealHeaders();
            if (headers != null) {
                headers.release();
            }
            headers = alloc.directBuffer(HEADER_CHUNK, HEADER_CHUNK);
            headerMark = 0;
        }
        YamuxFrameHeader.write(headers, type, flags, streamId, length);
        pendingBytes += YamuxFrameHeader.LENGTH;
    }

    /** Appends payload bytes of the current Data frame; takes ownership of {@code part}. */
    void payload(ByteBuf part) {
        if (released) {
            part.release();
            return;
        }
        sealHeaders();
        pendingBytes += part.readableBytes();
        append(part);
    }

    /** Returns the number of bytes collected since the last {@link #take()}. */
    int pendingBytes() {
        return pendingBytes;
    }

    /** Hands the collected frames to the caller (who must write or release them), or returns null. */
    ByteBuf take() {
        sealHeaders();
        ByteBuf result = out;
        out = null;
        composite = null;
        pendingBytes = 0;
        return result;
    }

    /** Releases everything held; later frames are dropped (payloads released). Idempotent. */
    void release() {
        if (released) {
            return;
        }
        ByteBuf pending = take();
        released = true;
        if (pending != null) {
            pending.release();
        }
        if (headers != null) {
            headers.release();
            headers = null;
        }
    }

    private void sealHeaders() {
        if (headers != null) {
            int end = headers.writerIndex();
            if (end > headerMark) {
                append(headers.retainedSlice(headerMark, end - headerMark));
                headerMark = end;
            }
        }
    }

    private void append(ByteBuf part) {
        if (out == null) {
            out = part;
        } else {
            if (composite == null) {
                composite = alloc.compositeDirectBuffer(Integer.MAX_VALUE);
                composite.addComponent(true, out);
                out = composite;
            }
            composite.addComponent(true, part);
        }
    }
}
