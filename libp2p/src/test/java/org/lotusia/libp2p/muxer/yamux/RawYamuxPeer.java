// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A YamuxHandler in an EmbeddedChannel that the test drives with hand-made frames, reading back the
 * exact frames the handler writes.
 */
final class RawYamuxPeer implements AutoCloseable {
    final EmbeddedChannel channel;
    final YamuxHandler handler;
    private final ByteBuf pendingOut = Unpooled.buffer();

    RawYamuxPeer(boolean client, YamuxConfig config, ChannelHandler inbound) {
        handler = new YamuxHandler(client, config, inbound);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(handler);
    }

    /** Feeds frames to the handler as one inbound buffer. */
    RawYamuxPeer send(Frame... frames) {
        channel.writeInbound(TestBufs.pooled(Frame.concat(frames)));
        channel.runPendingTasks();
        return this;
    }

    RawYamuxPeer sendBytes(byte[] bytes) {
        channel.writeInbound(TestBufs.pooled(bytes));
        channel.runPendingTasks();
        return this;
    }

    /** Returns the frames written since the last call. */
    List<Frame> frames() {
        channel.runPendingTasks();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf b = (ByteBuf) msg;
            pendingOut.writeBytes(b);
            b.release();
        }
        List<Frame> frames = new ArrayList<>(Frame.parse(pendingOut));
        pendingOut.discardReadBytes();
        return frames;
    }

    void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
        channel.runPendingTasks();
        pendingOut.release();
    }
}
