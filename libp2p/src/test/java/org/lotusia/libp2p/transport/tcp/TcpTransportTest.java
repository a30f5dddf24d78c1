package org.lotusia.libp2p.transport.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multistream.MultistreamDialer;
import org.lotusia.libp2p.multistream.MultistreamListener;
import org.lotusia.libp2p.multistream.ProtocolSelector;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.transport.DialTimeoutException;
import org.lotusia.libp2p.transport.Listener;
import org.lotusia.libp2p.transport.TransportException;
import org.lotusia.libp2p.transport.TransportResources;
import org.lotusia.libp2p.transport.UnsupportedAddressException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@ExtendWith(LeakDetectionExtension.class)
class TcpTransportTest {
    private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(5);
    private static final TransportResources EPOLL_OR_NIO = TransportResources.builder()
            .threadNamePrefix("tcp-test-native").workerThreads(2).build();
    private static final TransportResources NIO = TransportResources.builder()
            .threadNamePrefix("tcp-test-nio").workerThreads(2).preferNative(false).build();

    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @AfterAll
    static void stopLoops() {
        EPOLL_OR_NIO.close();
        NIO.close();
    }

    private static TransportResources resources(boolean nativeTransport) {
        return nativeTransport ? EPOLL_OR_NIO : NIO;
    }

