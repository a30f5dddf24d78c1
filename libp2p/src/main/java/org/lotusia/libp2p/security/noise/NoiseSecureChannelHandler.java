package org.lotusia.libp2p.security.noise;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.security.SecureSession;
import org.lotusia.libp2p.security.SecureSessionEstablished;
import org.lotusia.libp2p.security.SecurityHandshakeException;
import org.lotusia.libp2p.security.SecurityHandshakeException.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the libp2p Noise XX handshake ({@value NoiseHandshake#PROTOCOL_ID}) on a raw connection, then replaces
 * itself with a {@link NoiseTransportCodec}. Install it once multistream-select has chosen {@code /noise}; it
 * starts as soon as it is added to an active channel (or when the channel becomes active).
 *
 * <p>Wire format: each handshake message is exactly one frame {@code u16 BE length || message}; message 1 is the
 * initiator's 32-byte ephemeral key with no payload. Frames of the wrong size for their position are rejected at
 * once (before their body arrives).
 *
 * <p>On success, in this order: the transport codec takes this handler's place (named
 * {@value #TRANSPORT_HANDLER_NAME} when free); writes made during the handshake go through it (and are flushed if
 * a flush was requested); {@link SecureSessionEstablished} is fired down the pipeline; {@link #sessionFuture()}
 * completes; finally any bytes that arrived behind the last handshake message are decrypted and passed on. A
 * handler reacting to the event or the future synchronously (for example installing the muxer) therefore sees
 * all application data.
 *
 * <p>On failure ({@link SecurityHandshakeException}: bad signature, peer id mismatch, malformed or
 * undecryptable message, no common muxer, timeout, connection closed) the future completes exceptionally, queued
 * writes fail, and the channel is closed; the exception is not fired through the pipeline. Not sharable.
 */
public final class NoiseSecureChannelHandler extends ChannelDuplexHandler {
    /** Name given to the transport codec that replaces this handler (unless taken). */
    public static final String TRANSPORT_HANDLER_NAME = "noise-transport";

    private static final Logger LOG = LoggerFactory.getLogger(NoiseSecureChannelHandler.class);

    private enum State { NEW, HANDSHAKING, DONE, FAILED }

    private final boolean initiator;
    private final NoiseIdentity identity;
    private final PeerId expectedRemote;
    private final List<String> localMuxers;
    private final long timeoutNanos;
    private final CompletableFuture<SecureSession> future = new CompletableFuture<>();

    private State state = State.NEW;
    private NoiseHandshake handshake;
    private ByteBuf cumulation;
    private ScheduledFuture<?> timeoutTask;
    private final ArrayDeque<Object> pendingWrites = new ArrayDeque<>();
    private boolean flushRequested;
    private ChaChaPolyAead.Kind aeadKind;

    /**
     * @param initiator        true on the dialling side (sends message 1)
     * @param localKey         this node's identity key (its Noise static key is shared per key, see
     *                         {@link NoiseIdentity#of})
     * @param expectedRemote   the peer id we dialled, or null to accept any peer that authenticates
     * @param localMuxers      muxer ids to offer for early muxer negotiation, preferred first; empty = don't offer
     * @param handshakeTimeout how long the whole handshake may take before the connection is closed
     * @throws IllegalArgumentException for an empty or over-long muxer id or a non-positive timeout
     */
    public NoiseSecureChannelHandler(boolean initiator, PrivateKey localKey, PeerId expectedRemote,
            List<String> localMuxers, Duration handshakeTimeout) {
        this(initiator, NoiseIdentity.of(Objects.requireNonNull(localKey, "localKey")), expectedRemote, localMuxers,
                handshakeTimeout);
    }

    /** Like the {@link PrivateKey} constructor, with explicit Noise credentials. */
    public NoiseSecureChannelHandler(boolean initiator, NoiseIdentity identity, PeerId expectedRemote,
            List<String> localMuxers, Duration handshakeTimeout) {
        this.initiator = initiator;
        this.identity = Objects.requireNonNull(identity, "identity");
        this.expectedRemote = expectedRemote;
        this.localMuxers = NoiseHandshake.validateLocalMuxers(localMuxers);
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive: " + handshakeTimeout);
        }
        this.timeoutNanos = handshakeTimeout.toNanos();
    }

    /** For tests: use a specific AEAD implementation instead of the JVM's choice. Returns this. */
    NoiseSecureChannelHandler aeadKind(ChaChaPolyAead.Kind kind) {
        this.aeadKind = kind;
        return this;
    }

    /** Completes with the session when the handshake succeeds, or exceptionally with {@link SecurityHandshakeException}. */
    public CompletableFuture<SecureSession> sessionFuture() {
        return future;
    }

    /** Whether this side initiates the handshake. */
    public boolean isInitiator() {
        return initiator;
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (state != State.NEW) {
            return;
        }
        state = State.HANDSHAKING;
        try {
            handshake = new NoiseHandshake(initiator, identity, localMuxers, expectedRemote, null,
                    aeadKind == null ? ChaChaPolyAead.newInstance() : ChaChaPolyAead.newInstance(aeadKind));
        } catch (RuntimeException e) {
            fail(ctx, new SecurityHandshakeException(Reason.INTERNAL_ERROR,
                    "cannot start Noise handshake: " + e.getMessage(), e));
            return;
        }
        timeoutTask = ctx.executor().schedule(() -> fail(ctx, new SecurityHandshakeException(Reason.TIMEOUT,
                "Noise handshake did not complete within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos)
                        + " ms (" + progress() + ")")), timeoutNanos, TimeUnit.NANOSECONDS);
        if (handshake.isWriteTurn()) {
            sendMessage(ctx);
        }
        readIfNeeded(ctx);
    }

    private String progress() {
        if (handshake == null) {
            return "not started";
        }
        return (handshake.isWriteTurn() ? "sending" : "waiting for") + " message " + handshake.nextMessageNumber()
                + " as " + (initiator ? "initiator" : "responder");
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (state == State.NEW || state == State.HANDSHAKING) {
            // Removed by someone else mid-handshake: nothing can complete it any more.
            failWithoutClose(new SecurityHandshakeException(Reason.CONNECTION_CLOSED,
                    "Noise handler removed from the pipeline before the handshake completed (" + progress() + ")"));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state == State.NEW || state == State.HANDSHAKING) {
            fail(ctx, new SecurityHandshakeException(Reason.CONNECTION_CLOSED,
                    "connection closed during the Noise handshake (" + progress() + ")"));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (state == State.NEW || state == State.HANDSHAKING) {
            fail(ctx, new SecurityHandshakeException(Reason.CONNECTION_CLOSED,
                    "connection failed during the Noise handshake (" + progress() + "): " + cause, cause));
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    // ---------------------------------------------------------------- inbound

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof ByteBuf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        ByteBuf in = (ByteBuf) msg;
        if (state != State.HANDSHAKING) {
            in.release(); // failed (or not started): the connection is going away
            return;
        }
        cumulation = cumulation == null ? in : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
        try {
            processFrames(ctx);
        } catch (SecurityHandshakeException e) {
            fail(ctx, e);
        } catch (RuntimeException e) {
            fail(ctx, new SecurityHandshakeException(Reason.INTERNAL_ERROR,
                    "Noise handshake failed locally (" + progress() + "): " + e, e));
        }
    }

    private void processFrames(ChannelHandlerContext ctx) {
        while (state == State.HANDSHAKING && cumulation != null && cumulation.readableBytes() >= 2) {
            if (handshake.isWriteTurn()) {
                throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE,
                        "remote sent data before its turn in the Noise handshake (" + progress() + ")");
            }
            int ri = cumulation.readerIndex();
            int len = cumulation.getUnsignedShort(ri);
            checkFrameLength(len);
            if (cumulation.readableBytes() < 2 + len) {
                return;
            }
            byte[] message = new byte[len];
            cumulation.getBytes(ri + 2, message);
            cumulation.readerIndex(ri + 2 + len);
            handshake.readMessage(message, 0, len);
            if (handshake.isWriteTurn()) {
                sendMessage(ctx);
            }
            if (handshake.isComplete()) {
                complete(ctx);
                return;
            }
        }
    }

    /** Rejects a frame whose announced length is impossible for the next handshake message. */
    private void checkFrameLength(int len) {
        int index = handshake.nextMessageNumber() - 1;
        int min = NoiseXX.minMessageLength(index);
        if (index == 0 ? len != min : len < min) {
            throw new SecurityHandshakeException(Reason.MALFORMED_MESSAGE, "Noise handshake message "
                    + (index + 1) + " has invalid length " + len + " (" + (index == 0 ? "must be " : "minimum ")
                    + min + ")");
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.HANDSHAKING) {
            readIfNeeded(ctx);
        }
        ctx.fireChannelReadComplete();
    }

    private void readIfNeeded(ChannelHandlerContext ctx) {
        if (state == State.HANDSHAKING && !ctx.channel().config().isAutoRead()) {
            ctx.read();
        }
    }

    // ---------------------------------------------------------------- outbound

    private void sendMessage(ChannelHandlerContext ctx) {
        byte[] m = handshake.writeMessage();
        ByteBuf frame = ctx.alloc().buffer(2 + m.length);
        frame.writeShort(m.length).writeBytes(m);
        ctx.writeAndFlush(frame).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                fail(ctx, new SecurityHandshakeException(Reason.CONNECTION_CLOSED,
                        "could not send Noise handshake message: " + f.cause(), f.cause()));
            }
        });
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (state == State.FAILED || state == State.DONE) {
            // DONE cannot happen (replaced), FAILED: the connection is closing.
            ReferenceCountUtil.release(msg);
            promise.tryFailure(new SecurityHandshakeException(Reason.CONNECTION_CLOSED, "Noise handshake failed"));
            return;
        }
        pendingWrites.add(msg);
        pendingWrites.add(promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        flushRequested = true; // application data waits for the session; our own frames are flushed directly
    }

    // ---------------------------------------------------------------- outcome

    private void complete(ChannelHandlerContext ctx) {
        state = State.DONE;
        cancelTimeout();
        SecureSession session = handshake.session();
        NoiseTransportCodec codec = new NoiseTransportCodec(handshake.sender(), handshake.receiver());
        ByteBuf leftover = cumulation;
        cumulation = null;
        String name = ctx.pipeline().get(TRANSPORT_HANDLER_NAME) == null ? TRANSPORT_HANDLER_NAME : null;
        ctx.pipeline().replace(this, name, codec);
        // After replace() this context's next and prev both point at the codec's context, so writes, events and
        // reads issued on it below pass through the codec.
        while (!pendingWrites.isEmpty()) {
            Object msg = pendingWrites.poll();
            ChannelPromise promise = (ChannelPromise) pendingWrites.poll();
            ctx.write(msg, promise);
        }
        if (flushRequested) {
            ctx.flush();
        }
        LOG.debug("{} Noise session established: {}", ctx.channel(), session);
        ctx.fireUserEventTriggered(new SecureSessionEstablished(session));
        future.complete(session);
        if (leftover != null) {
            if (leftover.isReadable()) {
                ctx.fireChannelRead(leftover);
            } else {
                leftover.release();
            }
        }
    }

    private void fail(ChannelHandlerContext ctx, SecurityHandshakeException e) {
        if (state == State.DONE || state == State.FAILED) {
            return;
        }
        failWithoutClose(e);
        LOG.debug("{} Noise handshake failed: {}", ctx.channel(), e.getMessage());
        ctx.close();
    }

    private void failWithoutClose(SecurityHandshakeException e) {
        state = State.FAILED;
        cancelTimeout();
        if (cumulation != null) {
            cumulation.release();
            cumulation = null;
        }
        while (!pendingWrites.isEmpty()) {
            ReferenceCountUtil.release(pendingWrites.poll());
            ((ChannelPromise) pendingWrites.poll()).tryFailure(e);
        }
        future.completeExceptionally(e);
    }

    private void cancelTimeout() {
        if (timeoutTask != null) {
            timeoutTask.cancel(false);
            timeoutTask = null;
        }
    }
}
