package org.lotusia.libp2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.ScheduledFuture;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multistream.MultistreamDialer;
import org.lotusia.libp2p.multistream.MultistreamListener;
import org.lotusia.libp2p.multistream.ProtocolSelector;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.yamux.YamuxConfig;
import org.lotusia.libp2p.muxer.yamux.YamuxHandler;
import org.lotusia.libp2p.security.SecureSession;
import org.lotusia.libp2p.security.SecureSessionEstablished;
import org.lotusia.libp2p.security.noise.NoiseSecureChannelHandler;
import org.lotusia.libp2p.transport.tcp.TcpAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Turns a raw transport channel into a {@link Connection}: multistream-select picks {@code /noise},
 * Noise XX authenticates the peer (and, when the peer offers it, agrees on the muxer inside the
 * handshake), then Yamux takes over — falling back to multistream-select for the muxer when the
 * peer did not offer early negotiation. Every step is bounded by the upgrade timeout.
 */
final class ConnectionUpgrader {
    static final String NOISE = "/noise";
    static final String YAMUX = "/yamux/1.0.0";
    private static final Logger LOG = LoggerFactory.getLogger(ConnectionUpgrader.class);

    /** What the host does with a connection once it is upgraded: admit it or refuse it. */
    interface Admission {
        /** Returns null to accept, or the reason the connection must be closed. */
        String admit(PeerId peer, Direction direction, Multiaddr remoteAddress);

        /** Takes over an upgraded connection (called on its event loop). */
        void opened(Connection connection);
    }

    private final PrivateKey identity;
    private final YamuxConfig yamuxConfig;
    private final Duration negotiationTimeout;
    private final Function<Connection, ChannelInitializer<Channel>> inboundStreams;
    private final Admission admission;

    ConnectionUpgrader(PrivateKey identity, YamuxConfig yamuxConfig, Duration negotiationTimeout,
                       Function<Connection, ChannelInitializer<Channel>> inboundStreams, Admission admission) {
        this.identity = identity;
        this.yamuxConfig = yamuxConfig;
        this.negotiationTimeout = negotiationTimeout;
        this.inboundStreams = inboundStreams;
        this.admission = admission;
    }

