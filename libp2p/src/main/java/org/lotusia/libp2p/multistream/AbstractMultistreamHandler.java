package org.lotusia.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The machinery shared by the dialer and the listener: buffering inbound bytes until whole messages
 * are there, batching replies into one write, the negotiation timeout, failure handling and the
 * hand-over to the next handler.
 *
 * <p>Buffer ownership: every inbound {@link ByteBuf} becomes this handler's; it is either consumed
 * (and released) as negotiation messages, released on failure, or passed on to the next handler
 * (which then owns it) after success. Not thread-safe: everything runs on the channel's event loop.
 */
abstract class AbstractMultistreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(AbstractMultistreamHandler.class);

    private enum State { NEGOTIATING, SUCCEEDED, FAILED }

    private final Duration timeout;
    private final BiConsumer<Channel, String> onSelected;

    private ChannelHandlerContext ctx;
    private State state = State.NEGOTIATING;
    private boolean started;
    private ByteBuf cumulation;
    private ByteBuf pendingOut;
    private ScheduledFuture<?> timeoutTask;

    AbstractMultistreamHandler(Duration timeout, BiConsumer<Channel, String> onSelected) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be zero (none) or positive: " + timeout);
        }
        this.timeout = timeout;
        this.onSelected = onSelected;
    }

    /** Called once, on the event loop, when the channel is active and the handler in place. */
    abstract void onStart();

    /**
     * Handles one complete message; {@code encodedLength} counts its prefix and newline. May
     * {@link #queue} replies, call {@link #succeed} or throw {@link MultistreamException}.
     */
    abstract void onMessage(String message, int encodedLength);

    /** Completes the public futures with the agreed protocol. */
    abstract void completeSuccess(String protocol);

    /** Completes the public futures with {@code failure}. */
    abstract void completeFailure(MultistreamException failure);

    /** Whether this side proposes protocols. */
    abstract boolean initiator();

    // ---------------------------------------------------------------------------------------------
    // Netty callbacks

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (state == State.NEGOTIATING) {
            // Also the path taken when a dial fails: the channel never became active and its
            // pipeline is torn down.
            abort(ctx.channel().isOpen()
                    ? new MultistreamException(MultistreamException.Reason.INTERNAL_ERROR,
                            "multistream handler removed before a protocol was agreed")
                    : new MultistreamException(MultistreamException.Reason.CHANNEL_CLOSED,
                            "channel closed before a protocol was agreed"), false);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (state != State.NEGOTIATING) {
            // Only reachable after a failure (success removes the handler): drop what still arrives.
            buf.release();
            return;
        }
        start();
        cumulate(buf);
        try {
            while (state == State.NEGOTIATING && cumulation != null && cumulation.isReadable()) {
                int before = cumulation.readerIndex();
                String message = MultistreamCodec.readMessage(cumulation);
                if (message == null) {
                    break;
                }
                onMessage(message, cumulation.readerIndex() - before);
            }
            if (state == State.NEGOTIATING) {
                flushQueued();
                if (cumulation != null && !cumulation.isReadable()) {
                    cumulation.release();
                    cumulation = null;
                }
            }
        } catch (MultistreamException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new MultistreamException(MultistreamException.Reason.INTERNAL_ERROR,
                    "multistream negotiation failed: " + e, e));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.NEGOTIATING && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.NEGOTIATING) {
            fail(new MultistreamException(MultistreamException.Reason.CHANNEL_CLOSED,
                    "channel closed before a protocol was agreed"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && state == State.NEGOTIATING) {
            fail(new MultistreamException(MultistreamException.Reason.CHANNEL_CLOSED,
                    "remote closed its side of the channel before a protocol was agreed"));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state != State.NEGOTIATING) {
            ctx.fireExceptionCaught(cause);
            return;
        }
        if (cause instanceof MultistreamException e) {
            fail(e);
        } else if (cause instanceof IOException) {
            fail(new MultistreamException(MultistreamException.Reason.CHANNEL_CLOSED,
                    "channel failed during multistream negotiation: " + cause, cause));
        } else {
            fail(new MultistreamException(MultistreamException.Reason.INTERNAL_ERROR,
                    "pipeline error during multistream negotiation: " + cause, cause));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // For subclasses

    /** Appends a message to the reply batch written at the end of the current read (or by {@link #flushQueued}). */
    final void queue(String text) {
        MultistreamCodec.writeMessage(out(), text);
    }

    /** Appends an {@code ls} reply to the batch. */
    final void queueLs(List<String> protocols) {
        MultistreamCodec.writeLsResponse(out(), protocols);
    }

    /** Writes and flushes the reply batch, if any, as one write. */
    final void flushQueued() {
        if (pendingOut == null) {
            return;
        }
        ByteBuf out = pendingOut;
        pendingOut = null;
        ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(new MultistreamException(MultistreamException.Reason.WRITE_FAILED,
                        "could not write multistream message: " + f.cause(), f.cause()));
            }
        });
    }

    /**
     * Ends the negotiation successfully: writes what is queued, runs the {@code onSelected}
     * callback, completes the futures, removes this handler, fires {@link MultistreamSelectedEvent}
     * and passes the bytes that followed the negotiation to the next handler. The callback and the
     * futures' dependents run before those bytes are passed on, so they can still set up the pipeline.
     */
    final void succeed(String protocol) {
        flushQueued();
        if (state != State.NEGOTIATING) {
            return; // the write failed synchronously and the negotiation was failed
        }
        state = State.SUCCEEDED;
        cancelTimeout();
        ByteBuf leftover = cumulation;
        cumulation = null;
        if (onSelected != null) {
            try {
                onSelected.accept(ctx.channel(), protocol);
            } catch (RuntimeException | Error e) {
                if (leftover != null) {
                    leftover.release();
                }
                abort(new MultistreamException(MultistreamException.Reason.INTERNAL_ERROR,
                        "onSelected callback failed for " + MultistreamCodec.show(protocol) + ": " + e, e), true);
                return;
            }
        }
        LOG.debug("{} multistream agreed on {} ({})", ctx.channel(), protocol, initiator() ? "dialer" : "listener");
        completeSuccess(protocol);
        if (!ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
        ctx.fireUserEventTriggered(new MultistreamSelectedEvent(protocol, initiator()));
        if (leftover != null) {
            if (leftover.isReadable()) {
                ctx.fireChannelRead(leftover);
            } else {
                leftover.release();
            }
        }
    }

    /** Ends the negotiation with {@code failure} and closes the channel (no-op once finished). */
    final void fail(MultistreamException failure) {
        if (state == State.NEGOTIATING) {
            abort(failure, true);
        }
    }

    /** The channel context, once the handler is added. */
    final ChannelHandlerContext context() {
        return ctx;
    }

    // ---------------------------------------------------------------------------------------------

    private void start() {
        if (started || state != State.NEGOTIATING) {
            return;
        }
        started = true;
        if (!timeout.isZero()) {
            timeoutTask = ctx.executor().schedule(() -> fail(new MultistreamException(
                    MultistreamException.Reason.TIMEOUT,
                    "multistream negotiation did not finish within " + timeout.toMillis() + " ms")),
                    timeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        try {
            onStart();
            if (!ctx.channel().config().isAutoRead()) {
                ctx.read();
            }
        } catch (MultistreamException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new MultistreamException(MultistreamException.Reason.INTERNAL_ERROR,
                    "could not start multistream negotiation: " + e, e));
        }
    }

    private void abort(MultistreamException failure, boolean close) {
        state = State.FAILED;
        cancelTimeout();
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        if (pendingOut != null) {
            pendingOut.release();
            pendingOut = null;
        }
        LOG.debug("{} multistream negotiation failed: {}", ctx.channel(), failure.getMessage());
        completeFailure(failure);
        if (close) {
            ctx.close();
        }
    }

    private void cancelTimeout() {
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
    }

    private ByteBuf out() {
        if (pendingOut == null) {
            pendingOut = ctx.alloc().buffer(64);
        }
        return pendingOut;
    }

    /** Takes ownership of {@code buf}, appending it to what is still unread. */
    private void cumulate(ByteBuf buf) {
        if (cumulation == null) {
            cumulation = buf;
            return;
        }
        try {
            ByteBuf merged = ctx.alloc().buffer(cumulation.readableBytes() + buf.readableBytes());
            merged.writeBytes(cumulation).writeBytes(buf);
            cumulation.release();
            cumulation = merged;
        } finally {
            buf.release();
        }
    }
}
