package org.lotusia.libp2p.interop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.ProtocolRegistry;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.protocols.ping.PingService;

/** Java-side test protocols and stream helpers of {@link ConnectionInteropTest}. */
final class HostStreams {
    /** Echo protocol served by both sides. */
    static final String ECHO = "/test/echo/1.0.0";
    /** Protocol whose handler resets the stream once it has received data. */
    static final String RESET = "/test/reset/1.0.0";

    private HostStreams() {
    }

    /** Counters of what the Java handlers of one host saw. */
    static final class Counters {
        final AtomicInteger echoStreams = new AtomicInteger();
        final AtomicInteger echoOpen = new AtomicInteger();
        final AtomicInteger echoPeak = new AtomicInteger();
        final AtomicInteger resets = new AtomicInteger();
        final AtomicInteger inboundPings = new AtomicInteger();
    }

    /**
     * Registers the echo (per-connection inbound limit {@code echoLimit}) and reset protocols, and wraps the ping
     * handler so inbound ping streams are counted (delegating to the host's own responder).
     */
    static Counters install(Host host, int echoLimit) {
        Counters counters = new Counters();
        host.setStreamHandler(ECHO, stream -> {
            counters.echoStreams.incrementAndGet();
            counters.echoPeak.accumulateAndGet(counters.echoOpen.incrementAndGet(), Math::max);
            stream.channel().closeFuture().addListener(f -> counters.echoOpen.decrementAndGet());
            stream.channel().pipeline().addLast(new Echo());
        }, echoLimit);
        host.setStreamHandler(RESET, stream -> stream.channel().pipeline().addLast(new ResetOnData(counters)), 64);
        ProtocolRegistry.Registration ping = host.protocols().find(PingService.PROTOCOL).orElseThrow();
        host.setStreamHandler(PingService.PROTOCOL, stream -> {
            counters.inboundPings.incrementAndGet();
            ping.handler().handle(stream);
        }, ping.maxInboundStreamsPerConnection());
        return counters;
    }

    /** Echoes every byte; half-closes once the peer has half-closed and everything was echoed. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete) {
                ctx.flush();
                ((StreamChannel) ctx.channel()).closeWrite();
            }
            ctx.fireUserEventTriggered(evt);
        }
    }

    /** Resets the stream as soon as data arrives. */
    static final class ResetOnData extends ChannelInboundHandlerAdapter {
        private final Counters counters;

        ResetOnData(Counters counters) {
            this.counters = counters;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            StreamChannel stream = (StreamChannel) ctx.channel();
            if (!stream.isReset()) {
                counters.resets.incrementAndGet();
                stream.reset();
            }
        }
    }

    /**
     * Collects a stream's bytes. {@link #done} completes with everything once the peer half-closed (fails if the
     * stream closes first); {@link #reached(int)} completes once at least that many bytes have arrived.
     */
    static final class Collector extends ChannelInboundHandlerAdapter {
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile int threshold = Integer.MAX_VALUE;
        private final CompletableFuture<Integer> reached = new CompletableFuture<>();

        /** Completes (with the count so far) when at least {@code n} bytes have arrived. Call before data flows. */
        CompletableFuture<Integer> reached(int n) {
            threshold = n;
            return reached;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                buf.readBytes(bytes, buf.readableBytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } finally {
                buf.release();
            }
            if (bytes.size() >= threshold) {
                reached.complete(bytes.size());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete) {
                done.complete(bytes.toByteArray());
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            reached.completeExceptionally(cause);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            StreamChannel stream = (StreamChannel) ctx.channel();
            IllegalStateException e = new IllegalStateException("stream closed before the peer half-closed (reset: "
                    + stream.isReset() + ", " + bytes.size() + " bytes received)");
            done.completeExceptionally(e);
            reached.completeExceptionally(e);
            ctx.fireChannelInactive();
        }
    }
}
