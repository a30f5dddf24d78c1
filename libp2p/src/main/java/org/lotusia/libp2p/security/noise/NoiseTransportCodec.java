package org.lotusia.libp2p.security.noise;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.CoalescingBufferQueue;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.UnsupportedMessageTypeException;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import org.lotusia.libp2p.security.SecureChannelException;
import org.lotusia.libp2p.security.SecureChannelException.Reason;

/**
 * The transport half of a Noise session on a Netty pipeline: every frame is {@code u16 BE length || ciphertext
 * || 16-byte tag}.
 *
 * <ul>
 *   <li>Inbound: bytes are gathered until a whole frame is present, decrypted into a new buffer (one per frame,
 *       at most {@value NoiseHandshake#MAX_PLAINTEXT_LENGTH} bytes) and passed on; empty frames are verified and
 *       dropped. A frame shorter than a tag, or one that fails authentication, fires
 *       {@link SecureChannelException} and closes the connection; later input is discarded.</li>
 *   <li>Outbound: written {@link ByteBuf}s are queued (counted in the channel's writability) and encrypted at
 *       {@code flush()} into frames of up to {@value NoiseHandshake#MAX_PLAINTEXT_LENGTH} plaintext bytes, so small
 *       writes between flushes share one frame; once a full frame's worth is queued it is encrypted at once.
 *       Other message types are rejected (released, promise failed). Writes that are not flushed when the
 *       channel closes are failed, as Netty does.</li>
 * </ul>
 * Buffers are heap or direct to suit the AEAD in use (SunJCE works on arrays, Conscrypt on direct memory).
 * Installed by {@link NoiseSecureChannelHandler}; not sharable.
 */
public final class NoiseTransportCodec extends ChannelDuplexHandler {
    private static final int FRAME_HEADER = 2;
    private static final int TAG = ChaChaPolyAead.TAG_LENGTH;
    private static final int MAX_PLAINTEXT = NoiseHandshake.MAX_PLAINTEXT_LENGTH;

