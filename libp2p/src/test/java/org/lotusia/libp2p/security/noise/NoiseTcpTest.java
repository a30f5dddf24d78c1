package org.lotusia.libp2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.security.SecureSession;
import org.lotusia.libp2p.security.SecurityHandshakeException;
import org.lotusia.libp2p.security.SecurityHandshakeException.Reason;

/** Two real TCP channels on 127.0.0.1. */
class NoiseTcpTest {
    private static final List<String> YAMUX = List.of("/yamux/1.0.0");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final LeakCheckingAllocator alloc = new LeakCheckingAllocator(true);
    private final PrivateKey clientKey = Keys.generateEd25519();
    private final PrivateKey serverKey = Keys.generateEd25519();
    private final List<NoiseSecureChannelHandler> serverHandlers = new CopyOnWriteArrayList<>();
    private final List<Collector> serverCollectors = new CopyOnWriteArrayList<>();
    private final List<Channel> serverChildren = new CopyOnWriteArrayList<>();
    private Channel server;

    /** Hashes everything it receives; completes when the expected number of bytes arrived. */
    static final class Collector extends ChannelInboundHandlerAdapter {
        final MessageDigest sha;
        final long expected;
        long received;
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final CompletableFuture<SecureSession> event = new CompletableFuture<>();

        Collector(long expected) throws Exception {
            this.sha = MessageDigest.getInstance("SHA-256");
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            received += b.readableBytes();
            sha.update(b.nioBuffer());
            b.release();
            if (received >= expected && !done.isDone()) {
                done.complete(sha.digest());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof org.lotusia.libp2p.security.SecureSessionEstablished e) {
                event.complete(e.session());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }

    private InetSocketAddress startServer(Duration handshakeTimeout, long expectBytes) throws Exception {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, alloc)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) throws Exception {
                        NoiseSecureChannelHandler h =
                                new NoiseSecureChannelHandler(false, serverKey, null, YAMUX, handshakeTimeout);
                        Collector c = new Collector(expectBytes);
                        serverHandlers.add(h);
                        serverCollectors.add(c);
                        serverChildren.add(ch);
                        ch.pipeline().addLast("noise", h).addLast("collector", c);
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
        return (InetSocketAddress) server.localAddress();
    }

    private Channel connect(InetSocketAddress addr, NoiseSecureChannelHandler handler, Collector collector)
            throws Exception {
        return new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, alloc)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("noise", handler).addLast("collector", collector);
                    }
                })
                .connect(addr).sync().channel();
    }

    @AfterEach
    void shutdown() throws Exception {
        if (server != null) {
            server.close().sync();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        alloc.assertAllReleased();
    }

    @Test
    void megabytesBothWaysOverLoopback() throws Exception {
        int size = 3 * 1024 * 1024 + 123;
        byte[] up = new byte[size];
        byte[] down = new byte[size];
        new Random(10).nextBytes(up);
        new Random(11).nextBytes(down);
        InetSocketAddress addr = startServer(TIMEOUT, size);
        NoiseSecureChannelHandler h =
                new NoiseSecureChannelHandler(true, clientKey, serverKey.publicKey().peerId(), YAMUX, TIMEOUT);
        Collector clientCollector = new Collector(size);
        long t0 = System.nanoTime();
        Channel client = connect(addr, h, clientCollector);
        SecureSession cs = h.sessionFuture().get(10, TimeUnit.SECONDS);
        long handshakeNanos = System.nanoTime() - t0;
        SecureSession ss = serverHandlers.get(0).sessionFuture().get(10, TimeUnit.SECONDS);
        assertThat(clientCollector.event.get(1, TimeUnit.SECONDS)).isSameAs(cs);
        assertThat(cs.remotePeer()).isEqualTo(serverKey.publicKey().peerId());
        assertThat(ss.remotePeer()).isEqualTo(clientKey.publicKey().peerId());
        assertThat(cs.selectedMuxer()).isEqualTo("/yamux/1.0.0");
        assertThat(ss.selectedMuxer()).isEqualTo("/yamux/1.0.0");

        assertThat(serverCollectors.get(0).event.get(1, TimeUnit.SECONDS)).isSameAs(ss);
        // write in many buffers, tiny to large, from both ends at once
        Channel child = serverChildren.get(0);
        writeChunks(client, up);
        writeChunks(child, down);

        byte[] atServer = serverCollectors.get(0).done.get(20, TimeUnit.SECONDS);
        byte[] atClient = clientCollector.done.get(20, TimeUnit.SECONDS);
        assertThat(atServer).isEqualTo(MessageDigest.getInstance("SHA-256").digest(up));
        assertThat(atClient).isEqualTo(MessageDigest.getInstance("SHA-256").digest(down));
        System.out.printf("Noise over TCP loopback: connect + handshake %.2f ms; %s%n", handshakeNanos / 1e6,
                ChaChaPolyAead.describe());
        client.close().sync();
        child.closeFuture().await(5, TimeUnit.SECONDS);
    }

    private void writeChunks(Channel ch, byte[] data) {
        int off = 0;
        int step = 1;
        while (off < data.length) {
            int n = Math.min(step, data.length - off);
            ch.write(alloc.directBuffer(n).writeBytes(data, off, n));
            off += n;
            step = step >= 300_000 ? 7 : step * 5;
        }
        ch.flush();
    }

    @Test
    void stalledClientIsDisconnectedByTheHandshakeTimeout() throws Exception {
        InetSocketAddress addr = startServer(Duration.ofMillis(300), 0);
        try (Socket s = new Socket()) {
            s.connect(addr);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            long t0 = System.nanoTime();
            assertThat(in.read()).isEqualTo(-1); // the responder never writes first; it closes after the timeout
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(150L, 4000L);
        }
        Throwable t = serverHandlers.get(0).sessionFuture().handle((v, e) -> e).get(2, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(SecurityHandshakeException.class);
        assertThat(((SecurityHandshakeException) t).reason()).isEqualTo(Reason.TIMEOUT);
    }

    @Test
    void dialingTheWrongPeerFailsBothSides() throws Exception {
        InetSocketAddress addr = startServer(TIMEOUT, 0);
        PeerId wanted = Keys.generateEd25519().publicKey().peerId();
        NoiseSecureChannelHandler h = new NoiseSecureChannelHandler(true, clientKey, wanted, List.of(), TIMEOUT);
        Channel client = connect(addr, h, new Collector(0));
        Throwable t = h.sessionFuture().handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        assertThat(((SecurityHandshakeException) t).reason()).isEqualTo(Reason.PEER_ID_MISMATCH);
        assertThat(t.getMessage()).contains(wanted.toString()).contains(serverKey.publicKey().peerId().toString());
        assertThat(client.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
        Throwable st = serverHandlers.get(0).sessionFuture().handle((v, e) -> e).get(5, TimeUnit.SECONDS);
        assertThat(((SecurityHandshakeException) st).reason()).isEqualTo(Reason.CONNECTION_CLOSED);
    }
}
