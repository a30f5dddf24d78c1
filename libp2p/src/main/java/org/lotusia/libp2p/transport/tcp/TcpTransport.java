package org.lotusia.libp2p.transport.tcp;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.transport.DialTimeoutException;
import org.lotusia.libp2p.transport.Listener;
import org.lotusia.libp2p.transport.Transport;
import org.lotusia.libp2p.transport.TransportException;
import org.lotusia.libp2p.transport.TransportResources;
import org.lotusia.libp2p.transport.UnsupportedAddressException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * TCP on Netty for {@code /ip4/…/tcp/…} and {@code /ip6/…/tcp/…} multiaddrs (epoll or NIO, as chosen
 * by the shared {@link TransportResources}, which this transport uses but does not own).
 *
 * <p>Every connection, dialed or accepted, gets {@code TCP_NODELAY}, {@code SO_KEEPALIVE} and no
 * half-closure (a remote FIN closes the channel), matching js-libp2p's TCP settings. Dial timeouts
 * use {@code CONNECT_TIMEOUT_MILLIS}. DNS multiaddrs are rejected with
 * {@link UnsupportedAddressException}; names are never resolved.
 *
 * <p>{@link #close()} closes the listeners this transport opened; connections stay open. Thread-safe.
 */
public final class TcpTransport implements Transport, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);

    private final TransportResources resources;
    private final boolean reusePort;
    private final Set<TcpListener> listeners = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A transport running on {@code resources}' event loops. */
    public TcpTransport(TransportResources resources) {
        this(resources, false);
    }

    /**
     * A transport running on {@code resources}' event loops. With {@code reusePort}, listeners set
     * {@code SO_REUSEPORT} and dials leave from the port of a listener of the same address family
     * (falling back to an ephemeral port when that 4-tuple is taken), so a NAT maps our outbound
     * connections to our listen port — what peers observe is then dialable, and TCP hole punching
     * (DCUtR simultaneous open) can work.
     */
    public TcpTransport(TransportResources resources, boolean reusePort) {
        this.resources = Objects.requireNonNull(resources, "resources");
        this.reusePort = reusePort;
    }

    /** Whether dials leave from the listen port ({@code SO_REUSEPORT}). */
    public boolean reusesPort() {
        return reusePort;
    }

    /** The event loops this transport runs on. */
    public TransportResources resources() {
        return resources;
    }

    @Override
    public boolean canDial(Multiaddr address) {
        return address != null && TcpAddresses.isTcp(address);
    }

    @Override
    public boolean canListen(Multiaddr address) {
        return address != null && address.getPeerId().isEmpty() && TcpAddresses.isTcp(address);
    }

    @Override
    public CompletableFuture<Channel> dial(Multiaddr address, ChannelInitializer<Channel> initializer, Duration timeout) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(initializer, "initializer");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("dial timeout must be positive: " + timeout);
        }
        CompletableFuture<Channel> result = new CompletableFuture<>();
        InetSocketAddress remote;
        try {
            checkOpen();
            remote = TcpAddresses.toSocketAddress(address);
        } catch (TransportException e) {
            result.completeExceptionally(e);
            return result;
        }
        int timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        InetSocketAddress localPort = reusePort ? reusableLocalAddress(remote) : null;
        connect(address, remote, localPort, initializer, timeoutMillis, result);
        return result;
    }

    private void connect(Multiaddr address, InetSocketAddress remote, InetSocketAddress local,
                         ChannelInitializer<Channel> initializer, int timeoutMillis, CompletableFuture<Channel> result) {
        ChannelFuture connect;
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(resources.workerGroup())
                    .channel(resources.socketChannelClass())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.SO_KEEPALIVE, true)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, false)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                    .handler(initializer);
            if (local != null) {
                bootstrap.option(ChannelOption.SO_REUSEADDR, true);
                if (resources.isNative()) {
                    // epoll's client sockets have no SO_REUSEPORT option: set it as a raw socket option
                    bootstrap.option(RawReusePort.OPTION, 1);
                } else {
                    bootstrap.option(reusePortOption(), true);
                }
                connect = bootstrap.connect(remote, local);
            } else {
                connect = bootstrap.connect(remote);
            }
        } catch (RuntimeException e) {
            // e.g. the event loops are shutting down
            result.completeExceptionally(new TransportException("dial " + address + " failed: " + e, e));
            return;
        }
        connect.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                if (!result.complete(f.channel())) {
                    f.channel().close(); // the caller cancelled meanwhile
                }
            } else if (f.isCancelled()) {
                result.cancel(false);
            } else if (local != null && isLocalPortConflict(f.cause()) && !result.isDone()) {
                // That 4-tuple is in use (e.g. a dial-back to a peer that dialled us from its listen port).
                LOG.debug("dial {} from port {} not possible ({}); using an ephemeral port", address,
                        local.getPort(), f.cause().toString());
                connect(address, remote, null, initializer, timeoutMillis, result);
            } else {
                result.completeExceptionally(dialFailure(address, timeoutMillis, f.cause()));
            }
        });
        result.whenComplete((channel, error) -> {
            if (result.isCancelled()) {
                connect.cancel(false);
                connect.channel().close();
            }
        });
    }

    /** The address of an open listener of {@code remote}'s family to dial from, if any. */
    private InetSocketAddress reusableLocalAddress(InetSocketAddress remote) {
        boolean v6 = remote.getAddress() instanceof java.net.Inet6Address;
        for (TcpListener listener : listeners) {
            if (!listener.isOpen()) {
                continue;
            }
            InetSocketAddress bound = boundAddress(listener);
            if ((bound.getAddress() instanceof java.net.Inet6Address) == v6
                    && (bound.getAddress().isLoopbackAddress() == remote.getAddress().isLoopbackAddress()
                    || bound.getAddress().isAnyLocalAddress())) {
                return bound;
            }
        }
        return null;
    }

    private static InetSocketAddress boundAddress(TcpListener listener) {
        return TcpAddresses.toSocketAddress(listener.localAddress());
    }

    /**
     * The address a listener really serves: a dual-stack socket asked for {@code 0.0.0.0} reports
     * {@code ::}, but it is the IPv4 any-address that was requested (and that peers use).
     */
    private static java.net.SocketAddress boundAddress(InetSocketAddress requested, java.net.SocketAddress actual) {
        if (actual instanceof InetSocketAddress bound && requested.getAddress() instanceof java.net.Inet4Address
                && requested.getAddress().isAnyLocalAddress() && bound.getAddress() instanceof java.net.Inet6Address
                && bound.getAddress().isAnyLocalAddress()) {
            return new InetSocketAddress(requested.getAddress(), bound.getPort());
        }
        return actual;
    }

    private static boolean isLocalPortConflict(Throwable cause) {
        if (cause instanceof BindException) {
            return true;
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return message.contains("cannot assign requested address") || message.contains("address already in use");
    }

    /** {@code setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)} for epoll client sockets, built at run time. */
    private static final class RawReusePort {
        static final ChannelOption<Integer> OPTION = create();

        @SuppressWarnings("unchecked")
        private static ChannelOption<Integer> create() {
            try {
                return (ChannelOption<Integer>) Class.forName("io.netty.channel.unix.IntegerUnixChannelOption")
                        .getConstructor(String.class, int.class, int.class)
                        .newInstance("LOTUS_SO_REUSEPORT", 1 /* SOL_SOCKET */, 15 /* SO_REUSEPORT on Linux */);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("raw socket options are not available: " + e, e);
            }
        }
    }

    /** {@code SO_REUSEPORT} for the channel classes in use (epoll's own option, or the JDK's through NIO). */
    @SuppressWarnings("unchecked")
    private ChannelOption<Boolean> reusePortOption() {
        if (resources.isNative()) {
            try {
                // defined by the native unix transport, looked up at run time like the epoll classes
                return (ChannelOption<Boolean>) Class.forName("io.netty.channel.unix.UnixChannelOption")
                        .getField("SO_REUSEPORT").get(null);
            } catch (ReflectiveOperationException e) {
                throw new TransportException("SO_REUSEPORT is not available: " + e);
            }
        }
        return io.netty.channel.socket.nio.NioChannelOption.of(java.net.StandardSocketOptions.SO_REUSEPORT);
    }

    @Override
    public CompletableFuture<Listener> listen(Multiaddr address, ChannelInitializer<Channel> initializer) {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(initializer, "initializer");
        CompletableFuture<Listener> result = new CompletableFuture<>();
        InetSocketAddress local;
        try {
            checkOpen();
            if (address.getPeerId().isPresent()) {
                throw new UnsupportedAddressException("cannot listen on an address with a /p2p component: " + address);
            }
            local = TcpAddresses.toSocketAddress(address);
        } catch (TransportException e) {
            result.completeExceptionally(e);
            return result;
        }
        ChannelFuture bind;
        try {
            ServerBootstrap server = new ServerBootstrap()
                    .group(resources.bossGroup(), resources.workerGroup())
                    .channel(resources.serverSocketChannelClass())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, false)
                    .childHandler(initializer);
            if (reusePort) {
                server.option(reusePortOption(), true);
            }
            bind = server.bind(local);
        } catch (RuntimeException e) {
            result.completeExceptionally(new TransportException("listen on " + address + " failed: " + e, e));
            return result;
        }
        bind.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(listenFailure(address, f.cause()));
                return;
            }
            TcpListener listener = new TcpListener(f.channel(),
                    TcpAddresses.toMultiaddr(boundAddress(local, f.channel().localAddress())), resources);
            listeners.add(listener);
            f.channel().closeFuture().addListener(c -> listeners.remove(listener));
            if (closed) {
                listener.closeAsync();
                result.completeExceptionally(new TransportException("transport closed while binding " + address));
            } else if (!result.complete(listener)) {
                listener.closeAsync(); // the caller cancelled meanwhile
            } else {
                LOG.debug("listening on {}", listener.localAddress());
            }
        });
        return result;
    }

    /** The listeners opened by this transport that are still open. */
    public List<Listener> listeners() {
        return List.copyOf(listeners);
    }

    /** Closes every listener opened by this transport and refuses new dials and listens. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (TcpListener l : List.copyOf(listeners)) {
            l.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new TransportException("TCP transport is closed");
        }
        if (resources.isClosed()) {
            throw new TransportException("transport event loops are shut down");
        }
    }

    private static TransportException dialFailure(Multiaddr address, int timeoutMillis, Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return new DialTimeoutException("dial " + address + " timed out after " + timeoutMillis + " ms", cause);
        }
        String reason;
        if (cause instanceof ConnectException && String.valueOf(cause.getMessage()).toLowerCase().contains("refused")) {
            reason = "connection refused";
        } else if (cause instanceof NoRouteToHostException) {
            reason = "no route to host";
        } else {
            reason = String.valueOf(cause.getMessage() != null ? cause.getMessage() : cause);
        }
        return new TransportException("dial " + address + " failed: " + reason, cause);
    }

    private static TransportException listenFailure(Multiaddr address, Throwable cause) {
        String reason = cause instanceof BindException ? "address already in use or not available ("
                + cause.getMessage() + ")" : String.valueOf(cause);
        return new TransportException("listen on " + address + " failed: " + reason, cause);
    }

    /** A bound server channel. */
    private static final class TcpListener implements Listener {
        private final Channel channel;
        private final Multiaddr localAddress;
        private final TransportResources resources;

        TcpListener(Channel channel, Multiaddr localAddress, TransportResources resources) {
            this.channel = channel;
            this.localAddress = localAddress;
            this.resources = resources;
        }

        @Override
        public Multiaddr localAddress() {
            return localAddress;
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public CompletableFuture<Void> closeAsync() {
            CompletableFuture<Void> done = new CompletableFuture<>();
            channel.close().addListener(f -> {
                // With NIO the JDK closes a selector-registered socket only during the loop's next
                // select; a task scheduled for later than now runs after that select, when the port
                // is really free. (Epoll closes at once; the extra hop costs ~1 ms.)
                try {
                    channel.eventLoop().schedule(() -> done.complete(null), 1, TimeUnit.MILLISECONDS);
                } catch (RuntimeException rejected) {
                    done.complete(null); // the loop is shutting down, which closes the selector
                }
            });
            return done;
        }

        @Override
        public void close() {
            CompletableFuture<Void> done = closeAsync();
            if (channel.eventLoop().inEventLoop() || resources.ownsCurrentThread()) {
                return; // never block an event loop
            }
            try {
                done.get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("closing listener {} did not finish: {}", localAddress, e.toString());
            }
        }

        @Override
        public String toString() {
            return "TcpListener(" + localAddress + (channel.isOpen() ? "" : ", closed") + ")";
        }
    }
}
