package org.lotusia.libp2p.interop;

import org.lotusia.libp2p.testing.EchoHandler;

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
            stream.channel().pipeline().addLast(new EchoHandler());
        }, echoLimit);
        host.setStreamHandler(RESET, stream -> stream.channel().pipeline().addLast(new ResetOnData(counters)), 64);
        ProtocolRegistry.Registration ping = host.protocols().find(PingService.PROTOCOL).orElseThrow();
        host.setStreamHandler(PingService.PROTOCOL, stream -> {
            counters.inboundPings.incrementAndGet();
            ping.handler().handle(stream);
        }, ping.maxInboundStreamsPerConnection());
        return counters;
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

}
