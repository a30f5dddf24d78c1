package org.lotusia.libp2p.nat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.codec.UvarintFrameDecoder;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.host.Libp2pStream;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A stream carrying uvarint-length-prefixed messages (the framing of AutoNAT and DCUtR), read one at
 * a time as futures. Bounded: frames above {@code maxFrameLength} and more than
 * {@value #MAX_QUEUED} unread frames reset the stream. Futures complete on the stream's event loop,
 * so continuations must not block. Install it from the stream initializer (before bytes arrive).
 */
public final class FramedStream {
    /** Unread frames tolerated before the peer is considered abusive. */
    public static final int MAX_QUEUED = 4;

    private final Libp2pStream stream;
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private CompletableFuture<byte[]> waiting;
    private Throwable ended;

    private FramedStream(Libp2pStream stream, int maxFrameLength) {
        this.stream = stream;
        stream.channel().pipeline().addLast(new UvarintFrameDecoder(maxFrameLength), new Reader());
    }

    /** Installs the framing on {@code stream}. */
    public static FramedStream install(Libp2pStream stream, int maxFrameLength) {
        return new FramedStream(stream, maxFrameLength);
    }

    /** The underlying stream. */
    public Libp2pStream stream() {
        return stream;
    }

    /** The next message; fails when the stream ends first or on a framing error. One read at a time. */
    public CompletableFuture<byte[]> read() {
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        stream.channel().eventLoop().execute(() -> {
            if (waiting != null && !waiting.isDone()) {
                result.completeExceptionally(new IllegalStateException("a read is already pending"));
            } else if (!frames.isEmpty()) {
                result.complete(frames.poll());
            } else if (ended != null) {
                result.completeExceptionally(ended);
            } else {
                waiting = result;
            }
        });
        return result;
    }

    /** Writes one message. */
    public CompletableFuture<Void> write(byte[] message) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        ByteBuf frame = UvarintFrameEncoder.frame(stream.channel().alloc(), Unpooled.wrappedBuffer(message));
        stream.channel().writeAndFlush(frame).addListener(f -> {
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    /** Half-closes our side. */
    public void closeWrite() {
        stream.channel().closeWrite();
    }

    /** Aborts the stream. */
    public void reset() {
        stream.channel().reset();
    }

    private void deliver(byte[] frame) {
        if (waiting != null && !waiting.isDone()) {
            CompletableFuture<byte[]> w = waiting;
            waiting = null;
            w.complete(frame);
        } else if (frames.size() >= MAX_QUEUED) {
            fail(new Libp2pException("peer sent more than " + MAX_QUEUED + " unread messages"));
            stream.channel().reset();
        } else {
            frames.add(frame);
        }
    }

    private void fail(Throwable cause) {
        if (ended == null) {
            ended = cause;
        }
        if (waiting != null) {
            CompletableFuture<byte[]> w = waiting;
            waiting = null;
            w.completeExceptionally(cause);
        }
    }

    private final class Reader extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                deliver(ByteBufUtil.getBytes(buf));
            } finally {
                buf.release();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete) {
                fail(new Libp2pException("peer closed the stream"));
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new Libp2pException("stream closed"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause instanceof Libp2pException ? cause : new Libp2pException("stream failed: " + cause, cause));
            ((org.lotusia.libp2p.muxer.StreamChannel) ctx.channel()).reset();
        }
    }
}
