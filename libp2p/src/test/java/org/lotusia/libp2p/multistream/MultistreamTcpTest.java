package org.lotusia.libp2p.multistream;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dialer and listener talking over real TCP on 127.0.0.1. */
@ExtendWith(LeakDetectionExtension.class)
class MultistreamTcpTest {
    private static EventLoopGroup group;
    private final List<Channel> channels = new ArrayList<>();

    @BeforeAll
    static void startLoops() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @AfterEach
    void closeChannels() {
        for (Channel c : channels) {
            c.close().syncUninterruptibly();
        }
    }

    /** Echoes every inbound buffer back. */
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }
    }

    /** Completes {@link #done} once {@code expected} bytes arrived. */
    static final class Collect extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<String> done = new CompletableFuture<>();
        final int expected;
        volatile Channel channel;

        Collect(int expected) {
            this.expected = expected;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                byte[] b = new byte[buf.readableBytes()];
                buf.readBytes(b);
                bytes.writeBytes(b);
            } finally {
                buf.release();
            }
            if (bytes.size() >= expected) {
                done.complete(bytes.toString(StandardCharsets.UTF_8));
            }
        }
    }

    private final CompletableFuture<MultistreamListener> serverListener = new CompletableFuture<>();

    private InetSocketAddress startServer(ProtocolSelector selector) {
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        MultistreamListener l = MultistreamListener.builder(selector)
                                .onSelected((c, p) -> c.pipeline().addLast(new Echo()))
                                .build();
                        ch.pipeline().addLast(l);
                        serverListener.complete(l);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
        channels.add(server);
        return (InetSocketAddress) server.localAddress();
    }

    private Channel connect(InetSocketAddress address, MultistreamDialer dialer, ChannelInboundHandlerAdapter app) {
        Channel c = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // Added before the connection is established: the dialer must wait for channelActive.
                        ch.pipeline().addLast(dialer, app);
                    }
                })
                .connect(address).syncUninterruptibly().channel();
        channels.add(c);
        return c;
    }

    @Test
    void dialerAndListenerAgreeAndApplicationDataFlows() throws Exception {
        InetSocketAddress address = startServer(ProtocolSelector.of("/noise", "/echo/1.0.0"));
        Collect app = new Collect(5);
        MultistreamDialer dialer = new MultistreamDialer("/unknown/1.0.0", "/echo/1.0.0");
        Channel c = connect(address, dialer, app);
        assertThat(dialer.selected().get(5, TimeUnit.SECONDS)).isEqualTo("/echo/1.0.0");
        assertThat(serverListener.get(5, TimeUnit.SECONDS).selected().get(5, TimeUnit.SECONDS)).isEqualTo("/echo/1.0.0");
        c.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
        assertThat(app.done.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(c.pipeline().get(MultistreamDialer.class)).isNull();
    }

    @Test
    void lazyDialerSendsDataBehindTheProposal() throws Exception {
        InetSocketAddress address = startServer(ProtocolSelector.of("/echo/1.0.0"));
        Collect app = new Collect(4);
        MultistreamDialer dialer = MultistreamDialer.builder("/echo/1.0.0").lazy(true).build();
        dialer.selected().thenAccept(p -> {
            // Runs on the event loop as soon as the proposal is written: write without waiting for the echo.
            app.channel.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.UTF_8));
        });
        connect(address, dialer, app);
        assertThat(app.done.get(5, TimeUnit.SECONDS)).isEqualTo("ping");
        assertThat(dialer.confirmed().get(5, TimeUnit.SECONDS)).isEqualTo("/echo/1.0.0");
    }

    @Test
    void failedConnectFailsTheDialer() throws Exception {
        InetSocketAddress closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = (InetSocketAddress) s.getLocalSocketAddress();
        }
        MultistreamDialer dialer = new MultistreamDialer("/noise");
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(dialer);
                    }
                })
                .connect(closedPort);
        assertThatThrownBy(() -> dialer.selected().get(5, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(MultistreamException.class,
                        e -> assertThat(e.reason()).isEqualTo(MultistreamException.Reason.CHANNEL_CLOSED));
    }

    @Test
    void unsupportedProtocolFailsTheDialerOnly() throws Exception {
        InetSocketAddress address = startServer(ProtocolSelector.of("/noise"));
        MultistreamDialer dialer = new MultistreamDialer("/a/1.0.0", "/b/1.0.0");
        Channel c = connect(address, dialer, new Collect(1));
        assertThatThrownBy(() -> dialer.selected().get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(ProtocolNotSupportedException.class,
                        e -> assertThat(e.triedProtocols()).containsExactly("/a/1.0.0", "/b/1.0.0"));
        c.closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(c.isOpen()).isFalse();
        // The listener answered na twice and then saw the connection go away.
        assertThatThrownBy(() -> serverListener.get(5, TimeUnit.SECONDS).selected().get(5, TimeUnit.SECONDS))
                .cause().isInstanceOfSatisfying(MultistreamException.class,
                        e -> assertThat(e.reason()).isEqualTo(MultistreamException.Reason.CHANNEL_CLOSED));
    }
}
