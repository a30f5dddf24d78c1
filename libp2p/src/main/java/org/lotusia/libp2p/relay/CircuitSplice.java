package org.lotusia.libp2p.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Joins the initiator's hop stream and the target's stop stream into one circuit: bytes are copied
 * both ways with backpressure (a side stops reading while the other cannot take more), a half-close
 * is passed on, a reset or loss of either side resets the other, and the circuit is cut (both
 * streams reset) when a direction has carried {@link Limit#dataBytes()} or the circuit has lived
 * {@link Limit#duration()}.
 */
final class CircuitSplice {
    private static final Logger LOG = LoggerFactory.getLogger(CircuitSplice.class);

    private final StreamChannel initiatorSide;
    private final StreamChannel targetSide;
    private final Limit limit;
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private final AtomicBoolean cut = new AtomicBoolean();
    private ScheduledFuture<?> durationTimer;

    private CircuitSplice(StreamChannel initiatorSide, StreamChannel targetSide, Limit limit) {
        this.initiatorSide = initiatorSide;
        this.targetSide = targetSide;
        this.limit = limit;
    }

    /**
     * Starts relaying between the two streams; call on the target side's event loop. The target
     * side's forwarder is installed at once (bytes the target sends right after its answer are
     * relayed); on the initiator side's event loop {@code beforeInitiator} runs (it sends the
     * initiator its {@code OK}) and then that side's forwarder is installed, so nothing the initiator
     * sends after its {@code OK} can pass unforwarded. The future completes with why the circuit
     * ended once both streams are closed.
     */
    static CompletableFuture<String> start(StreamChannel initiatorSide, StreamChannel targetSide, Limit limit,
                                           Runnable beforeInitiator) {
        CircuitSplice splice = new CircuitSplice(initiatorSide, targetSide, limit);
        splice.install(beforeInitiator);
        return splice.ended;
    }

    private void install(Runnable beforeInitiator) {
        targetSide.pipeline().addLast("relay-forward", new Forwarder(targetSide, initiatorSide));
        initiatorSide.eventLoop().execute(() -> {
            beforeInitiator.run();
            initiatorSide.pipeline().addLast("relay-forward", new Forwarder(initiatorSide, targetSide));
        });
        if (!limit.duration().isZero()) {
            durationTimer = initiatorSide.eventLoop().schedule(() -> cutCircuit("duration limit of "
                    + limit.duration().toMillis() + " ms reached"), limit.duration().toNanos(), TimeUnit.NANOSECONDS);
        }
        CompletableFuture.allOf(closeFuture(initiatorSide), closeFuture(targetSide)).whenComplete((v, e) -> {
            if (durationTimer != null) {
                durationTimer.cancel(false);
            }
            ended.complete(cut.get() ? "cut at a limit" : "closed");
        });
    }

    private static CompletableFuture<Void> closeFuture(StreamChannel stream) {
        CompletableFuture<Void> closed = new CompletableFuture<>();
        stream.closeFuture().addListener(f -> closed.complete(null));
        return closed;
    }

    private void cutCircuit(String reason) {
        if (cut.compareAndSet(false, true)) {
            LOG.debug("cutting circuit {} <-> {}: {}", initiatorSide, targetSide, reason);
            initiatorSide.reset();
            targetSide.reset();
        }
    }

    /** Copies what one side reads to the other side, within the data limit. */
    private final class Forwarder extends ChannelInboundHandlerAdapter {
        private final StreamChannel source;
        private final StreamChannel destination;
        private long forwarded;

        Forwarder(StreamChannel source, StreamChannel destination) {
            this.source = source;
            this.destination = destination;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            if (!source.isOpen()) {
                // Gone before the circuit was set up: channelInactive will not come any more.
                destination.reset();
            } else if (source.isInputShutdown()) {
                destination.closeWrite();
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof ByteBuf buf) || cut.get()) {
                ReferenceCountUtil.release(msg);
                return;
            }
            long budget = limit.dataBytes() == 0 ? Long.MAX_VALUE : limit.dataBytes() - forwarded;
            int length = buf.readableBytes();
            if (length <= budget) {
                forwarded += length;
                write(ctx, buf);
                return;
            }
            // Forward exactly up to the limit, then cut once those bytes are out.
            ByteBuf allowed = buf.readRetainedSlice((int) budget);
            buf.release();
            forwarded += budget;
            destination.writeAndFlush(allowed).addListener(f -> cutCircuit("data limit of "
                    + limit.dataBytes() + " bytes reached"));
        }

        private void write(ChannelHandlerContext ctx, ByteBuf buf) {
            destination.writeAndFlush(buf);
            if (!destination.isWritable()) {
                // Backpressure: stop reading until the destination drains (see channelWritabilityChanged).
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // This side (a destination of the other forwarder) drained: let the other side read again.
            if (ctx.channel().isWritable()) {
                destination.config().setAutoRead(true);
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete) {
                destination.closeWrite();
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            StreamChannel self = (StreamChannel) ctx.channel();
            if (self.isReset() || !self.isInputShutdown()) {
                destination.reset();
            } else if (destination.isOpen() && !destination.isOutputShutdown()) {
                destination.closeWrite();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("relayed stream {} failed: {}", ctx.channel(), cause.toString());
            ctx.channel().close();
        }
    }
}
