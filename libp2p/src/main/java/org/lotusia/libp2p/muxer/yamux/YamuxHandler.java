// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.FLAG_ACK;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.FLAG_FIN;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.FLAG_RST;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.FLAG_SYN;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_DATA;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_GO_AWAY;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_PING;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_WINDOW_UPDATE;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.EventExecutor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

import org.lotusia.libp2p.muxer.MuxerException;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.StreamMuxerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A yamux session ({@code /yamux/1.0.0}) as the last handler of a connection pipeline whose messages are
 * plaintext {@link ByteBuf}s (below it sits the security layer).
 *
 * <p>Every stream is a {@link YamuxStreamChannel}: a child channel on the connection's event loop.
 * Inbound streams get {@code inboundStreamInitializer} (which must be {@code @Sharable}, as
 * {@link io.netty.channel.ChannelInitializer} is) added to their pipeline before registration; outbound
 * streams get the handler passed to {@link #openStream(ChannelHandler)}.
 *
 * <p>Behaviour worth knowing (see {@code package-info} for the full list):
 * <ul>
 *   <li>The client (the connection's dialer) uses odd stream ids, the server even ones.</li>
 *   <li>Streams open with a WindowUpdate SYN and may be written at once; inbound streams are
 *       acknowledged immediately with a WindowUpdate ACK. Inbound SYNs beyond
 *       {@code maxInboundStreams}, or after this side sent GoAway, are answered with RST.</li>
 *   <li>A ping is sent when the session starts (to measure the round trip for window auto-tuning) and
 *       every {@code keepAliveInterval}. Pings from the peer are answered with ACK and the same value.
 *       A ping unanswered for {@code pingTimeout} while nothing at all arrives closes the connection.</li>
 *   <li>Closing the connection channel sends GoAway(0) first. A protocol violation by the peer sends
 *       GoAway(1) and closes the connection. Every stream is closed with the connection.</li>
 *   <li>Frames queued while handling one read are written and flushed together at
 *       {@code channelReadComplete}, and inbound data reaches the streams then too: the handlers below
 *       must forward {@code channelReadComplete} (decoders such as {@code ByteToMessageDecoder} do).</li>
 *   <li>A GoAway(0) from the peer stops new outbound streams; existing streams and inbound streams go
 *       on until the peer closes the connection. Any other GoAway code closes the connection.</li>
 * </ul>
 *
 * <p>Threads: every method of {@link StreamMuxerSession} may be called from any thread; everything
 * else runs on the connection's event loop.
 */
public final class YamuxHandler extends ChannelDuplexHandler implements StreamMuxerSession {
    /** The multistream-select protocol id. */
    public static final String PROTOCOL_ID = "/yamux/1.0.0";

    private static final Logger log = LoggerFactory.getLogger(YamuxHandler.class);
    private static final long MAX_STREAM_ID = 0xFFFF_FFFFL;

    private final boolean client;
    private final YamuxConfig config;
    private final ChannelHandler inboundStreamInitializer;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final IntObjectHashMap<YamuxStreamChannel> streams = new IntObjectHashMap<>();
    private final ArrayDeque<YamuxStreamChannel> deliveryQueue = new ArrayDeque<>();
    private final ArrayDeque<YamuxStreamChannel> blockedStreams = new ArrayDeque<>();
    private final ArrayDeque<PendingOpen> pendingOpens = new ArrayDeque<>();
    private final YamuxFrameDecoder decoder;
    private final FrameSink sink = new FrameSink();

    private volatile ChannelHandlerContext ctx; // set once in handlerAdded; read by openStream() callers
    private YamuxFrameWriter writer;
    private long nextStreamId;
    private int inboundCount;
    private int outboundCount;
    private int ackBacklog;
    private boolean started;
    private boolean closed;
    private boolean goAwaySent;
    private boolean remoteGoAway;
    private Throwable closeCause;
    private boolean resumeScheduled;
    private long bytesRead;
    private YamuxPinger pinger;

    private volatile int streamCountView;
    private volatile boolean openView = true;

    /**
     * Creates a session handler.
     *
     * @param client                   true on the connection's dialer (odd stream ids)
     * @param config                   settings
     * @param inboundStreamInitializer added to the pipeline of every inbound stream; must be
     *                                 {@code @Sharable}; null refuses every inbound stream with RST
     */
    public YamuxHandler(boolean client, YamuxConfig config, ChannelHandler inboundStreamInitializer) {
        this.client = client;
        this.config = Objects.requireNonNull(config, "config");
        this.inboundStreamInitializer = inboundStreamInitializer;
        this.decoder = new YamuxFrameDecoder(config.maxStreamWindow());
        this.nextStreamId = client ? 1 : 2;
    }

    /** Creates a session handler with {@link YamuxConfig#defaults()}. */
    public YamuxHandler(boolean client, ChannelHandler inboundStreamInitializer) {
        this(client, YamuxConfig.defaults(), inboundStreamInitializer);
    }

    @Override
    public String protocolId() {
        return PROTOCOL_ID;
    }

    @Override
    public Channel connection() {
        ChannelHandlerContext c = ctx;
        return c == null ? null : c.channel();
    }

    @Override
    public boolean isClient() {
        return client;
    }

    @Override
    public CompletableFuture<StreamChannel> openStream(ChannelHandler initializer) {
        Objects.requireNonNull(initializer, "initializer");
        CompletableFuture<StreamChannel> future = new CompletableFuture<>();
        runOnLoop(future, () -> open0(initializer, future));
        return future;
    }

    @Override
    public CompletableFuture<Duration> ping() {
        CompletableFuture<Duration> future = new CompletableFuture<>();
        runOnLoop(future, () -> {
            if (closed || !started) {
                future.completeExceptionally(new MuxerException("session is " + (closed ? "closed" : "not active")));
            } else {
                pinger.userPing(future);
                requestFlush();
            }
        });
        return future;
    }

    @Override
    public int streamCount() {
        return streamCountView;
    }

    @Override
    public boolean isOpen() {
        return openView;
    }

    @Override
    public void close() {
        ChannelHandlerContext c = ctx;
        if (c != null) {
            c.channel().close();
        }
    }

    @Override
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** Returns the settings of this session. */
    public YamuxConfig config() {
        return config;
    }

    /** Returns the smoothed ping round-trip time in nanoseconds, 0 before the first answer. */
    public long rttNanos() {
        return pinger == null ? 0 : pinger.rttNanos();
    }

    /**
     * Returns the smallest ping round trip seen, in nanoseconds (0 before the first answer). Window
     * auto-tuning uses it: pings queued behind bulk data measure the queue, not the path, and tuning on
     * them would grow windows (and the queue) without need.
     */
    long minRttNanos() {
        return pinger == null ? 0 : pinger.minRttNanos();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.writer = new YamuxFrameWriter(ctx.alloc(), ctx);
        ctx.channel().attr(SESSION).set(this);
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeSession(null);
        ctx.channel().attr(SESSION).compareAndSet(this, null);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeSession(null);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            log.debug("{} dropping unexpected inbound message {}", ctx.channel(), msg.getClass().getName());
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (closed) {
                return;
            }
            bytesRead += buf.readableBytes();
            writer.batch(true);
            decoder.decode(buf, sink);
        } catch (YamuxException e) {
            log.debug("{} yamux protocol error: {}", ctx.channel(), e.getMessage());
            failSession(e);
        } finally {
            buf.release();
        }
        if (!closed && writer.controlFramesWhileUnwritable() > config.maxQueuedControlFrames()) {
            failSession(new YamuxException(GoAwayCode.INTERNAL_ERROR, "peer does not read: "
                    + writer.controlFramesWhileUnwritable() + " control frames queued on an unwritable connection"));
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        try {
            YamuxStreamChannel stream;
            while ((stream = deliveryQueue.poll()) != null) {
                stream.queuedForDelivery = false;
                stream.deliver();
            }
        } finally {
            writer.batch(false);
            flushNow();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            writer.connectionWritable();
            if (!resumeScheduled && !blockedStreams.isEmpty()) {
                resumeScheduled = true;
                ctx.executor().execute(this::resumeBlockedStreams);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{} closing connection after exception", ctx.channel(), cause);
        if (closeCause == null) {
            closeCause = cause;
        }
        ctx.close();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (!closed && !goAwaySent && ctx.channel().isActive()) {
            goAwaySent = true;
            openView = false;
            writeControl(TYPE_GO_AWAY, 0, 0, GoAwayCode.NORMAL.code());
            flushNow();
        }
        ctx.close(promise);
    }

    private final class FrameSink implements YamuxFrameDecoder.Sink {
        private YamuxStreamChannel dataStream;
        private int dataFlags;

        @Override
        public boolean onFrame(int type, int flags, int streamId, int length) {
            return switch (type) {
                case TYPE_DATA -> onDataHeader(flags, streamId, length);
                case TYPE_WINDOW_UPDATE -> {
                    onWindowUpdate(flags, streamId, length);
                    yield false;
                }
                case TYPE_PING -> {
                    onPing(flags, length);
                    yield false;
                }
                default -> {
                    onGoAway(Integer.toUnsignedLong(length));
                    yield false;
                }
            };
        }

        private boolean onDataHeader(int flags, int streamId, int length) {
            YamuxStreamChannel s = streamFor(flags, streamId);
            if (s == null) {
                return false;
            }
            if ((flags & FLAG_ACK) != 0) {
                s.onAck();
            }
            s.onDataHeader(Integer.toUnsignedLong(length));
            if ((flags & FLAG_RST) != 0) {
                s.onRemoteReset();
                return false;
            }
            dataStream = s;
            dataFlags = flags;
            return true;
        }

        @Override
        public void onData(ByteBuf chunk) {
            YamuxStreamChannel s = dataStream;
            if (s == null) {
                chunk.release();
            } else {
                s.onData(chunk);
            }
        }

        @Override
        public void onDataEnd() {
            YamuxStreamChannel s = dataStream;
            dataStream = null;
            if (s != null && (dataFlags & FLAG_FIN) != 0) {
                s.onRemoteFin();
            }
        }

        private void onWindowUpdate(int flags, int streamId, int length) {
            YamuxStreamChannel s = streamFor(flags, streamId);
            if (s == null) {
                return;
            }
            if ((flags & FLAG_ACK) != 0) {
                s.onAck();
            }
            if ((flags & FLAG_RST) != 0) {
                s.onRemoteReset();
                return;
            }
            if (length != 0) {
                s.onWindowUpdate(Integer.toUnsignedLong(length));
            }
            if ((flags & FLAG_FIN) != 0) {
                s.onRemoteFin();
            }
        }
    }

    /** Returns the stream a Data/WindowUpdate frame is for, accepting a SYN; null means ignore the frame. */
    private YamuxStreamChannel streamFor(int flags, int id) {
        YamuxStreamChannel s = streams.get(id);
        if ((flags & FLAG_SYN) == 0) {
            return s;
        }
        if (s != null) {
            throw YamuxException.protocol("SYN for stream " + Integer.toUnsignedString(id) + " which is open");
        }
        boolean remoteParity = (id & 1) == (client ? 0 : 1);
        if (!remoteParity) {
            throw YamuxException.protocol("peer opened stream " + Integer.toUnsignedString(id)
                    + " with this side's id parity (both endpoints are " + (client ? "clients)" : "servers)"));
        }
        return acceptInbound(id);
    }

    private YamuxStreamChannel acceptInbound(int id) {
        if (goAwaySent || inboundStreamInitializer == null
                || inboundCount >= config.maxInboundStreams()) {
            writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, id, 0);
            log.debug("{} refused inbound stream {} ({} inbound streams open)", ctx.channel(),
                    Integer.toUnsignedString(id), inboundCount);
            return null;
        }
        YamuxStreamChannel s = new YamuxStreamChannel(this, id, false);
        streams.put(id, s);
        inboundCount++;
        updateViews();
        writeControl(TYPE_WINDOW_UPDATE, FLAG_ACK, id, config.initialStreamWindow() - YamuxConfig.SPEC_INITIAL_WINDOW);
        if (!register(s, inboundStreamInitializer)) {
            return null;
        }
        notifyListeners(l -> l.streamOpened(this, s));
        return s;
    }

    private void onPing(int flags, int value) {
        if ((flags & FLAG_SYN) != 0) {
            writeControl(TYPE_PING, FLAG_ACK, 0, value);
            requestFlush();
        } else if ((flags & FLAG_ACK) != 0 && (pinger == null || !pinger.onAnswer(value))) {
            // js treats this as a protocol error; tolerating it costs nothing.
            log.debug("{} ignoring answer to unknown ping {}", ctx.channel(), Integer.toUnsignedString(value));
        }
    }

    private void onGoAway(long code) {
        if (remoteGoAway) {
            return;
        }
        remoteGoAway = true;
        updateViews();
        GoAwayCode known = GoAwayCode.fromCode(code);
        YamuxException e = new YamuxException(known == null ? GoAwayCode.INTERNAL_ERROR : known,
                "peer sent GoAway with code " + code, true);
        failPendingOpens(e);
        notifyListeners(l -> l.goAwayReceived(this, code));
        if (code != GoAwayCode.NORMAL.code()) {
            log.debug("{} peer ended the session with GoAway({})", ctx.channel(), code);
            decoder.stop();
            closeSession(e);
            ctx.close();
        }
    }

    private void open0(ChannelHandler initializer, CompletableFuture<StreamChannel> future) {
        if (closed || goAwaySent || !ctx.channel().isActive()) {
            future.completeExceptionally(new MuxerException("session is closed"));
        } else if (remoteGoAway) {
            future.completeExceptionally(new MuxerException("peer sent GoAway; no new streams"));
        } else if (outboundCount + pendingOpens.size() >= config.maxOutboundStreams()) {
            future.completeExceptionally(new MuxerException("outbound stream limit of "
                    + config.maxOutboundStreams() + " reached"));
        } else if (ackBacklog >= config.maxAckBacklog()) {
            pendingOpens.add(new PendingOpen(initializer, future));
        } else {
            doOpen(initializer, future);
        }
    }

    private void doOpen(ChannelHandler initializer, CompletableFuture<StreamChannel> future) {
        if (nextStreamId > MAX_STREAM_ID) {
            future.completeExceptionally(new MuxerException("stream ids exhausted"));
            return;
        }
        int id = (int) nextStreamId;
        nextStreamId += 2;
        YamuxStreamChannel s = new YamuxStreamChannel(this, id, true);
        s.awaitingAck = true;
        ackBacklog++;
        streams.put(id, s);
        outboundCount++;
        updateViews();
        writeControl(TYPE_WINDOW_UPDATE, FLAG_SYN, id, config.initialStreamWindow() - YamuxConfig.SPEC_INITIAL_WINDOW);
        if (register(s, initializer)) {
            notifyListeners(l -> l.streamOpened(this, s));
            future.complete(s);
        } else {
            future.completeExceptionally(new MuxerException("stream registration failed"));
        }
        requestFlush();
    }

    private boolean register(YamuxStreamChannel s, ChannelHandler initializer) {
        s.pipeline().addLast(initializer);
        ChannelFuture f = ctx.channel().eventLoop().register(s);
        if (f.isDone() && !f.isSuccess()) {
            log.debug("{} registering {} failed", ctx.channel(), s, f.cause());
            writeControl(TYPE_WINDOW_UPDATE, FLAG_RST, s.wireId(), 0);
            untrack(s);
            return false;
        }
        return true;
    }

    void acknowledged(YamuxStreamChannel s) {
        s.awaitingAck = false;
        ackBacklog--;
        drainPendingOpens();
    }

    private void drainPendingOpens() {
        while (!pendingOpens.isEmpty() && ackBacklog < config.maxAckBacklog() && !closed && !goAwaySent
                && !remoteGoAway) {
            PendingOpen p = pendingOpens.poll();
            if (!p.future.isDone()) {
                doOpen(p.initializer, p.future);
            }
        }
    }

    private void failPendingOpens(Throwable cause) {
        PendingOpen p;
        while ((p = pendingOpens.poll()) != null) {
            p.future.completeExceptionally(cause);
        }
    }

    boolean isTracked(YamuxStreamChannel s) {
        return streams.get(s.wireId()) == s;
    }

    /** Stops tracking a stream (idempotent). */
    void untrack(YamuxStreamChannel s) {
        s.cancelCloseTimer();
        if (streams.get(s.wireId()) != s) {
            return;
        }
        streams.remove(s.wireId());
        if (s.isInitiator()) {
            outboundCount--;
        } else {
            inboundCount--;
        }
        if (s.awaitingAck) {
            s.awaitingAck = false;
            ackBacklog--;
        }
        updateViews();
        notifyListeners(l -> l.streamClosed(this, s));
        if (!closed) {
            drainPendingOpens();
        }
    }

    void scheduleDelivery(YamuxStreamChannel s) {
        if (!s.queuedForDelivery) {
            s.queuedForDelivery = true;
            deliveryQueue.add(s);
        }
    }

    void blockedOnConnection(YamuxStreamChannel s) {
        if (!s.blockedOnConnection) {
            s.blockedOnConnection = true;
            blockedStreams.add(s);
        }
    }

    private void resumeBlockedStreams() {
        resumeScheduled = false;
        if (closed) {
            return;
        }
        boolean outer = writer.batch(true);
        try {
            YamuxStreamChannel s;
            while (ctx.channel().isWritable() && (s = blockedStreams.poll()) != null) {
                s.blockedOnConnection = false;
                if (s.isOpen()) {
                    s.resumeWrite();
                }
            }
        } finally {
            writer.batch(outer);
        }
        if (!outer) {
            flushNow();
        }
    }

    YamuxFrameWriter writer() {
        return writer;
    }

    boolean isConnectionWritable() {
        return ctx.channel().isWritable();
    }

    /** Queues a control frame (no payload); it goes out with the next flush. */
    void writeControl(int type, int flags, int streamId, int length) {
        writer.control(type, flags, streamId, length);
    }

    /** Flushes now, or at the end of the current read batch. */
    void requestFlush() {
        if (!closed) {
            writer.requestFlush();
        }
    }

    private void flushNow() {
        if (!closed && writer != null) {
            writer.flush();
        }
    }

    private void start() {
        if (started || closed) {
            return;
        }
        started = true;
        pinger = new YamuxPinger(this, ctx.executor());
        pinger.start();
        requestFlush();
    }

    long bytesRead() {
        return bytesRead;
    }

    /** A ping went unanswered for a whole timeout with nothing received meanwhile: the peer is gone. */
    void pingLost() {
        log.debug("{} closing connection: ping unanswered for {}", ctx.channel(), config.pingTimeout());
        failSession(new YamuxException(GoAwayCode.INTERNAL_ERROR, "ping unanswered for " + config.pingTimeout()));
    }

    private record PendingOpen(ChannelHandler initializer, CompletableFuture<StreamChannel> future) {
    }

    /** Ends the session because of {@code e}: GoAway with its code, then close the connection. */
    private void failSession(YamuxException e) {
        if (closed) {
            return;
        }
        decoder.stop();
        if (!goAwaySent) {
            goAwaySent = true;
            writeControl(TYPE_GO_AWAY, 0, 0, e.code().code());
        }
        flushNow();
        closeSession(e);
        ctx.close();
    }

    /** Tears the session down: every stream closes, buffers and timers are released. Idempotent. */
    private void closeSession(Throwable cause) {
        if (closed || ctx == null) {
            return;
        }
        if (cause == null) {
            cause = closeCause;
        }
        closed = true;
        updateViews();
        decoder.stop();
        MuxerException streamCause = cause instanceof MuxerException m ? m
                : new MuxerException("connection closed", cause);
        if (pinger != null) {
            pinger.close(streamCause);
        }
        failPendingOpens(streamCause);
        for (YamuxStreamChannel s : new ArrayList<>(streams.values())) {
            s.onConnectionClosed(streamCause);
            untrack(s);
        }
        deliveryQueue.clear();
        blockedStreams.clear();
        writer.release();
        Throwable reported = cause;
        notifyListeners(l -> l.sessionClosed(this, reported));
    }

    boolean isClosed() {
        return closed;
    }

    long nanoTime() {
        ChannelHandlerContext c = ctx;
        return c == null ? System.nanoTime() : c.executor().ticker().nanoTime();
    }

    private void updateViews() {
        streamCountView = streams.size();
        openView = !closed && !goAwaySent && !remoteGoAway;
    }

    private void notifyListeners(Consumer<Listener> event) {
        for (Listener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                log.warn("yamux session listener {} failed", l, e);
            }
        }
    }

    private void runOnLoop(CompletableFuture<?> future, Runnable task) {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            future.completeExceptionally(new MuxerException("session is not attached to a connection"));
            return;
        }
        EventExecutor loop = c.executor();
        if (loop.inEventLoop()) {
            task.run();
            return;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new MuxerException("connection event loop is shut down", e));
        }
    }

    YamuxStreamChannel stream(long id) {
        return streams.get((int) id);
    }

    int inboundStreamCount() {
        return inboundCount;
    }

    int ackBacklog() {
        return ackBacklog;
    }

    int pendingOpenCount() {
        return pendingOpens.size();
    }

    void rttNanosForTest(long rtt) {
        pinger.setRttForTest(rtt);
    }
}
