package org.lotusia.libp2p.host;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.Version;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multistream.MultistreamListener;
import org.lotusia.libp2p.multistream.ProtocolSelector;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.muxer.yamux.YamuxConfig;
import org.lotusia.libp2p.protocols.identify.IdentifyService;
import org.lotusia.libp2p.protocols.ping.PingService;
import org.lotusia.libp2p.transport.Listener;
import org.lotusia.libp2p.transport.TransportResources;
import org.lotusia.libp2p.transport.tcp.TcpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A libp2p node: its identity, listeners, connections, protocol handlers and peer store, in one
 * place. Dials are merged per peer, connections are limited and gated, and every connection runs
 * identify and answers ping. Thread-safe; {@link #close()} releases every thread, socket and buffer.
 *
 * <pre>{@code
 * try (Host host = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build()) {
 *     host.start().join();
 *     host.setStreamHandler("/echo/1.0.0", stream -> stream.channel().pipeline().addLast(new EchoHandler()));
 * }
 * }</pre>
 */
public final class Host implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Host.class);

    private final PrivateKey identity;
    private final PeerId peerId;
    private final List<Multiaddr> requestedListenAddresses;
    private final TransportResources resources;
    private final boolean ownsResources;
    private final TcpTransport transport;
    private final ConnectionLimits limits;
    private final ConnectionGater gater;
    private final String agentVersion;
    private final ProtocolRegistry registry = new ProtocolRegistry();
    private final PeerStore peerStore = new PeerStore();
    private final Map<PeerId, Set<Connection>> connections = new ConcurrentHashMap<>();
    private final Map<PeerId, CompletableFuture<Connection>> pendingDials = new ConcurrentHashMap<>();
    private final AtomicInteger pendingInbound = new AtomicInteger();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final List<HostListener> hostListeners = new CopyOnWriteArrayList<>();
    private final List<AddressDialer> addressDialers = new CopyOnWriteArrayList<>();
    private final List<java.util.function.Supplier<List<Multiaddr>>> addressProviders = new CopyOnWriteArrayList<>();
    private final ExecutorService events;
    private final ConnectionUpgrader upgrader;
    private final IdentifyService identify;
    private final PingService ping;
    private volatile boolean started;
    private volatile boolean closed;

    private Host(Builder builder) {
        this.identity = builder.identity != null ? builder.identity : Keys.generateEd25519();
        this.peerId = identity.publicKey().peerId();
        this.requestedListenAddresses = List.copyOf(builder.listen);
        this.ownsResources = builder.resources == null;
        this.resources = ownsResources ? TransportResources.create() : builder.resources;
        this.transport = new TcpTransport(resources, builder.reusePort);
        this.limits = builder.limits;
        this.gater = builder.gater;
        this.agentVersion = builder.agentVersion;
        String shortId = peerId.toString().substring(Math.max(0, peerId.toString().length() - 6));
        this.events = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lotus-host-events-" + shortId);
            t.setDaemon(true);
            return t;
        });
        this.upgrader = new ConnectionUpgrader(identity, builder.yamuxConfig, limits.handshakeTimeout(),
                this::inboundStreamInitializer, new ConnectionUpgrader.Admission() {
                    @Override
                    public String admit(PeerId peer, Direction direction, Multiaddr remoteAddress) {
                        return admitSecured(peer, direction, remoteAddress);
                    }

                    @Override
                    public void opened(Connection connection) {
                        connectionOpened(connection);
                    }
                });
        this.identify = new IdentifyService(this);
        this.ping = new PingService(this);
    }

    /** Starts configuring a host. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts listening on the configured addresses. Completes once every listener is bound. */
    public synchronized CompletableFuture<Void> start() {
        ensureOpen();
        if (started) {
            return CompletableFuture.completedFuture(null);
        }
        started = true;
        List<CompletableFuture<Listener>> binds = new ArrayList<>();
        for (Multiaddr address : requestedListenAddresses) {
            binds.add(transport.listen(address, acceptInitializer()).thenApply(listener -> {
                listeners.add(listener);
                return listener;
            }));
        }
        return CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new))
                .whenComplete((v, e) -> identify.localAddressesChanged());
    }

    /** This node's peer id. */
    public PeerId peerId() {
        return peerId;
    }

    /** This node's identity key. */
    public PrivateKey identity() {
        return identity;
    }

    /** The agent version announced in identify. */
    public String agentVersion() {
        return agentVersion;
    }

    /** The bound listen addresses (real ports), without {@code /p2p}. */
    public List<Multiaddr> listenAddresses() {
        return listeners.stream().filter(Listener::isOpen).map(Listener::localAddress).toList();
    }

    /** The bound listen addresses with {@code /p2p/<our id>} appended, ready to share. */
    public List<Multiaddr> shareableAddresses() {
        return listenAddresses().stream().map(a -> a.withPeerId(peerId)).toList();
    }

    /**
     * The addresses this host announces (identify, peer records): its listen addresses followed by
     * those of the {@linkplain #addAddressProvider address providers} (e.g. relay circuit addresses).
     */
    public List<Multiaddr> advertisedAddresses() {
        List<Multiaddr> all = new ArrayList<>(listenAddresses());
        for (java.util.function.Supplier<List<Multiaddr>> provider : addressProviders) {
            for (Multiaddr address : provider.get()) {
                if (!all.contains(address)) {
                    all.add(address);
                }
            }
        }
        return all;
    }

    /**
     * Adds a source of extra addresses to announce (called each time identify builds a message).
     * Call {@code identifyService().localAddressesChanged()} when what it returns changes.
     */
    public void addAddressProvider(java.util.function.Supplier<List<Multiaddr>> provider) {
        addressProviders.add(Objects.requireNonNull(provider, "provider"));
        identify.localAddressesChanged();
    }

    /** Removes an address provider added by {@link #addAddressProvider}. */
    public void removeAddressProvider(java.util.function.Supplier<List<Multiaddr>> provider) {
        if (addressProviders.remove(provider)) {
            identify.localAddressesChanged();
        }
    }

    /**
     * Dials addresses the TCP transport cannot, e.g. {@code /p2p-circuit} addresses through a relay;
     * registered with {@link #addDialer}, used by {@link #connect(Multiaddr)} and {@link #connect(PeerId)}.
     */
    public interface AddressDialer {
        /** Whether this dialer handles {@code address}. */
        boolean canDial(Multiaddr address);

        /** Dials {@code address}; {@code expectedPeer} (may be null) must be proven by the handshake. */
        CompletableFuture<Connection> dial(Multiaddr address, PeerId expectedPeer);
    }

    /** Adds a dialer for addresses the TCP transport does not handle. */
    public void addDialer(AddressDialer dialer) {
        addressDialers.add(Objects.requireNonNull(dialer, "dialer"));
    }

    /** Removes a dialer added by {@link #addDialer}. */
    public void removeDialer(AddressDialer dialer) {
        addressDialers.remove(dialer);
    }

    /**
     * Runs the connection upgrade (multistream-select, Noise, Yamux) over {@code stream}, an already
     * negotiated stream that carries a relayed circuit, and registers the result like any other
     * connection (limits, gater, listeners, identify). {@code initiator}: we dialled through the relay
     * (security initiator, Yamux client). {@code limited}: the relay caps the circuit, so only
     * protocols allowed on limited connections run on it. Call on the stream's event loop right after
     * the relay's answer was read, so that bytes following it reach the upgrade.
     */
    public CompletableFuture<Connection> upgradeRelayedStream(StreamChannel stream, boolean initiator, PeerId expectedPeer,
                                                              Multiaddr localAddress, Multiaddr remoteAddress,
                                                              boolean limited) {
        Objects.requireNonNull(stream, "stream");
        CompletableFuture<Connection> result = new CompletableFuture<>();
        if (closed) {
            stream.reset();
            result.completeExceptionally(new IllegalStateException("host is closed"));
            return result;
        }
        Runnable upgrade = () -> upgrader.upgradeActive(stream, initiator, expectedPeer, localAddress,
                remoteAddress, limited ? registry : null, limits.handshakeTimeout(), result);
        // In place when on the stream's loop: bytes that follow the relay's answer must meet the upgrader.
        if (stream.eventLoop().inEventLoop()) {
            upgrade.run();
        } else {
            stream.eventLoop().execute(upgrade);
        }
        return result;
    }

    /** What this host knows about other peers. */
    public PeerStore peerStore() {
        return peerStore;
    }

    /** The protocols this host serves. */
    public ProtocolRegistry protocols() {
        return registry;
    }

    /** The identify service (addresses and protocols peers told us; identify push). */
    public IdentifyService identifyService() {
        return identify;
    }

    /** The ping service. */
    public PingService pingService() {
        return ping;
    }

    /** The Netty event loops and channel classes this host runs on. */
    public TransportResources transportResources() {
        return resources;
    }

    /** Serves {@code protocol} with {@code handler} (default limit of concurrent inbound streams). */
    public void setStreamHandler(String protocol, StreamHandler handler) {
        registry.register(protocol, handler);
    }

    /** Serves {@code protocol} allowing at most {@code maxInboundStreams} concurrent inbound streams per connection. */
    public void setStreamHandler(String protocol, StreamHandler handler, int maxInboundStreams) {
        registry.register(protocol, handler, maxInboundStreams);
    }

    /**
     * Serves {@code protocol} with {@code handler} and explicit options, e.g. whether it may run on
     * limited (relayed) connections ({@link ProtocolOptions#allowOnLimitedConnections()}, default no).
     */
    public void handle(String protocol, StreamHandler handler, ProtocolOptions options) {
        registry.register(protocol, handler, options);
    }

    /** Stops serving {@code protocol}. */
    public void removeStreamHandler(String protocol) {
        registry.unregister(protocol);
    }

    /** Adds a listener for connection and identify events. */
    public void addListener(HostListener listener) {
        hostListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(HostListener listener) {
        hostListeners.remove(listener);
    }

    /**
     * Connects to the peer at {@code address}. When the address ends in {@code /p2p/<id>}, the
     * handshake must prove that identity, and an existing connection to that peer is reused;
     * concurrent dials to one peer share one attempt.
     */
    public CompletableFuture<Connection> connect(Multiaddr address) {
        Objects.requireNonNull(address, "address");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("host is closed"));
        }
        Optional<PeerId> expected = address.getPeerId();
        if (expected.isPresent()) {
            if (expected.get().equals(peerId)) {
                return CompletableFuture.failedFuture(new Libp2pException("cannot dial self (" + peerId + ")"));
            }
            Optional<Connection> existing = connection(expected.get());
            // A limited (relayed) connection is reused only for another relayed address: a direct
            // address is dialled even then, as js does, to get an unlimited connection.
            if (existing.isPresent() && (!existing.get().isLimited()
                    || address.hasProtocol(org.lotusia.libp2p.multiformats.MultiaddrProtocol.P2P_CIRCUIT.code()))) {
                return CompletableFuture.completedFuture(existing.get());
            }
            PeerId peer = expected.get();
            return mergedDial(peer, () -> dial(address, peer));
        }
        return dial(address, null);
    }

    /** Connects to {@code peer}, reusing a connection or dialling the addresses the peer store knows. */
    public CompletableFuture<Connection> connect(PeerId peer) {
        Optional<Connection> existing = connection(peer);
        if (existing.isPresent()) {
            return CompletableFuture.completedFuture(existing.get());
        }
        List<Multiaddr> addresses = peerStore.addresses(peer);
        if (addresses.isEmpty()) {
            return CompletableFuture.failedFuture(new Libp2pException("no known address for peer " + peer));
        }
        return mergedDial(peer, () -> dialInTurn(addresses, 0, peer, null));
    }

    /**
     * Shares one dial among concurrent callers for the same peer. The entry is removed when the
     * dial ends, and only if it is still this dial: a dial that fails at once (refused by a limit
     * or the gater) must not leave a stale future behind for later callers.
     */
    private CompletableFuture<Connection> mergedDial(PeerId peer, java.util.function.Supplier<CompletableFuture<Connection>> dialer) {
        CompletableFuture<Connection> dial = new CompletableFuture<>();
        CompletableFuture<Connection> running = pendingDials.putIfAbsent(peer, dial);
        if (running != null) {
            return running;
        }
        dialer.get().whenComplete((connection, error) -> {
            pendingDials.remove(peer, dial);
            if (error != null) {
                dial.completeExceptionally(error);
            } else {
                dial.complete(connection);
            }
        });
        return dial;
    }

    /**
     * Opens a stream to {@code peer} (connecting if needed) for the first of {@code protocols} it
     * supports; {@code initializer} installs the stream's handlers as soon as the protocol is agreed.
     */
    public CompletableFuture<Libp2pStream> newStream(PeerId peer, List<String> protocols, Consumer<Libp2pStream> initializer) {
        return connect(peer).thenCompose(connection -> connection.newStream(protocols, initializer));
    }

    /**
     * Dials a new direct connection to the peer at {@code address} (which must end in
     * {@code /p2p/<id>}), never reusing or merging with another connection. With
     * {@code asResponder} our side runs the upgrade as the server (multistream listener, Noise
     * responder, Yamux server) although it dialled: DCUtR's B side of a TCP simultaneous open.
     */
    public CompletableFuture<Connection> dialNewConnection(Multiaddr address, boolean asResponder) {
        Objects.requireNonNull(address, "address");
        PeerId expected = address.getPeerId().orElse(null);
        if (expected == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("address needs /p2p/<id>: " + address));
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("host is closed"));
        }
        if (!asResponder) {
            return dial(address, expected);
        }
        if (!gater.allowDial(expected, address)) {
            return CompletableFuture.failedFuture(new Libp2pException("dial to " + address + " refused by the connection gater"));
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        Duration timeout = limits.dialTimeout();
        transport.dial(address, upgrader.outboundAsResponder(expected, timeout, result), timeout)
                .whenComplete((channel, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    }
                });
        return result;
    }

    /** Whether outbound TCP connections leave from the listen port ({@link Builder#reusePort}). */
    public boolean reusesPort() {
        return transport.reusesPort();
    }

    /** An open connection to {@code peer}, if any: an unlimited one if there is one. */
    public Optional<Connection> connection(PeerId peer) {
        Set<Connection> set = connections.get(peer);
        if (set == null) {
            return Optional.empty();
        }
        Optional<Connection> any = Optional.empty();
        for (Connection c : set) {
            if (c.isOpen()) {
                if (!c.isLimited()) {
                    return Optional.of(c);
                }
                any = Optional.of(c);
            }
        }
        return any;
    }

    /** Every open connection. */
    public List<Connection> connections() {
        return connections.values().stream().flatMap(Collection::stream).filter(Connection::isOpen).toList();
    }

    /** Peers with at least one open connection. */
    public List<PeerId> connectedPeers() {
        return connections().stream().map(Connection::remotePeer).distinct().toList();
    }

    /** Whether a connection to {@code peer} is open. */
    public boolean isConnected(PeerId peer) {
        return connection(peer).isPresent();
    }

    /** Closes every connection to {@code peer}; completes when they are closed. */
    public CompletableFuture<Void> disconnect(PeerId peer) {
        Set<Connection> set = connections.getOrDefault(peer, Set.of());
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Connection connection : set) {
            connection.close();
            closing.add(connection.closeFuture());
        }
        return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }

    /** Runs {@code task} on the host's event thread (where listeners run), in order with events. */
    public void runOnEventThread(Runnable task) {
        if (!closed) {
            events.execute(task);
        }
    }

    /**
     * Closes listeners and connections and, when the host created them, its event loops. Blocks
     * until done (at most a few seconds); do not call it from an I/O thread.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        identify.close();
        ping.close();
        listeners.forEach(Listener::close);
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (Connection connection : connections()) {
            connection.close();
            closing.add(connection.closeFuture());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("connections did not all close in time: {}", e.toString());
        }
        if (ownsResources) {
            resources.close();
        }
        events.shutdown();
        try {
            if (!events.awaitTermination(3, TimeUnit.SECONDS)) {
                events.shutdownNow();
            }
        } catch (InterruptedException e) {
            events.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    private CompletableFuture<Connection> dialInTurn(List<Multiaddr> addresses, int index, PeerId peer, Throwable last) {
        if (index >= addresses.size()) {
            return CompletableFuture.failedFuture(new Libp2pException(
                    "could not connect to " + peer + " at any of " + addresses, last));
        }
        return dial(addresses.get(index).withPeerId(peer), peer)
                .handle((connection, error) -> error == null
                        ? CompletableFuture.completedFuture(connection)
                        : dialInTurn(addresses, index + 1, peer, error))
                .thenCompose(f -> f);
    }

    private CompletableFuture<Connection> dial(Multiaddr address, PeerId expected) {
        if (!gater.allowDial(expected, address)) {
            return CompletableFuture.failedFuture(new Libp2pException("dial to " + address + " refused by the connection gater"));
        }
        if (connections().size() >= limits.maxConnections()) {
            return CompletableFuture.failedFuture(new Libp2pException(
                    "connection limit reached (" + limits.maxConnections() + ")"));
        }
        for (AddressDialer dialer : addressDialers) {
            if (dialer.canDial(address)) {
                return dialer.dial(address, expected);
            }
        }
        CompletableFuture<Connection> result = new CompletableFuture<>();
        Duration timeout = limits.dialTimeout();
        transport.dial(address, upgrader.outbound(expected, timeout, result), timeout)
                .whenComplete((channel, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    }
                });
        return result;
    }

    private ChannelInitializer<Channel> acceptInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                Multiaddr remote = org.lotusia.libp2p.transport.tcp.TcpAddresses.toMultiaddr(ch.remoteAddress());
                if (closed || !gater.allowInbound(remote)) {
                    ch.close();
                    return;
                }
                if (pendingInbound.incrementAndGet() > limits.maxPendingInbound()) {
                    pendingInbound.decrementAndGet();
                    LOG.debug("refusing {}: {} inbound handshakes pending", remote, limits.maxPendingInbound());
                    ch.close();
                    return;
                }
                CompletableFuture<Connection> result = new CompletableFuture<>();
                result.whenComplete((c, e) -> {
                    pendingInbound.decrementAndGet();
                    if (e != null) {
                        LOG.debug("inbound connection from {} failed: {}", remote, e.toString());
                    }
                });
                ch.pipeline().addLast(upgrader.inbound(limits.handshakeTimeout(), result));
            }
        };
    }

    private String admitSecured(PeerId peer, Direction direction, Multiaddr remoteAddress) {
        if (closed) {
            return "host is closing";
        }
        if (!gater.allowSecured(peer, direction, remoteAddress)) {
            return "connection with " + peer + " refused by the connection gater";
        }
        if (connections().size() >= limits.maxConnections()) {
            return "connection limit reached (" + limits.maxConnections() + ")";
        }
        long toPeer = connections.getOrDefault(peer, Set.of()).stream().filter(Connection::isOpen).count();
        if (toPeer >= limits.maxConnectionsPerPeer()) {
            return "per-peer connection limit reached for " + peer + " (" + limits.maxConnectionsPerPeer() + ")";
        }
        return null;
    }

    private void connectionOpened(Connection connection) {
        PeerId remote = connection.remotePeer();
        connections.computeIfAbsent(remote, p -> ConcurrentHashMap.newKeySet()).add(connection);
        peerStore.setPublicKey(remote, connection.remotePublicKey());
        if (connection.direction() == Direction.OUTBOUND) {
            peerStore.addAddresses(remote, List.of(connection.remoteAddress()));
        }
        connection.closeFuture().whenComplete((v, e) -> {
            connections.computeIfPresent(remote, (p, set) -> {
                set.remove(connection);
                return set.isEmpty() ? null : set;
            });
            fire(l -> l.connectionClosed(connection));
        });
        fire(l -> l.connectionOpened(connection));
        identify.identify(connection);
    }

    private ChannelInitializer<Channel> inboundStreamInitializer(Connection connection) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("multistream", MultistreamListener.builder(
                                ProtocolSelector.of(registry::supports, registry::protocols))
                        .timeout(limits.handshakeTimeout())
                        .onSelected((stream, protocol) ->
                                ConnectionUpgrader.dispatch(connection, (StreamChannel) stream, protocol, registry))
                        .build());
            }
        };
    }

    /** Announces that identify stored what {@code peer} told us; called by the identify service. */
    public void fireIdentified(PeerId peer, PeerRecordView info) {
        fire(l -> l.peerIdentified(peer, info));
    }

    private void fire(Consumer<HostListener> event) {
        if (closed && events.isShutdown()) {
            return;
        }
        try {
            events.execute(() -> {
                for (HostListener listener : hostListeners) {
                    try {
                        event.accept(listener);
                    } catch (RuntimeException e) {
                        LOG.warn("host listener {} failed", listener, e);
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("event dropped: host closed");
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("host is closed");
        }
    }

    /** Configures a {@link Host}. */
    public static final class Builder {
        private PrivateKey identity;
        private final List<Multiaddr> listen = new ArrayList<>();
        private TransportResources resources;
        private ConnectionLimits limits = ConnectionLimits.defaults();
        private ConnectionGater gater = ConnectionGater.ALLOW_ALL;
        private YamuxConfig yamuxConfig = YamuxConfig.defaults();
        private String agentVersion = Version.agentVersion();
        private boolean reusePort;

        private Builder() {
        }

        /**
         * Dial from the listen port ({@code SO_REUSEPORT}), so NATs map outbound connections to it
         * and peers observe a dialable address; needed for TCP hole punching (default off).
         */
        public Builder reusePort(boolean reusePort) {
            this.reusePort = reusePort;
            return this;
        }

        /** The node's identity key (default: a new Ed25519 key). */
        public Builder identity(PrivateKey identity) {
            this.identity = Objects.requireNonNull(identity, "identity");
            return this;
        }

        /** Addresses to listen on, e.g. {@code /ip4/0.0.0.0/tcp/4001}; port 0 picks a free port. */
        public Builder listen(Multiaddr... addresses) {
            listen.addAll(List.of(addresses));
            return this;
        }

        /** Addresses to listen on. */
        public Builder listen(Collection<Multiaddr> addresses) {
            listen.addAll(addresses);
            return this;
        }

        /** Event loops shared with other hosts (the caller closes them); by default the host owns its own. */
        public Builder transportResources(TransportResources resources) {
            this.resources = Objects.requireNonNull(resources, "resources");
            return this;
        }

        /** Connection limits and timeouts. */
        public Builder limits(ConnectionLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** The connection gater (bans). */
        public Builder gater(ConnectionGater gater) {
            this.gater = Objects.requireNonNull(gater, "gater");
            return this;
        }

        /** Yamux settings. */
        public Builder yamux(YamuxConfig config) {
            this.yamuxConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The agent version announced in identify (default {@code lotus-p2p-java/<version>}). */
        public Builder agentVersion(String agentVersion) {
            this.agentVersion = Objects.requireNonNull(agentVersion, "agentVersion");
            return this;
        }

        /** Creates the host; call {@link Host#start()} to listen. */
        public Host build() {
            return new Host(this);
        }
    }
}