    /** Per event-loop thread scratch for copying between direct buffers and arrays (never held across calls). */
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[NoiseHandshake.MAX_MESSAGE_LENGTH];
        }
    };

    /** Per event-loop thread direct scratch for gathering a composite chunk for a direct-buffer AEAD. */
    private static final FastThreadLocal<ByteBuffer> DIRECT_SCRATCH = new FastThreadLocal<>() {
        @Override
        protected ByteBuffer initialValue() {
            return ByteBuffer.allocateDirect(NoiseHandshake.MAX_MESSAGE_LENGTH);
        }
    };

    private final CipherState sender;
    private final CipherState receiver;
    private final boolean direct;
    private ByteBuf cumulation;
    private CoalescingBufferQueue pending;
    private boolean closed;

    /** A codec encrypting with {@code sender} and decrypting with {@code receiver} (both owned by it from now on). */
    public NoiseTransportCodec(CipherState sender, CipherState receiver) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.receiver = Objects.requireNonNull(receiver, "receiver");
        this.direct = sender.prefersDirectBuffers();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        pending = new CoalescingBufferQueue(ctx.channel(), 4, true);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        shutdown(new ClosedChannelException());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        shutdown(new ClosedChannelException());
        ctx.fireChannelInactive();
    }

    private void shutdown(Throwable cause) {
        if (!closed) {
            sender.destroy();
            receiver.destroy();
        }
        closed = true;
        releaseCumulation();
        if (pending != null) {
            pending.releaseAndFailAll(cause);
        }
    }

    private void releaseCumulation() {
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (closed) {
            in.release();
            return;
        }
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        try {
            decodeFrames(ctx);
        } catch (SecureChannelException e) {
            fail(ctx, e);
            return;
        } catch (RuntimeException e) {
            fail(ctx, new SecureChannelException(Reason.INTERNAL_ERROR, "Noise transport decryption failed locally", e));
            return;
        }
        if (cumulation != null) {
            if (!cumulation.isReadable()) {
                releaseCumulation();
            } else {
                cumulation.discardSomeReadBytes();
            }
        }
    }

    private void decodeFrames(ChannelHandlerContext ctx) {
        while (cumulation != null && !closed) {
            ByteBuf c = cumulation;
            int readable = c.readableBytes();
            if (readable < FRAME_HEADER) {
                return;
            }
            int ri = c.readerIndex();
            int len = c.getUnsignedShort(ri);
            if (len < TAG) {
                throw new SecureChannelException(Reason.MALFORMED_FRAME,
                        "Noise transport frame of " + len + " bytes is shorter than the 16-byte tag");
            }
            if (readable < FRAME_HEADER + len) {
                return;
            }
            ByteBuf plain = decrypt(ctx.alloc(), c, ri + FRAME_HEADER, len);
            c.readerIndex(ri + FRAME_HEADER + len);
            if (plain.isReadable()) {
                ctx.fireChannelRead(plain);
            } else {
                plain.release();
            }
        }
    }

    private ByteBuf decrypt(ByteBufAllocator alloc, ByteBuf in, int index, int len) {
        int plainLen = len - TAG;
        ByteBuf out = direct ? alloc.directBuffer(plainLen) : alloc.heapBuffer(plainLen);
        boolean ok = false;
        try {
            int n;
            if (!direct && out.hasArray()) {
                byte[] src;
                int srcOff;
                if (in.hasArray()) {
                    src = in.array();
                    srcOff = in.arrayOffset() + index;
                } else {
                    src = SCRATCH.get();
                    srcOff = 0;
                    in.getBytes(index, src, 0, len);
                }
                n = receiver.decryptWithAd(null, src, srcOff, len, out.array(), out.arrayOffset() + out.writerIndex());
            } else {
                ByteBuffer dst = out.nioBuffer(out.writerIndex(), plainLen);
                n = receiver.decrypt(in.nioBuffer(index, len), dst);
            }
            out.writerIndex(out.writerIndex() + n);
            ok = true;
            return out;
        } catch (AEADBadTagException e) {
            throw new SecureChannelException(Reason.DECRYPT_FAILED, "Noise transport frame #" + receiver.nonce()
                    + " failed authentication (corrupted or forged)", e);
        } finally {
            if (!ok) {
                out.release();
            }
        }
    }

    private void fail(ChannelHandlerContext ctx, SecureChannelException e) {
        shutdown(e);
        ctx.fireExceptionCaught(e);
        ctx.close();
    }

    // ---------------------------------------------------------------- outbound

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf)) {
            ReferenceCountUtil.release(msg);
            promise.setFailure(new UnsupportedMessageTypeException(msg, ByteBuf.class));
            return;
        }
        if (closed) {
            ((ByteBuf) msg).release();
            promise.setFailure(new ClosedChannelException());
            return;
        }
        pending.add((ByteBuf) msg, promise);
        if (pending.readableBytes() >= MAX_PLAINTEXT) {
            encryptPending(ctx, false);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        encryptPending(ctx, true);
        ctx.flush();
    }

    /** Encrypts queued bytes into frames: all of them, or ({@code all == false}) only whole frames. */
    private void encryptPending(ChannelHandlerContext ctx, boolean all) {
        while (!closed && !pending.isEmpty()) {
            int available = pending.readableBytes();
            if (!all && available < MAX_PLAINTEXT) {
                return;
            }
            ChannelPromise framePromise = ctx.newPromise();
            ByteBuf chunk = pending.remove(ctx.alloc(), MAX_PLAINTEXT, framePromise);
            if (!chunk.isReadable()) {
                chunk.release();
                ctx.write(Unpooled.EMPTY_BUFFER, framePromise);
                continue;
            }
            ByteBuf frame;
            try {
                frame = encrypt(ctx.alloc(), chunk);
            } catch (RuntimeException e) {
                SecureChannelException failure = e instanceof SecureChannelException sce ? sce
                        : new SecureChannelException(Reason.INTERNAL_ERROR, "Noise transport encryption failed", e);
                framePromise.setFailure(failure);
                fail(ctx, failure);
                return;
            } finally {
                chunk.release();
            }
            ctx.write(frame, framePromise);
        }
    }

    private ByteBuf encrypt(ByteBufAllocator alloc, ByteBuf chunk) {
        int len = chunk.readableBytes();
        int frameLen = FRAME_HEADER + len + TAG;
        ByteBuf frame = direct ? alloc.directBuffer(frameLen) : alloc.heapBuffer(frameLen);
        boolean ok = false;
        try {
            frame.writeShort(len + TAG);
            int wi = frame.writerIndex();
            int n;
            if (!direct && frame.hasArray()) {
                byte[] src;
                int srcOff;
                if (chunk.hasArray()) {
                    src = chunk.array();
                    srcOff = chunk.arrayOffset() + chunk.readerIndex();
                } else {
                    src = SCRATCH.get();
                    srcOff = 0;
                    chunk.getBytes(chunk.readerIndex(), src, 0, len);
                }
                n = sender.encryptWithAd(null, src, srcOff, len, frame.array(), frame.arrayOffset() + wi);
            } else {
                ByteBuffer src = chunk.nioBufferCount() == 1 ? chunk.nioBuffer() : copyToDirect(chunk);
                n = sender.encrypt(src, frame.nioBuffer(wi, len + TAG));
            }
            frame.writerIndex(wi + n);
            ok = true;
            return frame;
        } finally {
            if (!ok) {
                frame.release();
            }
        }
    }

    private static ByteBuffer copyToDirect(ByteBuf chunk) {
        ByteBuffer b = DIRECT_SCRATCH.get();
        b.clear().limit(chunk.readableBytes());
        chunk.getBytes(chunk.readerIndex(), b);
        return b.flip();
    }
}
