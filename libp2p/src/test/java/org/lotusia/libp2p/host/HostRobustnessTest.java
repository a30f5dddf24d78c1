package org.lotusia.libp2p.host;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.transport.tcp.TcpAddresses;
import org.lotusia.libp2p.testing.ByteCollector;
import org.lotusia.libp2p.testing.EchoHandler;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A misbehaving peer costs a closed connection, never the node: each test attacks a host over raw
 * TCP, checks the bad connection ends, then proves the host still serves a well-behaved peer.
 */
@ExtendWith(LeakDetectionExtension.class)
class HostRobustnessTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    private static final byte[] MSS_NOISE = HexFormat.of().parseHex(
            "132f6d756c746973747265616d2f312e302e300a072f6e6f6973650a");

    private Host target;
    private Host friend;

    @BeforeEach
    void start() {
        target = Host.builder().listen(LOOPBACK)
                .limits(new ConnectionLimits(50, 4, 3, Duration.ofSeconds(5), Duration.ofMillis(800)))
                .build();
        target.start().join();
        friend = Host.builder().build();
        friend.start().join();
    }

    @AfterEach
    void stop() {
        friend.close();
        target.close();
    }

    private Socket rawConnection() throws IOException {
        InetSocketAddress address = TcpAddresses.toSocketAddress(target.listenAddresses().get(0));
        Socket socket = new Socket();
        socket.connect(address, 2000);
        socket.setSoTimeout(5000);
        return socket;
    }

    /** Reads until the host closes the connection; fails if it stays open past the socket timeout. */
    private static void assertClosedByPeer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        try {
            while (in.read(buffer) >= 0) {
                // discard what the host says before closing
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("host kept a bad connection open", e);
        } catch (IOException reset) {
            // a reset is a close too
        }
    }

    private void assertHostStillServes() throws Exception {
        Connection connection = friend.connect(target.shareableAddresses().get(0)).get(5, TimeUnit.SECONDS);
        assertThat(friend.pingService().ping(connection, 1, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS)).hasSize(1);
    }

    @Test
    void garbageInsteadOfAMultistreamHeaderIsDropped() throws Exception {
        try (Socket socket = rawConnection()) {
            byte[] junk = new byte[300];
            new Random(1).nextBytes(junk);
            socket.getOutputStream().write(junk);
            assertClosedByPeer(socket);
        }
        assertHostStillServes();
    }

    @Test
    void aPeerThatStallsMidHandshakeIsCutOffAtTheHandshakeTimeout() throws Exception {
        try (Socket socket = rawConnection()) {
            socket.getOutputStream().write(MSS_NOISE);
            long start = System.nanoTime();
            assertClosedByPeer(socket);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        }
        assertHostStillServes();
    }

    @Test
    void truncatedAndOversizedNoiseMessagesCloseTheConnection() throws Exception {
        try (Socket socket = rawConnection()) {
            OutputStream out = socket.getOutputStream();
            out.write(MSS_NOISE);
            // Noise message A must be exactly a 32-byte ephemeral key: announce 5 bytes, send them, stop.
            out.write(new byte[] {0, 5, 1, 2, 3, 4, 5});
            assertClosedByPeer(socket);
        }
        try (Socket socket = rawConnection()) {
            OutputStream out = socket.getOutputStream();
            out.write(MSS_NOISE);
            byte[] huge = new byte[2 + 65535];
            huge[0] = (byte) 0xff;
            huge[1] = (byte) 0xff;
            out.write(huge);
            assertClosedByPeer(socket);
        }
        assertHostStillServes();
    }

    @Test
    void inboundHandshakesBeyondThePendingLimitAreRefusedAndTheHostRecovers() throws Exception {
        List<Socket> sockets = new ArrayList<>();
        // Before the first connect, so no handshake timeout can start earlier than this.
        long openedAt = System.nanoTime();
        try {
            for (int i = 0; i < 4; i++) {
                Socket socket = rawConnection();
                socket.getOutputStream().write(MSS_NOISE);
                sockets.add(socket);
            }
            // Three handshakes may be pending; one of the four is refused at once (which one depends on
            // which event loop accepted first), the others are cut at the 800 ms handshake timeout.
            // One reader thread per socket: the common pool may have a single thread on 2 cores, which
            // would serialise the reads and distort the times.
            java.util.concurrent.ExecutorService readers = java.util.concurrent.Executors.newFixedThreadPool(sockets.size());
            List<CompletableFuture<Duration>> closedAfter = new ArrayList<>();
            try {
                for (Socket socket : sockets) {
                    closedAfter.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            assertClosedByPeer(socket);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                        return Duration.ofNanos(System.nanoTime() - openedAt);
                    }, readers));
                }
                CompletableFuture.allOf(closedAfter.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            } finally {
                readers.shutdownNow();
            }
            List<Duration> times = new ArrayList<>();
            for (CompletableFuture<Duration> time : closedAfter) {
                times.add(time.get(10, TimeUnit.SECONDS));
            }
            assertThat(times).filteredOn(t -> t.compareTo(Duration.ofMillis(500)) < 0).hasSize(1);
            assertThat(times).filteredOn(t -> t.compareTo(Duration.ofMillis(700)) >= 0).hasSize(3);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        assertHostStillServes();
    }

    @Test
    void aPeerOpeningStreamsWithoutLimitIsContained() throws Exception {
        target.setStreamHandler(EchoHandler.PROTOCOL, s -> s.channel().pipeline().addLast(new EchoHandler()), 16);
        Connection connection = friend.connect(target.shareableAddresses().get(0)).get(5, TimeUnit.SECONDS);
        List<CompletableFuture<Libp2pStream>> opened = new ArrayList<>();
        for (int i = 0; i < 1500; i++) {
            opened.add(connection.newStream(List.of(EchoHandler.PROTOCOL), s -> { }));
        }
        CompletableFuture.allOf(opened.toArray(CompletableFuture[]::new))
                .handle((v, e) -> null).get(20, TimeUnit.SECONDS);
        long admitted = opened.stream().filter(f -> !f.isCompletedExceptionally())
                .map(CompletableFuture::join).filter(s -> s.channel().isOpen()).count();
        assertThat(admitted).isLessThanOrEqualTo(16);
        assertThat(connection.isOpen()).isTrue();
        assertThat(friend.pingService().ping(connection, 1, Duration.ofSeconds(5)).get(5, TimeUnit.SECONDS)).hasSize(1);
    }
}
