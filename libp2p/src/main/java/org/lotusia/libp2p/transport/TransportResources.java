package org.lotusia.libp2p.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Netty event loops shared by every transport (and so by every connection and stream) of one
 * node: a small "boss" group accepting connections and a "worker" group running connections.
 * Uses native epoll when {@code io.netty.channel.epoll.Epoll.isAvailable()} (and not disabled), NIO
 * otherwise; the matching channel classes are exposed so transports bootstrap the right kind. The
 * epoll classes are looked up at run time (the epoll artifact is a runtime-only dependency), so the
 * library also runs where they are absent.
 *
 * <p>Threads are daemon threads named {@code <prefix>-boss-*} and {@code <prefix>-io-*}.
 * {@link #close()} shuts both groups down gracefully and waits until their threads are done.
 * Thread-safe.
 */
public final class TransportResources implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransportResources.class);

    private final EventLoopGroup bossGroup;
    private final EventLoopGroup workerGroup;
    private final boolean nativeTransport;
    private final Class<? extends SocketChannel> socketChannelClass;
    private final Class<? extends ServerSocketChannel> serverSocketChannelClass;
    private final Duration quietPeriod;
    private final Duration shutdownTimeout;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean closing;

    private TransportResources(Builder b) {
        NativeEpoll epoll = b.preferNative ? NativeEpoll.INSTANCE : null;
        this.nativeTransport = epoll != null && epoll.available;
        IoHandlerFactory factory;
        if (nativeTransport) {
            factory = epoll.newFactory();
            socketChannelClass = epoll.socketChannelClass;
            serverSocketChannelClass = epoll.serverSocketChannelClass;
        } else {
            factory = NioIoHandler.newFactory();
            socketChannelClass = NioSocketChannel.class;
            serverSocketChannelClass = NioServerSocketChannel.class;
        }
        this.bossGroup = new MultiThreadIoEventLoopGroup(b.bossThreads,
                new DefaultThreadFactory(b.threadNamePrefix + "-boss", true), factory);
        this.workerGroup = new MultiThreadIoEventLoopGroup(b.workerThreads,
                new DefaultThreadFactory(b.threadNamePrefix + "-io", true), factory);
        this.quietPeriod = b.quietPeriod;
        this.shutdownTimeout = b.shutdownTimeout;
        LOG.debug("transport event loops started ({}, {} boss / {} worker threads)",
                nativeTransport ? "epoll" : "nio", b.bossThreads, b.workerThreads == 0 ? "default" : b.workerThreads);
    }

    /** Creates resources with the defaults: epoll if available, 1 boss thread, Netty's default worker count. */
    public static TransportResources create() {
        return builder().build();
    }

    /** Starts configuring resources. */
    public static Builder builder() {
        return new Builder();
    }

    /** The group that accepts inbound connections. */
    public EventLoopGroup bossGroup() {
        return bossGroup;
    }

    /** The group that runs connections (and the streams muxed over them). */
    public EventLoopGroup workerGroup() {
        return workerGroup;
    }

    /** Whether the native epoll transport is in use (otherwise NIO). */
    public boolean isNative() {
        return nativeTransport;
    }

    /** The client socket channel class matching the event loops. */
    public Class<? extends SocketChannel> socketChannelClass() {
        return socketChannelClass;
    }

    /** The server socket channel class matching the event loops. */
    public Class<? extends ServerSocketChannel> serverSocketChannelClass() {
        return serverSocketChannelClass;
    }

    /** Whether {@link #close()} or {@link #closeAsync()} was called. */
    public boolean isClosed() {
        return closing;
    }

    /** Whether the calling thread is one of these event loops. */
    public boolean ownsCurrentThread() {
        for (EventExecutor e : bossGroup) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        for (EventExecutor e : workerGroup) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Starts a graceful shutdown of both groups; the future completes when all their threads have finished. */
    public synchronized CompletableFuture<Void> closeAsync() {
        if (!closing) {
            closing = true;
            long quiet = quietPeriod.toMillis();
            long timeout = shutdownTimeout.toMillis();
            Future<?> boss = bossGroup.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS);
            Future<?> workers = workerGroup.shutdownGracefully(quiet, timeout, TimeUnit.MILLISECONDS);
            boss.addListener(f -> workers.addListener(g -> terminated.complete(null)));
        }
        return terminated;
    }

    /**
     * Shuts the event loops down gracefully and waits for their threads to finish (at most the
     * shutdown timeout plus a margin). Called from one of its own event loops it only starts the
     * shutdown. Idempotent; never throws.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = closeAsync();
        if (ownsCurrentThread()) {
            return;
        }
        try {
            done.get(shutdownTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            bossGroup.awaitTermination(1, TimeUnit.SECONDS);
            workerGroup.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("transport event loops did not shut down in time: {}", e.toString());
        }
    }

    /** Whether native epoll can be used on this machine (the classes are present and the library loads). */
    public static boolean isEpollAvailable() {
        return NativeEpoll.INSTANCE.available;
    }

    /** The epoll transport, looked up reflectively once. */
    private static final class NativeEpoll {
        static final NativeEpoll INSTANCE = new NativeEpoll();

        final boolean available;
        final Class<? extends SocketChannel> socketChannelClass;
        final Class<? extends ServerSocketChannel> serverSocketChannelClass;
        private final Method newFactory;

        private NativeEpoll() {
            boolean ok = false;
            Class<? extends SocketChannel> client = null;
            Class<? extends ServerSocketChannel> server = null;
            Method factoryMethod = null;
            try {
                ClassLoader loader = TransportResources.class.getClassLoader();
                Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll", true, loader);
                if ((Boolean) epoll.getMethod("isAvailable").invoke(null)) {
                    factoryMethod = Class.forName("io.netty.channel.epoll.EpollIoHandler", true, loader)
                            .getMethod("newFactory");
                    client = Class.forName("io.netty.channel.epoll.EpollSocketChannel", true, loader)
                            .asSubclass(SocketChannel.class);
                    server = Class.forName("io.netty.channel.epoll.EpollServerSocketChannel", true, loader)
                            .asSubclass(ServerSocketChannel.class);
                    ok = true;
                } else {
                    LOG.debug("native epoll unavailable: {}", epoll.getMethod("unavailabilityCause").invoke(null));
                }
            } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
                LOG.debug("native epoll not usable: {}", e.toString());
            }
            this.available = ok;
            this.socketChannelClass = client;
            this.serverSocketChannelClass = server;
            this.newFactory = factoryMethod;
        }

        IoHandlerFactory newFactory() {
            try {
                return (IoHandlerFactory) newFactory.invoke(null);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create the epoll IoHandlerFactory", e);
            }
        }
    }

    /** Configures {@link TransportResources}. */
    public static final class Builder {
        private int bossThreads = 1;
        private int workerThreads;
        private boolean preferNative = true;
        private String threadNamePrefix = "lotus-tcp";
        private Duration quietPeriod = Duration.ofMillis(100);
        private Duration shutdownTimeout = Duration.ofSeconds(5);

        private Builder() {
        }

        /** Threads accepting connections. Default 1. */
        public Builder bossThreads(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("bossThreads must be positive");
            }
            this.bossThreads = n;
            return this;
        }

        /** Threads running connections; 0 (default) lets Netty choose (twice the number of cores). */
        public Builder workerThreads(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("workerThreads must not be negative");
            }
            this.workerThreads = n;
            return this;
        }

        /** Whether to use native epoll when available. Default true. */
        public Builder preferNative(boolean preferNative) {
            this.preferNative = preferNative;
            return this;
        }

        /** Prefix of the thread names. Default {@code lotus-tcp}. */
        public Builder threadNamePrefix(String prefix) {
            if (prefix == null || prefix.isBlank()) {
                throw new IllegalArgumentException("thread name prefix must not be blank");
            }
            this.threadNamePrefix = prefix;
            return this;
        }

        /** Graceful shutdown: how long the loops must be idle before stopping (default 100 ms) and the cap (default 5 s). */
        public Builder shutdown(Duration quietPeriod, Duration timeout) {
            Objects.requireNonNull(quietPeriod, "quietPeriod");
            Objects.requireNonNull(timeout, "timeout");
            if (quietPeriod.isNegative() || timeout.compareTo(quietPeriod) < 0) {
                throw new IllegalArgumentException("need 0 <= quietPeriod <= timeout");
            }
            this.quietPeriod = quietPeriod;
            this.shutdownTimeout = timeout;
            return this;
        }

        /** Starts the event loops. */
        public TransportResources build() {
            return new TransportResources(this);
        }
    }
}