    private TcpTransport transport(boolean nativeTransport) {
        TcpTransport t = new TcpTransport(resources(nativeTransport));
        cleanup.add(t);
        return t;
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        cleanup.add(c);
        return c;
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static Throwable failureOf(CompletableFuture<?> f) {
        Throwable t = Assertions.assertThrows(ExecutionException.class,
                () -> f.get(10, TimeUnit.SECONDS));
        return t.getCause();
    }

    /** Echoes everything back. */
    private static ChannelInitializer<Channel> echoServer(CompletableFuture<Channel> accepted) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                accepted.complete(ch);
                ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                });
            }
        };
    }

    /** Collects inbound bytes; {@link #received} completes once {@code n} bytes arrived. */
    private static final class Collector extends ChannelInitializer<Channel> {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<String> received = new CompletableFuture<>();
        final int n;

        Collector(int n) {
            this.n = n;
        }

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
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
                    if (bytes.size() >= n) {
                        received.complete(bytes.toString(StandardCharsets.UTF_8));
                    }
                }
            });
        }
    }

    private void exchange(boolean nativeTransport, String listenAddress, String expectedPrefix) throws Exception {
        TcpTransport transport = transport(nativeTransport);
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Listener listener = closeLater(await(transport.listen(Multiaddr.parse(listenAddress), echoServer(accepted))));
        Multiaddr bound = listener.localAddress();
        assertThat(bound.toString()).startsWith(expectedPrefix).doesNotEndWith("/tcp/0");
        int port = Integer.parseInt(bound.valueForProtocol("tcp").orElseThrow());
        assertThat(port).isBetween(1, 65535);
        assertThat(listener.isOpen()).isTrue();
        assertThat(transport.listeners()).containsExactly(listener);

        Collector client = new Collector(11);
        Channel ch = await(transport.dial(bound, client, DIAL_TIMEOUT));
        try {
            assertThat(ch.isActive()).isTrue();
            assertThat(TcpAddresses.toMultiaddr(ch.remoteAddress())).isEqualTo(bound);
            ch.writeAndFlush(Unpooled.copiedBuffer("hello world", StandardCharsets.UTF_8)).sync();
            assertThat(await(client.received)).isEqualTo("hello world");

            Channel server = await(accepted);
            for (Channel c : List.of(ch, server)) {
                assertThat(c.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
                assertThat(c.config().getOption(ChannelOption.SO_KEEPALIVE)).isTrue();
                assertThat(c.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE)).isFalse();
            }
            assertThat(TcpAddresses.toMultiaddr(server.remoteAddress()))
                    .isEqualTo(TcpAddresses.toMultiaddr(ch.localAddress()));
            assertThat(ch.getClass()).isEqualTo(resources(nativeTransport).socketChannelClass());
        } finally {
            ch.close().sync();
        }
        listener.close();
        assertThat(listener.isOpen()).isFalse();
        assertThat(transport.listeners()).isEmpty();
    }

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {true, false})
    void listenOnPortZeroDialAndExchangeOverIpv4(boolean nativeTransport) throws Exception {
        exchange(nativeTransport, "/ip4/127.0.0.1/tcp/0", "/ip4/127.0.0.1/tcp/");
    }

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {true, false})
    void listenOnPortZeroDialAndExchangeOverIpv6(boolean nativeTransport) throws Exception {
        assumeTrue(hasIpv6Loopback(), "this machine has no usable ::1 (IPv6 loopback); skipping the IPv6 TCP test");
        exchange(nativeTransport, "/ip6/::1/tcp/0", "/ip6/::1/tcp/");
    }

    @Test
    void usesEpollWhenAvailable() {
        assertThat(EPOLL_OR_NIO.isNative()).isEqualTo(TransportResources.isEpollAvailable());
        if (EPOLL_OR_NIO.isNative()) {
            assertThat(EPOLL_OR_NIO.socketChannelClass().getSimpleName()).isEqualTo("EpollSocketChannel");
            assertThat(EPOLL_OR_NIO.serverSocketChannelClass().getSimpleName()).isEqualTo("EpollServerSocketChannel");
        }
        assertThat(NIO.isNative()).isFalse();
        assertThat(NIO.socketChannelClass().getSimpleName()).isEqualTo("NioSocketChannel");
    }

    @Test
    void epollIsAvailableOnLinuxX8664() {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux")
                && System.getProperty("os.arch").matches("amd64|x86_64"), "only checked on linux-x86_64");
        assertThat(TransportResources.isEpollAvailable()).isTrue();
    }

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {true, false})
    void closingTheListenerReleasesThePort(boolean nativeTransport) throws Exception {
        TcpTransport transport = transport(nativeTransport);
        Listener listener = await(transport.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), echoServer(new CompletableFuture<>())));
        InetSocketAddress bound = TcpAddresses.toSocketAddress(listener.localAddress());
        listener.close();
        listener.close(); // idempotent
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(bound);
            assertThat(again.getLocalPort()).isEqualTo(bound.getPort());
        }
        Throwable t = failureOf(transport.dial(listener.localAddress(), new Collector(1), DIAL_TIMEOUT));
        assertThat(t).isInstanceOf(TransportException.class).isNotInstanceOf(DialTimeoutException.class)
                .hasMessageContaining("connection refused").hasMessageContaining(listener.localAddress().toString());
    }

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {true, false})
    void dialRefused(boolean nativeTransport) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Multiaddr target = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port);
        Throwable t = failureOf(transport(nativeTransport).dial(target, new Collector(1), DIAL_TIMEOUT));
        assertThat(t).isExactlyInstanceOf(TransportException.class)
                .hasMessage("dial " + target + " failed: connection refused");
        assertThat(t.getCause()).isInstanceOf(ConnectException.class);
    }

    @ParameterizedTest(name = "native={0}")
    @ValueSource(booleans = {true, false})
    void dialTimeout(boolean nativeTransport) throws Exception {
        // A listener whose accept queue is full: the kernel drops further SYNs, so connecting hangs.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                boolean saturated = false;
                for (int i = 0; i < 16 && !saturated; i++) {
                    Socket s = new Socket();
                    fillers.add(s);
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                    } catch (IOException e) {
                        saturated = true;
                    }
                }
                assumeTrue(saturated, "could not saturate a listen backlog on this kernel; cannot provoke a dial timeout");
                Multiaddr target = TcpAddresses.toMultiaddr(full.getLocalSocketAddress());
                long start = System.nanoTime();
                Throwable t = failureOf(transport(nativeTransport).dial(target, new Collector(1), Duration.ofMillis(300)));
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertThat(t).isInstanceOf(DialTimeoutException.class)
                        .hasMessage("dial " + target + " timed out after 300 ms");
                assertThat(elapsedMs).isBetween(250L, 5_000L);
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void cancellingADialAbortsIt() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fillers = new ArrayList<>();
            try {
                boolean saturated = false;
                for (int i = 0; i < 16 && !saturated; i++) {
                    Socket s = new Socket();
                    fillers.add(s);
                    try {
                        s.connect(full.getLocalSocketAddress(), 200);
                    } catch (IOException e) {
                        saturated = true;
                    }
                }
                assumeTrue(saturated, "could not saturate a listen backlog on this kernel");
                CompletableFuture<Channel> registered = new CompletableFuture<>();
                CompletableFuture<Channel> dial = transport(true).dial(TcpAddresses.toMultiaddr(full.getLocalSocketAddress()),
                        new ChannelInitializer<>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                registered.complete(ch);
                            }
                        }, Duration.ofSeconds(30));
                Channel ch = await(registered);
                assertThat(dial.cancel(false)).isTrue();
                assertThat(ch.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
                assertThat(ch.isOpen()).isFalse();
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }

    @Test
    void dnsAndOtherAddressesFailTheFutureWithAClearMessage() throws Exception {
        TcpTransport transport = transport(true);
        Multiaddr dns = Multiaddr.parse("/dns4/localhost/tcp/4001");
        assertThat(transport.canDial(dns)).isFalse();
        assertThat(failureOf(transport.dial(dns, new Collector(1), DIAL_TIMEOUT)))
                .isInstanceOf(UnsupportedAddressException.class)
                .hasMessageContaining("DNS multiaddrs are not supported").hasMessageContaining("/dns4/localhost/tcp/4001");
        Multiaddr udp = Multiaddr.parse("/ip4/127.0.0.1/udp/4001/quic-v1");
        assertThat(transport.canDial(udp)).isFalse();
        assertThat(failureOf(transport.listen(udp, new Collector(1)))).isInstanceOf(UnsupportedAddressException.class);
        assertThatThrownBy(() -> transport.dial(Multiaddr.parse("/ip4/127.0.0.1/tcp/1"), new Collector(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void canDialAndCanListen() {
        TcpTransport transport = transport(true);
        String peer = Keys.generateEd25519().publicKey().peerId().toString();
        Multiaddr withPeer = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + peer);
        assertThat(transport.canDial(withPeer)).isTrue();
        assertThat(transport.canListen(withPeer)).isFalse();
        assertThat(transport.canDial(Multiaddr.parse("/ip6/::1/tcp/4001"))).isTrue();
        assertThat(transport.canListen(Multiaddr.parse("/ip4/0.0.0.0/tcp/0"))).isTrue();
        assertThat(transport.canDial(Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/ws"))).isFalse();
        assertThat(transport.canDial(null)).isFalse();
    }

    @Test
    void dialStripsTrailingPeerId() throws Exception {
        TcpTransport transport = transport(true);
        Listener listener = closeLater(await(transport.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"),
                echoServer(new CompletableFuture<>()))));
        String peer = Keys.generateEd25519().publicKey().peerId().toString();
        Channel ch = await(transport.dial(Multiaddr.parse(listener.localAddress() + "/p2p/" + peer), new Collector(1), DIAL_TIMEOUT));
        assertThat(ch.isActive()).isTrue();
        ch.close().sync();
    }

    @Test
    void listenOnAnAddressInUseFails() throws Exception {
        TcpTransport transport = transport(true);
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Multiaddr ma = Multiaddr.parse("/ip4/127.0.0.1/tcp/" + taken.getLocalPort());
            assertThat(failureOf(transport.listen(ma, new Collector(1))))
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("listen on " + ma + " failed");
        }
    }

    @Test
    void closingTheTransportClosesItsListenersAndRefusesNewWork() throws Exception {
        TcpTransport transport = transport(true);
        Listener a = await(transport.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), new Collector(1)));
        Listener b = await(transport.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), new Collector(1)));
        transport.close();
        assertThat(a.isOpen()).isFalse();
        assertThat(b.isOpen()).isFalse();
        assertThat(failureOf(transport.dial(a.localAddress(), new Collector(1), DIAL_TIMEOUT)))
                .isInstanceOf(TransportException.class).hasMessageContaining("closed");
        assertThat(failureOf(transport.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), new Collector(1))))
                .isInstanceOf(TransportException.class).hasMessageContaining("closed");
    }

    @Test
    void multistreamOverTheTransport() throws Exception {
        TcpTransport transport = transport(true);
        CompletableFuture<MultistreamListener> serverSide = new CompletableFuture<>();
        Listener listener = closeLater(await(transport.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"),
                new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        MultistreamListener l = new MultistreamListener(ProtocolSelector.of("/noise"));
                        ch.pipeline().addLast(l);
                        serverSide.complete(l);
                    }
                })));
        MultistreamDialer dialer = new MultistreamDialer("/tls/1.0.0", "/noise");
        Channel ch = await(transport.dial(listener.localAddress(), new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel c) {
                c.pipeline().addLast(dialer);
            }
        }, DIAL_TIMEOUT));
        try {
            assertThat(await(dialer.selected())).isEqualTo("/noise");
            assertThat(await(await(serverSide).selected())).isEqualTo("/noise");
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void noThreadsLeftAfterClose() throws Exception {
        String prefix = "tcp-leak-check-" + System.nanoTime();
        assertThat(threadsNamed(prefix)).isZero();
        TransportResources resources = TransportResources.builder().threadNamePrefix(prefix).workerThreads(3)
                .shutdown(Duration.ZERO, Duration.ofSeconds(5)).build();
        try (TcpTransport transport = new TcpTransport(resources)) {
            Listener listener = await(transport.listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"),
                    echoServer(new CompletableFuture<>())));
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Collector c = new Collector(2);
                Channel ch = await(transport.dial(listener.localAddress(), c, DIAL_TIMEOUT));
                ch.writeAndFlush(Unpooled.copiedBuffer("hi", StandardCharsets.UTF_8));
                assertThat(await(c.received)).isEqualTo("hi");
                channels.add(ch);
            }
            assertThat(threadsNamed(prefix)).isGreaterThanOrEqualTo(2);
            listener.close();
        }
        resources.close();
        assertThat(resources.isClosed()).isTrue();
        assertThat(resources.bossGroup().isTerminated()).isTrue();
        assertThat(resources.workerGroup().isTerminated()).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (threadsNamed(prefix) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(threadsNamed(prefix)).as("live threads named %s*", prefix).isZero();
        resources.close(); // idempotent
        assertThat(failureOf(new TcpTransport(resources).listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0"), new Collector(1))))
                .isInstanceOf(TransportException.class).hasMessageContaining("shut down");
    }

    private static long threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(prefix)).count();
    }

    private static boolean hasIpv6Loopback() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("::1"), 0));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
