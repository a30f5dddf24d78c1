package org.lotusia.p2p.message;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.lotusia.libp2p.muxer.StreamChannel;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Reads one direct message from an inbound {@link StreamChannel}: accumulates bytes until the
 * sender's FIN, then reports them; never writes anything back. Bounded in size and time:
 * <ul>
 *   <li>more than {@code maxBytes} → the stream is reset, {@link ReceiveFailure#OVERSIZED};</li>
 *   <li>no FIN within {@code timeout} of the handler being added (a whole-message deadline, not an
 *       idle timer, so trickling bytes does not help) → reset, {@link ReceiveFailure#TIMEOUT};</li>
 *   <li>FIN with no bytes → {@link ReceiveFailure#EMPTY} (our side is closed normally);</li>
 *   <li>reset/closed before FIN → {@link ReceiveFailure#RESET}; a pipeline exception → reset,
 *       {@link ReceiveFailure#ERROR}.</li>
 * </ul>
 * After a complete message the stream is closed from our side (FIN), so it ends cleanly. Every
 * inbound ByteBuf is released. The listener is called exactly once, on the stream's event loop: it
 * must not block. Not sharable: one instance per stream.
 */
public final class MessageStreamReader extends ChannelInboundHandlerAdapter {

    /** Receives the outcome of one stream. */
    public interface Listener {
        /** The sender's bytes (non-empty, at most the limit), received up to its FIN. */
        void onMessage(byte[] body);

        /** No message: why. {@code detail} is for logs. */
        void onFailure(ReceiveFailure failure, String detail);
    }

    private final int maxBytes;
    private final Duration timeout;
    private final Listener listener;
    private byte[] buffer = new byte[256];
    private int size;
    private boolean done;
    private ScheduledFuture<?> timer;

    /**
     * @param maxBytes largest accepted message (≥ 1)
     * @param timeout  deadline for the whole message (positive)
     * @param listener told the outcome, once
     */
    public MessageStreamReader(int maxBytes, Duration timeout, Listener listener) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
        this.maxBytes = maxBytes;
        this.timeout = timeout;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** A reader with the reference's 100 000-byte limit and a 10 s deadline. */
    public MessageStreamReader(Listener listener) {
        this(DirectMessaging.DEFAULT_MAX_MESSAGE_BYTES, DirectMessaging.DEFAULT_READ_TIMEOUT, listener);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> fail(ctx, ReceiveFailure.TIMEOUT,
                        "no complete message within " + timeout.toMillis() + " ms (" + size + " bytes so far)", true),
                timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (!ctx.channel().isActive() && !done) {
            // closed before we were added
            fail(ctx, ReceiveFailure.RESET, "stream already closed", false);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            int n = buf.readableBytes();
            if ((long) size + n > maxBytes) {
                fail(ctx, ReceiveFailure.OVERSIZED, "more than " + maxBytes + " bytes (" + ((long) size + n) + ")", true);
                return;
            }
            if (size + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, Math.min(maxBytes, Math.max(size + n, buffer.length * 2)));
            }
            buf.readBytes(buffer, size, n);
            size += n;
        } finally {
            buf.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownReadComplete && !done) {
            done = true;
            cancelTimer();
            byte[] body = Arrays.copyOf(buffer, size);
            buffer = null;
            ctx.close(); // our FIN; the stream ends cleanly since the sender already half-closed
            if (body.length == 0) {
                listener.onFailure(ReceiveFailure.EMPTY, "the sender closed the stream without data");
            } else {
                listener.onMessage(body);
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (!done) {
            boolean reset = ctx.channel() instanceof StreamChannel s && s.isReset();
            fail(ctx, ReceiveFailure.RESET, reset ? "the stream was reset before the message ended"
                    : "the stream closed before the message ended", false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, ReceiveFailure.ERROR, String.valueOf(cause), true);
    }

    private void fail(ChannelHandlerContext ctx, ReceiveFailure failure, String detail, boolean reset) {
        if (done) {
            return;
        }
        done = true;
        cancelTimer();
        buffer = null;
        if (reset) {
            if (ctx.channel() instanceof StreamChannel s) {
                s.reset();
            } else {
                ctx.close();
            }
        }
        listener.onFailure(failure, detail);
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        timer = null;
        if (t != null) {
            t.cancel(false);
        }
    }
}
