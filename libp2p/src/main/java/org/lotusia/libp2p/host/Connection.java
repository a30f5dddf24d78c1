package org.lotusia.libp2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multistream.MultistreamDialer;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.StreamMuxerSession;
import org.lotusia.libp2p.security.SecureSession;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A secured, muxed connection to one peer. Opens streams with multistream-select on each, and
 * counts inbound streams per protocol so a peer cannot open more than a protocol allows.
 * Thread-safe; closing it closes every stream.
 */
public final class Connection implements AutoCloseable {
    private final Channel channel;
    private final SecureSession secureSession;
    private final StreamMuxerSession muxer;
    private final Direction direction;
    private final Multiaddr localAddress;
    private final Multiaddr remoteAddress;
    private final Instant openedAt = Instant.now();
    private final Duration negotiationTimeout;
    private final Map<String, AtomicInteger> inboundStreams = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Non-null on a limited connection: decides which protocols may still run on it. */
    private volatile ProtocolRegistry limitedBy;

    Connection(Channel channel, SecureSession secureSession, StreamMuxerSession muxer, Direction direction,
               Multiaddr localAddress, Multiaddr remoteAddress, Duration negotiationTimeout) {
        this.channel = channel;
        this.secureSession = secureSession;
        this.muxer = muxer;
        this.direction = direction;
        this.localAddress = localAddress;
        this.remoteAddress = remoteAddress;
        this.negotiationTimeout = negotiationTimeout;
        channel.closeFuture().addListener(f -> closed.complete(null));
    }

    /** The authenticated peer at the other end. */
    public PeerId remotePeer() {
        return secureSession.remotePeer();
    }

    /** The remote peer's identity key, proven in the handshake. */
    public PublicKey remotePublicKey() {
        return secureSession.remotePublicKey();
    }

    /** Who dialled. */
    public Direction direction() {
        return direction;
    }

    /** Our end's address. */
    public Multiaddr localAddress() {
        return localAddress;
    }

    /** The remote end's address as seen by us (without {@code /p2p}). */
    public Multiaddr remoteAddress() {
        return remoteAddress;
    }

    /** When the upgrade finished. */
    public Instant openedAt() {
        return openedAt;
    }

    /** What the security handshake established. */
    public SecureSession secureSession() {
        return secureSession;
    }

    /** The stream muxer session. */
    public StreamMuxerSession muxer() {
        return muxer;
    }

    /** The underlying connection channel (plaintext above the security layer is the muxer's). */
    public Channel channel() {
        return channel;
    }

    /** Whether the connection is still open. */
    public boolean isOpen() {
        return channel.isOpen() && muxer.isOpen();
    }

    /**
     * Whether this is a limited connection: relayed through a circuit relay that caps its duration or
     * data. Only protocols registered with {@link ProtocolOptions#allowOnLimitedConnections()} run on it.
     */
    public boolean isLimited() {
        return limitedBy != null;
    }

    /** Marks the connection limited; {@code registry} tells which protocols stay allowed. */
    void markLimited(ProtocolRegistry registry) {
        this.limitedBy = registry;
    }

    /** Completes when the connection has closed. */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    /**
     * Opens a stream and negotiates the first of {@code protocols} the peer supports.
     * {@code initializer} runs on the stream's event loop as soon as the protocol is agreed, before
     * any byte the peer sent after agreeing is delivered, so it can install the handlers that read
     * them. The future completes with the negotiated stream (on the event loop: do not block in
     * continuations), or fails with {@link org.lotusia.libp2p.multistream.ProtocolNotSupportedException}
     * or a muxer error.
     */
    public CompletableFuture<Libp2pStream> newStream(List<String> protocols, Consumer<Libp2pStream> initializer) {
        return newStream(protocols, initializer, false);
    }

    /**
     * Like {@link #newStream(List, Consumer)}; on a {@linkplain #isLimited() limited} connection only
     * the protocols allowed there are proposed (registered with
     * {@link ProtocolOptions#allowOnLimitedConnections()}), unless {@code allowOnLimitedConnection} is
     * true. When none is allowed the future fails with {@link LimitedConnectionException}.
     */
    public CompletableFuture<Libp2pStream> newStream(List<String> protocols, Consumer<Libp2pStream> initializer,
                                                     boolean allowOnLimitedConnection) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one protocol is required");
        }
        ProtocolRegistry limits = limitedBy;
        if (limits != null && !allowOnLimitedConnection) {
            List<String> allowed = protocols.stream().filter(limits::allowedOnLimitedConnections).toList();
            if (allowed.isEmpty()) {
                return CompletableFuture.failedFuture(new LimitedConnectionException(
                        "protocols " + protocols + " may not run on the limited (relayed) connection to "
                                + remotePeer() + "; register them with allowOnLimitedConnections or opt in"));
            }
            protocols = allowed;
        }
        CompletableFuture<Libp2pStream> result = new CompletableFuture<>();
        MultistreamDialer dialer = MultistreamDialer.builder(protocols)
                .timeout(negotiationTimeout)
                .onSelected((streamChannel, protocol) -> {
                    Libp2pStream stream = new Libp2pStream((StreamChannel) streamChannel, protocol, this);
                    initializer.accept(stream);
                    result.complete(stream);
                })
                .build();
        muxer.openStream(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("multistream", dialer);
            }
        }).whenComplete((streamChannel, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                dialer.selected().whenComplete((protocol, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                        streamChannel.reset();
                    }
                });
            }
        });
        return result;
    }

    /** Closes the connection (muxer GoAway, then the transport). Idempotent. */
    @Override
    public void close() {
        muxer.close();
        channel.close();
    }

    /**
     * Counts an inbound stream for {@code protocol}; returns false (and counts nothing) when the
     * peer already has {@code max} open. The count drops when the stream closes.
     */
    boolean admitInboundStream(String protocol, int max, StreamChannel stream) {
        AtomicInteger count = inboundStreams.computeIfAbsent(protocol, p -> new AtomicInteger());
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return false;
        }
        stream.closeFuture().addListener(f -> count.decrementAndGet());
        return true;
    }

    @Override
    public String toString() {
        return "Connection[" + direction + " " + remotePeer() + " at " + remoteAddress + (isLimited() ? " limited" : "") + "]";
    }
}
