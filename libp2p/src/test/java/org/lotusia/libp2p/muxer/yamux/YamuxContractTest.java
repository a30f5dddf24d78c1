// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.muxer.RecordingStreamHandler;
import org.lotusia.libp2p.muxer.StreamAcceptor;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.StreamMuxerContractTest;
import org.lotusia.libp2p.muxer.StreamMuxerSession;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

/** Runs the muxer contract over two YamuxHandlers on a real TCP connection on 127.0.0.1. */
@ExtendWith(LeakDetectionExtension.class)
class YamuxContractTest extends StreamMuxerContractTest {

    /** A TCP connection on loopback with a YamuxHandler at each end (no security layer). */
    static final class TcpYamuxPair implements MuxedPair {
        final EventLoopGroup group;
        final Channel listener;
        final Channel clientChannel;
        final YamuxHandler client;
        final YamuxHandler server;

        TcpYamuxPair(YamuxConfig config, ChannelHandler clientInbound, ChannelHandler serverInbound,
                int threads) throws Exception {
            group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
            CompletableFuture<YamuxHandler> accepted = new CompletableFuture<>();
            try {
                listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(new ChannelInitializer<Channel>() {
                            @Override
                            protected void initChannel(Channel ch) {
                                YamuxHandler h = new YamuxHandler(false, config, serverInbound);
                                ch.pipeline().addLast(h);
                                accepted.complete(h);
                            }
                        })
                        .bind("127.0.0.1", 0).sync().channel();
                client = new YamuxHandler(true, config, clientInbound);
                clientChannel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(client)
                        .connect(listener.localAddress()).sync().channel();
                server = accepted.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
                throw e;
            }
        }

        @Override
        public StreamMuxerSession client() {
            return client;
        }

        @Override
        public StreamMuxerSession server() {
            return server;
        }

        @Override
        public void close() throws Exception {
            Channel serverChannel = server.connection();
            clientChannel.close().sync();
            serverChannel.close().sync();
            listener.close().sync();
            // channelInactive runs as a later task: let both loops drain before shutting down.
            for (int i = 0; i < 3; i++) {
                clientChannel.eventLoop().submit(() -> { }).sync();
                serverChannel.eventLoop().submit(() -> { }).sync();
            }
            assertThat(client.isClosed()).isTrue();
            assertThat(server.isClosed()).isTrue();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    @Override
    protected MuxedPair connect(ChannelHandler clientInbound, ChannelHandler serverInbound) throws Exception {
        return new TcpYamuxPair(YamuxConfig.defaults(), clientInbound, serverInbound, 2);
    }

    @Test
    void backpressureBoundsBufferedDataToOneWindow() throws Exception {
        StreamAcceptor serverAcceptor = StreamAcceptor.recording().autoRead(false);
        TcpYamuxPair p = (TcpYamuxPair) pair(StreamAcceptor.recording(), serverAcceptor);
        StreamChannel s = await(p.client().openStream(RecordingStreamHandler.recorder()));
        byte[] data = random(8 << 20, 3);
        writeAllAndFin(s, data, 32 * 1024);
        serverAcceptor.awaitStreams(1);
        awaitTrue("writer unwritable", () -> !s.isWritable());
        YamuxStreamChannel serverSide = (YamuxStreamChannel) serverAcceptor.stream(0);
        awaitTrue("one window buffered", () -> onLoop(serverSide, serverSide::bufferedInboundBytes) == 256 * 1024);
        Thread.sleep(200);
        assertThat(onLoop(serverSide, serverSide::bufferedInboundBytes)).isEqualTo(256 * 1024);
        assertThat(onLoop(serverSide, serverSide::receiveCredit)).isZero();
        YamuxStreamChannel clientSide = (YamuxStreamChannel) s;
        assertThat(onLoop(clientSide, clientSide::sendWindow)).isZero();
        // Reading one batch returns credit, which lets exactly one more window through.
        serverSide.read();
        RecordingStreamHandler serverRec = serverAcceptor.handler(0);
        awaitTrue("first window read", () -> serverRec.receivedBytes() == 256 * 1024);
        awaitTrue("second window buffered", () -> onLoop(serverSide, serverSide::bufferedInboundBytes) >= 128 * 1024);
        serverSide.config().setAutoRead(true);
        await(serverRec.inputShutdown);
        assertThat(serverRec.bytes()).isEqualTo(data);
    }

    private static <T> T onLoop(Channel ch, java.util.concurrent.Callable<T> task) {
        try {
            return ch.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
