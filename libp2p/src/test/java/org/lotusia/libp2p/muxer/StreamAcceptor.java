// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Test initializer for inbound streams: gives every stream a {@link RecordingStreamHandler} (echoing or
 * recording) and remembers streams and handlers in arrival order.
 */
@ChannelHandler.Sharable
public final class StreamAcceptor extends ChannelInitializer<Channel> {
    private final boolean echo;
    private volatile boolean autoRead = true;
    public final List<StreamChannel> streams = new CopyOnWriteArrayList<>();
    public final List<RecordingStreamHandler> handlers = new CopyOnWriteArrayList<>();

    public StreamAcceptor(boolean echo) {
        this.echo = echo;
    }

    public static StreamAcceptor echoing() {
        return new StreamAcceptor(true);
    }

    public static StreamAcceptor recording() {
        return new StreamAcceptor(false);
    }

    public StreamAcceptor autoRead(boolean on) {
        this.autoRead = on;
        return this;
    }

    @Override
    protected void initChannel(Channel ch) {
        RecordingStreamHandler h = new RecordingStreamHandler(echo);
        ch.config().setAutoRead(autoRead);
        ch.pipeline().addLast(h);
        handlers.add(h);
        streams.add((StreamChannel) ch);
    }

    public RecordingStreamHandler handler(int index) {
        return handlers.get(index);
    }

    public StreamChannel stream(int index) {
        return streams.get(index);
    }

    /** Waits (up to 10 s) until at least {@code count} streams were accepted. */
    public void awaitStreams(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (streams.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + streams.size() + " of " + count + " streams accepted");
            }
            Thread.sleep(2);
        }
    }
}
