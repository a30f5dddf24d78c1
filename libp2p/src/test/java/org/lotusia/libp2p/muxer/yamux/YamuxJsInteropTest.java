// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsProcess;
import org.lotusia.libp2p.muxer.RecordingStreamHandler;
import org.lotusia.libp2p.muxer.StreamAcceptor;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.StreamTestData;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

/**
 * YamuxHandler against the pinned js {@code @libp2p/yamux} over plain TCP (no security layer), in both
 * roles: each side opens streams that the other echoes (small, 200 kB and multi-MiB payloads, so window
 * updates and large frames are exercised), Java pings js, and Java's GoAway ends the js session cleanly.
 */
@Tag("interop")
@Timeout(120)
@ExtendWith(LeakDetectionExtension.class)
class YamuxJsInteropTest {

    /** js peer: yamux over a raw socket, echoes inbound streams, opens three streams and checks their echo. */
    private static final String SCRIPT = """
            import net from 'node:net'
            import { createHash, randomBytes } from 'node:crypto'
            import { pathToFileURL } from 'node:url'
            const [mode, port, jsDir] = process.argv.slice(2)
            const mod = (p) => import(pathToFileURL(`${jsDir}/node_modules/${p}`).href)
            const { yamux } = await mod('@libp2p/yamux/dist/src/index.js')
            const { toMultiaddrConnection } = await mod('@libp2p/tcp/dist/src/socket-to-conn.js')
            const { logger } = await mod('@libp2p/logger/dist/src/index.js')
            const sha = (b) => createHash('sha256').update(b).digest('hex')
            const bytes = (d) => Buffer.from(d.subarray ? d.subarray() : d)

            async function echo (stream) {
              try {
                for await (const chunk of stream) {
                  if (!stream.send(chunk.subarray ? chunk.subarray() : chunk)) {
                    await new Promise(r => stream.addEventListener('drain', r, { once: true }))
                  }
                }
                await stream.close()
              } catch (e) { console.log('ECHO-ERROR ' + e) }
            }

            async function roundTrip (muxer, size) {
              const stream = await muxer.createStream()
              const payload = randomBytes(size)
              const chunks = []
              const done = new Promise((resolve, reject) => {
                stream.addEventListener('message', (e) => chunks.push(bytes(e.data)))
                stream.addEventListener('remoteCloseWrite', resolve)
                stream.addEventListener('close', (e) => { if (e.error) reject(e.error) })
              })
              for (let off = 0; off < size; off += 100000) {
                if (!stream.send(payload.subarray(off, Math.min(size, off + 100000)))) {
                  await new Promise(r => stream.addEventListener('drain', r, { once: true }))
                }
              }
              await stream.close()
              await done
              const got = Buffer.concat(chunks)
              return got.length === size && sha(got) === sha(payload)
            }

            async function onSocket (socket, direction) {
              socket.setNoDelay(true)
              const maConn = toMultiaddrConnection({ socket, direction, log: logger('yamux-interop') })
              const muxer = yamux()().createStreamMuxer(maConn)
              muxer.addEventListener('stream', (evt) => echo(evt.detail))
              maConn.addEventListener('close', (e) => {
                console.log('CLOSED ' + (e.error ? e.error : 'ok') + ' ' + muxer.remoteGoAway)
                process.exit(0)
              })
              try {
                const results = await Promise.all([10, 200000, 3 << 20].map(n => roundTrip(muxer, n)))
                console.log('RESULT ' + JSON.stringify(results))
              } catch (e) { console.log('RESULT-ERROR ' + e) }
            }

            if (mode === 'dial') {
              const socket = net.connect(Number(port), '127.0.0.1', () => onSocket(socket, 'outbound'))
            } else {
              const server = net.createServer((socket) => onSocket(socket, 'inbound'))
              server.listen(0, '127.0.0.1', () => console.log('PORT ' + server.address().port))
            }
            setTimeout(() => { console.log('TIMEOUT'); process.exit(1) }, 60000)
            """;

    @TempDir
    Path tmp;

    private EventLoopGroup group;
    private JsProcess js;

    @AfterEach
    void tearDown() throws Exception {
        if (js != null) {
            js.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    @ParameterizedTest(name = "java is yamux client: {0}")
    @ValueSource(booleans = {true, false})
    void echoesBothWaysAndClosesCleanly(boolean javaIsClient) throws Exception {
        Path script = tmp.resolve("yamux-peer.mjs");
        Files.writeString(script, SCRIPT);
        String jsDir = JsInterop.jsDir().toString();
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        StreamAcceptor acceptor = StreamAcceptor.echoing();
        YamuxHandler session;
        BufferedReader out;
        if (javaIsClient) {
            js = JsInterop.start(script.toString(), "listen", "0", jsDir);
            out = new BufferedReader(new InputStreamReader(js.stdout(), StandardCharsets.UTF_8));
            String portLine = out.readLine();
            assertThat(portLine).as("js stderr: %s", js.stderr()).startsWith("PORT ");
            session = new YamuxHandler(true, YamuxConfig.defaults(), acceptor);
            new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .handler(session).connect("127.0.0.1", Integer.parseInt(portLine.substring(5))).sync();
        } else {
            CompletableFuture<YamuxHandler> accepted = new CompletableFuture<>();
            Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            YamuxHandler h = new YamuxHandler(false, YamuxConfig.defaults(), acceptor);
                            ch.pipeline().addLast(h);
                            accepted.complete(h);
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
            int port = ((InetSocketAddress) listener.localAddress()).getPort();
            js = JsInterop.start(script.toString(), "dial", String.valueOf(port), jsDir);
            out = new BufferedReader(new InputStreamReader(js.stdout(), StandardCharsets.UTF_8));
            session = accepted.get(20, TimeUnit.SECONDS);
            listener.close();
        }

        assertThat(session.ping().get(10, TimeUnit.SECONDS)).isLessThan(Duration.ofSeconds(10));
        List<RecordingStreamHandler> recs = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int size : new int[] {10, 1 << 20, (2 << 20) + 12345}) {
            RecordingStreamHandler rec = RecordingStreamHandler.recorder();
            StreamChannel s = session.openStream(rec).get(10, TimeUnit.SECONDS);
            assertThat(s.streamId() % 2).isEqualTo(javaIsClient ? 1 : 0);
            byte[] data = StreamTestData.random(size, size);
            StreamTestData.writeAllAndFin(s, data, 64 * 1024);
            recs.add(rec);
            sent.add(data);
        }
        for (int i = 0; i < recs.size(); i++) {
            recs.get(i).inputShutdown.get(30, TimeUnit.SECONDS);
            assertThat(recs.get(i).bytes()).as("echo of stream %d", i).isEqualTo(sent.get(i));
        }
        String result = out.readLine();
        assertThat(result).as("js stderr: %s", js.stderr()).isEqualTo("RESULT [true,true,true]");
        assertThat(acceptor.streams).hasSize(3).allSatisfy(s ->
                assertThat(s.streamId() % 2).isEqualTo(javaIsClient ? 0 : 1));

        session.close();
        String closed = out.readLine();
        assertThat(closed).as("js stderr: %s", js.stderr()).startsWith("CLOSED ok");
        assertThat(js.waitFor(Duration.ofSeconds(10))).isZero();
        session.connection().closeFuture().sync();
        session.connection().eventLoop().submit(() -> { }).sync();
    }
}
