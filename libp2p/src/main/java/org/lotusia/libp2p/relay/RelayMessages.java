package org.lotusia.libp2p.relay;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.codec.FrameTooLongException;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.multiformats.Varint;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Length-prefixed hop and stop messages: writing one, and reading exactly one off a stream. */
final class RelayMessages {

    /** Parses a message body. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(byte[] body) throws InvalidProtocolBufferException;
    }

    /** Receives the outcome of {@link #readOne}; called on the stream's event loop. */
    interface Callback<T> {
        /** The message arrived; bytes that followed it reach the pipeline after this returns. */
        void onMessage(T message);

        /**
         * No message: {@link InvalidRelayMessageException} or {@link FrameTooLongException} when it was
         * malformed, another {@link Libp2pException} on timeout or when the stream ended.
         */
        void onFailure(Libp2pException error);
    }

    private RelayMessages() {
    }

    /** Writes {@code message} with its length prefix and flushes. */
    static ChannelFuture send(Channel channel, MessageLite message) {
        return channel.writeAndFlush(UvarintFrameEncoder.frame(channel.alloc(),
                Unpooled.wrappedBuffer(message.toByteArray())));
    }

    /**
     * Reads one message from {@code channel} within {@code timeout}. The reader removes itself once
     * the message is in, so what follows it on the stream (a relayed connection's first bytes) goes
     * to whatever handlers the callback installed.
     */
    static <T> void readOne(Channel channel, Parser<T> parser, Duration timeout, Callback<T> callback) {
        channel.pipeline().addLast("relay-message", new SingleMessageReader<>(parser, timeout, callback));
    }

    /** Frames and parses the first message; see {@link #readOne}. */
    private static final class SingleMessageReader<T> extends ChannelInboundHandlerAdapter {
        private final Parser<T> parser;
        private final Duration timeout;
        private final Callback<T> callback;
        private ByteBuf cumulation;
        private ScheduledFuture<?> timer;
        private boolean done;

        SingleMessageReader(Parser<T> parser, Duration timeout, Callback<T> callback) {
            this.parser = parser;
            this.timeout = timeout;
            this.callback = callback;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            timer = ctx.executor().schedule(() -> fail(new Libp2pException(
                    "no relay message within " + timeout.toMillis() + " ms")), timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            releaseCumulation();
            cancelTimer();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (done || !(msg instanceof ByteBuf in)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (cumulation == null) {
                    cumulation = ctx.alloc().buffer(Math.max(64, in.readableBytes()));
                }
                if (cumulation.readableBytes() + in.readableBytes() > CircuitRelay.MAX_MESSAGE_SIZE + Varint.MAX_LENGTH
                        + 64 * 1024) {
                    // Far more than one message plus what could follow it in one read: a flood.
                    fail(new FrameTooLongException(cumulation.readableBytes() + in.readableBytes(), CircuitRelay.MAX_MESSAGE_SIZE));
                    return;
                }
                cumulation.writeBytes(in);
            } finally {
                in.release();
            }
            tryDecode(ctx);
        }

        private void tryDecode(ChannelHandlerContext ctx) {
            long length;
            try {
                length = Varint.tryDecode(cumulation, Varint.MAX_LENGTH);
            } catch (Libp2pException e) {
                fail(new InvalidRelayMessageException("bad length prefix: " + e.getMessage(), e));
                return;
            }
            if (length < 0) {
                return;
            }
            if (length > CircuitRelay.MAX_MESSAGE_SIZE) {
                fail(new FrameTooLongException(length, CircuitRelay.MAX_MESSAGE_SIZE));
                return;
            }
            if (cumulation.readableBytes() < length) {
                cumulation.readerIndex(cumulation.readerIndex() - Varint.encodedLength(length));
                return;
            }
            byte[] body = new byte[(int) length];
            cumulation.readBytes(body);
            T message;
            try {
                message = parser.parse(body);
            } catch (InvalidProtocolBufferException | RuntimeException e) {
                fail(new InvalidRelayMessageException("malformed relay message: " + e.getMessage(), e));
                return;
            }
            done = true;
            cancelTimer();
            ByteBuf rest = cumulation.isReadable() ? cumulation.retainedSlice() : null;
            releaseCumulation();
            Channel channel = ctx.channel();
            ctx.pipeline().remove(this);
            try {
                callback.onMessage(message);
            } finally {
                if (rest != null) {
                    if (channel.isOpen()) {
                        channel.pipeline().fireChannelRead(rest);
                        channel.pipeline().fireChannelReadComplete();
                    } else {
                        rest.release();
                    }
                }
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete && !done) {
                fail(new Libp2pException("stream ended before a relay message arrived"));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            fail(new Libp2pException("stream closed before a relay message arrived"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause instanceof Libp2pException e ? e : new Libp2pException("relay stream failed: " + cause, cause));
        }

        private void fail(Libp2pException error) {
            if (done) {
                return;
            }
            done = true;
            cancelTimer();
            releaseCumulation();
            callback.onFailure(error);
        }

        private void cancelTimer() {
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }

        private void releaseCumulation() {
            if (cumulation != null) {
                cumulation.release();
                cumulation = null;
            }
        }
    }
}