    /** The pipeline of a connection we dial; {@code result} completes with the upgraded connection. */
    ChannelInitializer<Channel> outbound(PeerId expectedPeer, Duration timeout, CompletableFuture<Connection> result) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                guard(ch, timeout, result);
                ch.pipeline().addLast("security-select", MultistreamDialer.builder(NOISE)
                        .timeout(timeout)
                        .onSelected((channel, protocol) -> addSecurity(channel, true, expectedPeer, result, Direction.OUTBOUND))
                        .build());
            }
        };
    }

    /** The pipeline of a connection a peer dialled; {@code result} completes with the upgraded connection. */
    ChannelInitializer<Channel> inbound(Duration timeout, CompletableFuture<Connection> result) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                guard(ch, timeout, result);
                ch.pipeline().addLast("security-select", MultistreamListener.builder(ProtocolSelector.of(NOISE))
                        .timeout(timeout)
                        .onSelected((channel, protocol) -> addSecurity(channel, false, null, result, Direction.INBOUND))
                        .build());
            }
        };
    }

    /**
     * The pipeline of a connection we dial but upgrade as the responder (multistream listener, Noise
     * responder, Yamux server): our side of a TCP simultaneous open where the peer acts as client
     * (DCUtR's B). {@code expectedPeer} must be proven in the handshake.
     */
    ChannelInitializer<Channel> outboundAsResponder(PeerId expectedPeer, Duration timeout, CompletableFuture<Connection> result) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                guard(ch, timeout, result);
                ch.pipeline().addLast("security-select", MultistreamListener.builder(ProtocolSelector.of(NOISE))
                        .timeout(timeout)
                        .onSelected((channel, protocol) -> addSecurity(channel, false, expectedPeer, result, Direction.OUTBOUND))
                        .build());
            }
        };
    }

    /**
     * Upgrades a byte channel that is already active (a relayed circuit carried by a stream): the
     * same steps as a TCP connection, with the given addresses. A limited connection is marked so
     * only the protocols allowed on limited connections run on it.
     */
    void upgradeActive(Channel ch, boolean initiator, PeerId expectedPeer, Multiaddr localAddress,
                       Multiaddr remoteAddress, ProtocolRegistry limitedBy, Duration timeout,
                       CompletableFuture<Connection> result) {
        ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> {
            if (result.completeExceptionally(new Libp2pException(
                    "relayed connection upgrade did not finish within " + timeout.toMillis() + " ms"))) {
                ch.close();
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((c, e) -> timer.cancel(false));
        ch.closeFuture().addListener(f -> result.completeExceptionally(
                new Libp2pException("relayed connection closed during upgrade")));
        Addresses addresses = new Addresses(localAddress, remoteAddress, limitedBy);
        Direction direction = initiator ? Direction.OUTBOUND : Direction.INBOUND;
        ch.pipeline().addLast("security-select", initiator
                ? MultistreamDialer.builder(NOISE).timeout(timeout)
                        .onSelected((c, p) -> addSecurity(c, true, expectedPeer, result, direction, addresses))
                        .build()
                : MultistreamListener.builder(ProtocolSelector.of(NOISE)).timeout(timeout)
                        .onSelected((c, p) -> addSecurity(c, false, null, result, direction, addresses))
                        .build());
    }

    /** Addresses of a connection not carried by TCP directly (a relayed one), and whether it is limited. */
    private record Addresses(Multiaddr local, Multiaddr remote, ProtocolRegistry limitedBy) {
    }

    /** Fails the upgrade and closes the channel if it has not finished in time or the channel dies. */
    private static void guard(Channel ch, Duration timeout, CompletableFuture<Connection> result) {
        ScheduledFuture<?> timer = ch.eventLoop().schedule(() -> {
            if (result.completeExceptionally(new Libp2pException(
                    "connection upgrade did not finish within " + timeout.toMillis() + " ms"))) {
                ch.close();
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((c, e) -> timer.cancel(false));
        // Only a connection that was established can be "closed during upgrade"; a dial that never
        // connected is reported by the transport with its own reason (refused, timed out).
        ch.pipeline().addFirst("upgrade-guard", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ch.closeFuture().addListener(f -> result.completeExceptionally(
                        new Libp2pException("connection closed during upgrade")));
                ctx.pipeline().remove(this);
                ctx.fireChannelActive();
            }
        });
    }

    private void addSecurity(Channel ch, boolean initiator, PeerId expectedPeer, CompletableFuture<Connection> result,
                             Direction direction) {
        addSecurity(ch, initiator, expectedPeer, result, direction, null);
    }

    private void addSecurity(Channel ch, boolean initiator, PeerId expectedPeer, CompletableFuture<Connection> result,
                             Direction direction, Addresses addresses) {
        NoiseSecureChannelHandler noise = new NoiseSecureChannelHandler(
                initiator, identity, expectedPeer, List.of(YAMUX), negotiationTimeout);
        noise.sessionFuture().whenComplete((session, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            }
        });
        ch.pipeline().addLast("security", noise);
        ch.pipeline().addLast("upgrade", new MuxerStep(initiator, direction, result, addresses));
    }

    /** Waits for the secure session, then installs the muxer (directly or after multistream-select). */
    private final class MuxerStep extends ChannelInboundHandlerAdapter {
        private final boolean dialer;
        private final Direction direction;
        private final CompletableFuture<Connection> result;
        private final Addresses addresses; // null for a TCP connection

        /** {@code dialer}: security initiator and Yamux client; {@code direction}: who opened the socket. */
        MuxerStep(boolean dialer, Direction direction, CompletableFuture<Connection> result, Addresses addresses) {
            this.dialer = dialer;
            this.addresses = addresses;
            this.direction = direction;
            this.result = result;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (!(evt instanceof SecureSessionEstablished established)) {
                super.userEventTriggered(ctx, evt);
                return;
            }
            SecureSession session = established.session();
            Channel ch = ctx.channel();
            Multiaddr remote = addresses != null ? addresses.remote() : TcpAddresses.toMultiaddr(ch.remoteAddress());
            String refusal = session.remotePeer().equals(session.localPeer())
                    ? "cannot connect to self (" + session.remotePeer() + ")"
                    : admission.admit(session.remotePeer(), direction, remote);
            if (refusal != null) {
                result.completeExceptionally(new Libp2pException(refusal));
                ch.close();
                return;
            }
            if (session.earlyMuxer().isPresent()) {
                if (!YAMUX.equals(session.selectedMuxer())) {
                    result.completeExceptionally(new Libp2pException(
                            "peer offered no supported stream muxer: " + session.remoteMuxers()));
                    ch.close();
                    return;
                }
                ctx.pipeline().remove(this);
                installMuxer(ch, session, direction, remote);
            } else if (dialer) {
                ctx.pipeline().replace(this, "muxer-select", MultistreamDialer.builder(YAMUX)
                        .timeout(negotiationTimeout)
                        .onSelected((c, p) -> installMuxer(c, session, direction, remote))
                        .build());
            } else {
                ctx.pipeline().replace(this, "muxer-select", MultistreamListener.builder(ProtocolSelector.of(YAMUX))
                        .timeout(negotiationTimeout)
                        .onSelected((c, p) -> installMuxer(c, session, direction, remote))
                        .build());
            }
        }

        private void installMuxer(Channel ch, SecureSession session, Direction direction, Multiaddr remote) {
            // The TCP dialer is the Yamux client (odd stream ids), as js-libp2p decides it.
            ConnectionHolder holder = new ConnectionHolder();
            YamuxHandler yamux = new YamuxHandler(dialer, yamuxConfig, new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel stream) {
                    stream.pipeline().addLast(inboundStreams.apply(holder.connection));
                }
            });
            ch.pipeline().addLast("muxer", yamux);
            Connection connection = new Connection(ch, session, yamux, direction,
                    addresses != null ? addresses.local() : TcpAddresses.toMultiaddr(ch.localAddress()), remote,
                    negotiationTimeout);
            if (addresses != null && addresses.limitedBy() != null) {
                connection.markLimited(addresses.limitedBy());
            }
            holder.connection = connection;
            if (result.isDone()) {
                ch.close();
                return;
            }
            // Registered before the dialer hears of it, so the host's view is complete when it does.
            admission.opened(connection);
            result.complete(connection);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("connection upgrade failed on {}: {}", ctx.channel(), cause.toString());
            result.completeExceptionally(cause);
            ctx.close();
        }
    }

    /** Lets the inbound stream initializer reach the connection created right after the muxer. */
    private static final class ConnectionHolder {
        Connection connection;
    }

    /** Hands an inbound stream to its protocol's handler, within the protocol's per-connection limit. */
    static void dispatch(Connection connection, StreamChannel stream, String protocol, ProtocolRegistry registry) {
        ProtocolRegistry.Registration registration = registry.find(protocol).orElse(null);
        if (registration != null && connection.isLimited() && !registration.allowOnLimitedConnections()) {
            // Like js: agreed by multistream-select, then reset: the protocol may not spend a relay's budget.
            LOG.debug("resetting inbound {} stream from {}: not allowed on a limited connection", protocol, connection.remotePeer());
            stream.reset();
            return;
        }
        if (registration == null || !connection.admitInboundStream(protocol, registration.maxInboundStreamsPerConnection(), stream)) {
            // Like js: agreed by multistream-select, then reset when over the limit.
            LOG.debug("resetting inbound {} stream from {}: limit reached or handler gone", protocol, connection.remotePeer());
            stream.reset();
            return;
        }
        registration.handler().handle(new Libp2pStream(stream, protocol, connection));
    }
}
