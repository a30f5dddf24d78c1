// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.concurrent.TimeUnit;

import org.lotusia.libp2p.muxer.StreamChannel;

/**
 * Two YamuxHandlers in EmbeddedChannels wired back to back; {@link #pump()} moves bytes until both
 * sides are quiet. Deterministic, single-threaded, with controllable time.
 */
final class EmbeddedYamuxPair implements AutoCloseable {
    final EmbeddedChannel clientChannel = new EmbeddedChannel();
    final EmbeddedChannel serverChannel = new EmbeddedChannel();
    final YamuxHandler client;
    final YamuxHandler server;
    long movedBytes;

    EmbeddedYamuxPair(YamuxConfig config, ChannelHandler clientInbound, ChannelHandler serverInbound) {
        clientChannel.freezeTime();
        serverChannel.freezeTime();
        client = new YamuxHandler(true, config, clientInbound);
        server = new YamuxHandler(false, config, serverInbound);
        clientChannel.pipeline().addLast(client);
        serverChannel.pipeline().addLast(server);
        pump();
    }

    /** Moves frames both ways until nothing moves; returns the number of buffers moved. */
    int pump() {
        int moved = 0;
        for (int round = 0; round < 100_000; round++) {
            clientChannel.runPendingTasks();
            serverChannel.runPendingTasks();
            int n = move(clientChannel, serverChannel) + move(serverChannel, clientChannel);
            if (n == 0) {
                return moved;
            }
            moved += n;
        }
        throw new AssertionError("pair does not settle");
    }

    private int move(EmbeddedChannel from, EmbeddedChannel to) {
        int n = 0;
        Object msg;
        while ((msg = from.readOutbound()) != null) {
            movedBytes += ((io.netty.buffer.ByteBuf) msg).readableBytes();
            if (to.isOpen()) {
                to.writeInbound(msg);
            } else {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
            n++;
        }
        return n;
    }

    StreamChannel open(YamuxHandler side, ChannelHandler init) {
        StreamChannel s = side.openStream(init).join();
        pump();
        return s;
    }

    void advance(long millis) {
        for (EmbeddedChannel ch : new EmbeddedChannel[] {clientChannel, serverChannel}) {
            ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
        }
        pump();
    }

    @Override
    public void close() {
        clientChannel.close();
        serverChannel.close();
        pump();
        clientChannel.finishAndReleaseAll();
        serverChannel.finishAndReleaseAll();
        clientChannel.runPendingTasks();
        serverChannel.runPendingTasks();
    }
}
