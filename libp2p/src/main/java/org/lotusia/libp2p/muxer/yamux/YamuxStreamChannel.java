// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.FLAG_FIN;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.FLAG_RST;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_DATA;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_WINDOW_UPDATE;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownException;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.StringUtil;

import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.StreamMuxerSession;
import org.lotusia.libp2p.muxer.StreamResetException;

/**
 * One yamux stream as a Netty child channel, registered on the connection's event loop.
 *
 * <h2>Reading and flow control</h2>
 * Inbound Data is queued and handed to the pipeline when a read is requested ({@code autoRead}, or
 * {@link #read()} when {@code autoRead} is off). Bytes count as consumed when they are handed to the
 * pipeline; once half the receive window has been consumed a WindowUpdate returns the credit. With
 * {@code autoRead=false} and no {@code read()}, nothing is consumed, no credit goes back and the sender
 * stalls after one window: real backpressure, bounded memory. The window doubles (up to the configured
 * maximum) when half a window is consumed within four round trips.
 *
 * <h2>Writing and flow control</h2>
 * Writes must be {@link ByteBuf}s. On flush they are cut into Data frames of at most
 * {@code min(send window, maxFrameSize)} bytes (consecutive small writes share a frame; payloads are
 * retained slices, never copies). What the window or a congested connection does not admit stays in
 * this channel's outbound buffer, so {@link #isWritable()} turns false at the configured high-water
 * mark and true again once WindowUpdates drain it. A write's promise completes when its last byte
 * has been framed and handed to the connection.
 *
 * <h2>Closing</h2>
 * <ul>
 *   <li>{@link #closeWrite()}: FIN (a WindowUpdate frame, as js sends it) after all earlier writes.</li>
 *   <li>{@link #reset()}: RST; pending writes fail with {@link StreamResetException}, unread data is
 *       released.</li>
 *   <li>{@link #close()}: like closing a TCP socket. Writes not yet framed fail; if any were pending
 *       the stream is reset (the peer must not take truncated data for a complete message), otherwise
 *       FIN is sent unless it already was. Unread inbound data is released. If the peer has not sent
 *       FIN yet, the session keeps a stub: the peer's FIN ends it quietly, further Data from the peer
 *       is answered with RST, and after {@code streamCloseTimeout} the stream is reset.</li>
 *   <li>When both sides have sent FIN (and the peer's FIN has been read) the channel closes itself.
 *       A reset from the peer closes it at once.</li>
 * </ul>
 */
