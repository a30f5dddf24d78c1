// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;

/**
 * Collects outgoing frames and writes them to the connection in few, large writes, so the layer below
 * (Noise) sees few messages and can fill its frames.
 *
 * <p>Headers are written back to back into a shared scratch buffer; consecutive control frames end up
 * in one contiguous slice, and a Data frame becomes its header slice plus the payload buffers, which are
 * never copied. The collected frames go out as one plain or {@link CompositeByteBuf} write when flushed,
 * or earlier once 64 KiB are pending. While a read batch is being handled ({@link #batch(boolean)}),
 * flush requests are deferred to its end.
 *
 * <p>Ownership: {@link #payload(ByteBuf)} takes over the buffer; {@link #take()} hands the collected
 * frames to the caller; {@link #release()} frees everything still held, after which frames are dropped
 * (payloads released). Event-loop only.
 */
final class YamuxFrameWriter {
    /** Collected frames are handed to the connection once this many bytes are pending. */
    static final int EARLY_WRITE_BYTES = 64 * 1024;
    private static final int HEADER_CHUNK = 1020; // 85 headers per allocation

    private final ByteBufAllocator alloc;
    private final ChannelHandlerContext ctx;
    private ByteBuf headers;
    private int headerMark;
    private ByteBuf out;
    private CompositeByteBuf composite;
    private int pendingBytes;
    private boolean released;
    private boolean batching;
    private boolean flushPending;
    private boolean flushing;
    private boolean unflushedWrites;
    private int controlFramesWhileUnwritable;

    /** Creates a writer for {@code ctx}; {@code ctx} may be null when only {@link #take()} is used. */
    YamuxFrameWriter(ByteBufAllocator alloc, ChannelHandlerContext ctx) {
        this.alloc = alloc;
        this.ctx = ctx;
    }

    YamuxFrameWriter(ByteBufAllocator alloc) {
        this(alloc, null);
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

    /**
     * Appends a frame without payload, counting it if the connection is not writable: a peer that
     * makes us answer while it does not read is abusive (see {@link #controlFramesWhileUnwritable()}).
     */
    void control(int type, int flags, int streamId, int length) {
        if (released) {
            return;
        }
        if (ctx != null && !ctx.channel().isWritable()) {
            controlFramesWhileUnwritable++;
        }
        header(type, flags, streamId, length);
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

    /** Called after a whole Data frame was appended; hands large batches to the connection early. */
    void frameWritten() {
        if (pendingBytes >= EARLY_WRITE_BYTES) {
            writeOut();
        }
    }

    /** Starts or ends deferring flushes; returns the previous state. Ending does not flush by itself. */
    boolean batch(boolean on) {
        boolean previous = batching;
        batching = on;
        return previous;
    }

    /** Flushes now, or at the end of the current batch. */
    void requestFlush() {
        if (batching) {
            flushPending = true;
        } else {
            flush();
        }
    }

    /** Writes what is collected and flushes the connection (if anything was written). */
    void flush() {
        if (released || ctx == null) {
            return;
        }
        if (flushing) {
            flushPending = true;
            return;
        }
        flushing = true;
        try {
            do {
                flushPending = false;
                writeOut();
                if (unflushedWrites) {
                    unflushedWrites = false;
                    ctx.flush();
                }
            } while (flushPending && !released);
        } finally {
            flushing = false;
        }
    }

    /** Returns the control frames queued while the connection was not writable. */
    int controlFramesWhileUnwritable() {
        return controlFramesWhileUnwritable;
    }

    /** The connection became writable again. */
    void connectionWritable() {
        controlFramesWhileUnwritable = 0;
    }

    /** Returns the number of bytes collected and not yet handed to the connection. */
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

    private void writeOut() {
        ByteBuf frames = take();
        if (frames == null) {
            return;
        }
        if (ctx.channel().isOpen()) {
            ctx.write(frames, ctx.voidPromise());
            unflushedWrites = true;
        } else {
            frames.release();
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