public final class YamuxStreamChannel extends AbstractChannel implements StreamChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final long MAX_WINDOW = 0xFFFF_FFFFL;

    private final YamuxHandler session;
    private final int id;
    private final boolean initiator;
    private final ChannelConfig config;
    private final YamuxDataFramer framer = new YamuxDataFramer();

    // Written on the event loop only; volatile where other threads read them through the API.
    private volatile boolean open = true;
    private boolean closeAbortive;
    private boolean finRequested;
    private ChannelPromise finPromise;
    private volatile boolean outputShutdown;
    private boolean remoteFinReceived;
    private volatile boolean inputShutdown;
    private volatile boolean reset;
    boolean awaitingAck;
    boolean queuedForDelivery;
    boolean blockedOnConnection;
    private ScheduledFuture<?> closeTimer;

    private long sendWindow = YamuxConfig.SPEC_INITIAL_WINDOW;

    private final YamuxReceiveWindow receive;
    private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>(4);
    private long inboundBytes;
    private boolean readRequested;
    private boolean delivering;
    private boolean inDoWrite;
    private boolean rerunWrite;

    YamuxStreamChannel(YamuxHandler session, int id, boolean initiator) {
        super(session.connection(), new YamuxStreamId(session.connection().id(), id));
        this.session = session;
        this.id = id;
        this.initiator = initiator;
        this.config = new StreamConfig();
        // The part of the initial window above the spec's 256 KiB is announced in the SYN/ACK frame.
        this.receive = new YamuxReceiveWindow(session.config().initialStreamWindow(), session.nanoTime());
    }

    @Override
    public long streamId() {
        return Integer.toUnsignedLong(id);
    }

    int wireId() {
        return id;
    }

    @Override
    public boolean isInitiator() {
        return initiator;
    }

    @Override
    public StreamMuxerSession session() {
        return session;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShutdown;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !open;
    }

    @Override
    public boolean isReset() {
        return reset;
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && isRegistered();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public ChannelFuture closeWrite() {
        ChannelPromise promise = newPromise();
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            closeWrite0(promise);
        } else {
            loop.execute(() -> closeWrite0(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture reset() {
        ChannelPromise promise = newPromise();
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            reset0(promise);
        } else {
            loop.execute(() -> reset0(promise));
        }
        return promise;
    }

    @Override
    public String toString() {
        String state = reset ? "reset" : !open ? "closed" : (inputShutdown ? "in-fin " : "")
                + (outputShutdown ? "out-fin" : "open");
        return "YamuxStream(" + parent().id().asShortText() + '/' + streamId()
                + (initiator ? " out " : " in ") + state + ')';
    }

    /** Accounts for an incoming Data frame of {@code length} bytes against the receive window. */
    void onDataHeader(long length) {
        if (!receive.receive(length)) {
            throw YamuxException.protocol("stream " + streamId() + " received " + length
                    + " bytes with only " + receive.credit() + " bytes of window left");
        }
    }

    /** Queues payload bytes for the pipeline; takes ownership of {@code chunk}. */
    void onData(ByteBuf chunk) {
        if (reset) {
            chunk.release();
            return;
        }
        if (!open || remoteFinReceived) {
            // Nobody will read this (closed locally), or the peer broke its own FIN: abort the stream.
            chunk.release();
            sendResetAndForget();
            return;
        }
        inboundBytes += chunk.readableBytes();
        inbound.add(chunk);
        session.scheduleDelivery(this);
    }

    void onRemoteFin() {
        if (remoteFinReceived || reset) {
            return;
        }
        remoteFinReceived = true;
        if (!open) {
            session.untrack(this);
            return;
        }
        session.scheduleDelivery(this);
    }

    void onRemoteReset() {
        if (reset) {
            return;
        }
        reset = true;
        releaseInbound();
        if (open) {
            ((StreamUnsafe) unsafe()).closeWith(new StreamResetException("stream " + streamId()
                    + " reset by peer", true));
        } else {
            session.untrack(this);
        }
    }

    void onWindowUpdate(long delta) {
        sendWindow = Math.min(sendWindow + delta, MAX_WINDOW);
        if (open && !reset) {
            resumeWrite();
        }
    }

    void onAck() {
        if (awaitingAck) {
            session.acknowledged(this);
        }
    }

    /** The connection is gone: close without sending anything. */
    void onConnectionClosed(Throwable cause) {
        cancelCloseTimer();
        releaseInbound();
        if (open) {
            ((StreamUnsafe) unsafe()).closeWith(cause);
        }
    }

    /** Hands queued data (and a pending FIN) to the pipeline if a read is requested. */
    void deliver() {
        if (delivering || !open) {
            return;
        }
        delivering = true;
        try {
            while (open && readRequested && !inbound.isEmpty()) {
                readRequested = false;
                long consumed = 0;
                ByteBuf chunk;
                while (open && (chunk = inbound.poll()) != null) {
                    int n = chunk.readableBytes();
                    inboundBytes -= n;
                    consumed += n;
                    pipeline().fireChannelRead(chunk);
                }
                pipeline().fireChannelReadComplete();
                onConsumed(consumed);
            }
            if (open && remoteFinReceived && !inputShutdown && inbound.isEmpty()) {
                inputShutdown = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
                if (open && outputShutdown) {
                    unsafe().close(unsafe().voidPromise());
                }
            }
        } finally {
            delivering = false;
        }
    }

    private void onConsumed(long bytes) {
        if (bytes == 0 || remoteFinReceived || reset || !open) {
            return;
        }
        YamuxConfig cfg = session.config();
        int maxWindow = cfg.windowAutoTuning() ? cfg.maxStreamWindow() : receive.window();
        long delta = receive.consumed(bytes, session.nanoTime(), session.minRttNanos(), maxWindow);
        if (delta > 0) {
            session.writeControl(TYPE_WINDOW_UPDATE, 0, id, (int) delta);
            session.requestFlush();
        }
    }

    private void releaseInbound() {
        ByteBuf chunk;
        while ((chunk = inbound.poll()) != null) {
            chunk.release();
        }
        inboundBytes = 0;
    }

    @Override
    protected void doBeginRead() {
        if (!open) {
            return;
        }
        readRequested = true;
        if (!delivering && (!inbound.isEmpty() || remoteFinReceived && !inputShutdown)) {
            deliver();
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) throws Exception {
        if (!(msg instanceof ByteBuf)) {
            throw new UnsupportedOperationException("unsupported message type: "
                    + StringUtil.simpleClassName(msg) + " (expected ByteBuf)");
        }
        if (finRequested || outputShutdown) {
            throw new ChannelOutputShutdownException("stream " + streamId() + " output is closed");
        }
        return msg;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        inDoWrite = true;
        try {
            boolean wrote = false;
            do {
                rerunWrite = false;
                wrote |= writeFrames(in);
                if (wrote) {
                    // May drain the connection and resume this stream synchronously (sets rerunWrite).
                    session.requestFlush();
                }
            } while (rerunWrite && open && !reset);
        } finally {
            inDoWrite = false;
        }
    }

    /** Frames what the window and the connection admit; returns true if anything was queued. */
    private boolean writeFrames(ChannelOutboundBuffer in) throws Exception {
        YamuxFrameWriter writer = session.writer();
        int maxFrame = session.config().maxFrameSize();
        boolean wrote = false;
        while (open && !reset) {
            if (in.isEmpty()) {
                if (finRequested && !outputShutdown) {
                    session.writeControl(TYPE_WINDOW_UPDATE, FLAG_FIN, id, 0);
                    wrote = true;
                    markOutputShutdown();
                }
                break;
            }
            Object current = in.current();
            if (current instanceof ByteBuf buf && !buf.isReadable()) {
                in.remove();
                continue;
            }
            if (sendWindow == 0) {
                break;
            }
            if (!session.isConnectionWritable()) {
                session.blockedOnConnection(this);
                break;
            }
            // FIN never rides on a Data frame: js (@libp2p/yamux 8) applies the flags before the payload
            // and drops the data of a Data|FIN frame. It goes as WindowUpdate|FIN once the queue is empty.
            int length = framer.nextFrameLength(in, (int) Math.min(sendWindow, maxFrame));
            writer.header(TYPE_DATA, 0, id, length);
            // Hand over retained slices first and only then remove the bytes: removal runs user
            // callbacks (promises, writability) that may close this channel, and the frame must be whole.
            framer.appendPayload(in, writer, length);
            in.removeBytes(length);
            sendWindow -= length;
            wrote = true;
            writer.frameWritten();
        }
        return wrote;
    }

    private void closeWrite0(ChannelPromise promise) {
        if (reset) {
            promise.setFailure(new StreamResetException("stream " + streamId() + " was reset", false));
            return;
        }
        if (outputShutdown) {
            promise.setSuccess();
            return;
        }
        if (!open) {
            promise.setFailure(new ClosedChannelException());
            return;
        }
        if (finRequested) {
            finPromise.addListener(f -> {
                if (f.isSuccess()) {
                    promise.trySuccess();
                } else {
                    promise.tryFailure(f.cause());
                }
            });
            return;
        }
        // Let handlers push out writes they hold back, then queue the FIN behind everything written.
        flush();
        if (!open || reset) {
            promise.setFailure(new ClosedChannelException());
            return;
        }
        if (outputShutdown) {
            promise.setSuccess();
            return;
        }
        finRequested = true;
        finPromise = promise;
        ChannelOutboundBuffer buf = unsafe().outboundBuffer();
        if (buf == null || buf.isEmpty()) {
            session.writeControl(TYPE_WINDOW_UPDATE, FLAG_FIN, id, 0);
            markOutputShutdown();
            session.requestFlush();
        } else {
            resumeWrite();
        }
    }

    private void markOutputShutdown() {
        outputShutdown = true;
        finRequested = false;
        ChannelPromise p = finPromise;
        finPromise = null;
        if (p != null) {
            p.trySuccess();
        }
        pipeline().fireUserEventTriggered(ChannelOutputShutdownEvent.INSTANCE);
        if (open && inputShutdown) {
            unsafe().close(unsafe().voidPromise());
        }
    }

    private void reset0(ChannelPromise promise) {
        if (!reset && session.isTracked(this)) {
            sendResetAndForget();
            if (open) {
                ((StreamUnsafe) unsafe()).closeWith(new StreamResetException("stream " + streamId()
                        + " reset locally", false));
            }
        }
        promise.setSuccess();
    }

    /** Sends RST and drops the stream from the session; the channel itself is closed by the caller. */
    private void sendResetAndForget() {
        if (reset) {
            return;
        }
        reset = true;
        releaseInbound();
        session.writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, id, 0);
        session.requestFlush();
        session.untrack(this);
    }

    /** Writes what the window now admits (after a WindowUpdate or when the connection drains). */
    void resumeWrite() {
        if (inDoWrite) {
            rerunWrite = true;
        } else {
            ((StreamUnsafe) unsafe()).resume();
        }
    }

    @Override
    protected void doClose() {
        if (!open) {
            return;
        }
        open = false;
        releaseInbound();
        ChannelPromise p = finPromise;
        finPromise = null;
        if (p != null) {
            p.tryFailure(new ClosedChannelException());
        }
        if (reset || !session.isTracked(this)) {
            session.untrack(this);
            return;
        }
        if (session.isClosed()) {
            session.untrack(this);
            return;
        }
        if (closeAbortive) {
            sendResetAndForget();
            return;
        }
        if (!outputShutdown) {
            outputShutdown = true;
            session.writeControl(TYPE_WINDOW_UPDATE, FLAG_FIN, id, 0);
            session.requestFlush();
        }
        if (remoteFinReceived) {
            session.untrack(this);
            return;
        }
        long timeout = session.config().streamCloseTimeout().toNanos();
        if (timeout == 0) {
            sendResetAndForget();
        } else {
            closeTimer = eventLoop().schedule(this::sendResetAndForget, timeout, TimeUnit.NANOSECONDS);
        }
    }

    void cancelCloseTimer() {
        ScheduledFuture<?> t = closeTimer;
        closeTimer = null;
        if (t != null) {
            t.cancel(false);
        }
    }

    long sendWindow() {
        return sendWindow;
    }

    long receiveCredit() {
        return receive.credit();
    }

    int receiveWindow() {
        return receive.window();
    }

    long bufferedInboundBytes() {
        return inboundBytes;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new StreamUnsafe();
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true;
    }

    @Override
    protected SocketAddress localAddress0() {
        return parent().localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return parent().remoteAddress();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a stream cannot be bound");
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException("a stream cannot be disconnected, close it");
    }

    /** Channel config whose {@code setAutoRead(false)} also withdraws a read that is still pending. */
    private final class StreamConfig extends DefaultChannelConfig {
        StreamConfig() {
            super(YamuxStreamChannel.this);
        }

        @Override
        protected void autoReadCleared() {
            if (!isRegistered() || eventLoop().inEventLoop()) {
                readRequested = false;
            } else {
                eventLoop().execute(() -> readRequested = false);
            }
        }
    }

    private final class StreamUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            if (promise.setUncancellable()) {
                promise.setFailure(new UnsupportedOperationException("streams are opened through the session"));
            }
        }

        @Override
        public void close(ChannelPromise promise) {
            ChannelOutboundBuffer buf = outboundBuffer();
            if (open && buf != null && (!buf.isEmpty() || buf.totalPendingWriteBytes() > 0)) {
                closeAbortive = true;
            }
            super.close(promise);
        }

        void closeWith(Throwable cause) {
            ClosedChannelException closed = new ClosedChannelException();
            closed.initCause(cause);
            close(voidPromise(), cause, closed);
        }

        void resume() {
            flush0();
        }
    }
}
