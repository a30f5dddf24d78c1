package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.IdentityFile;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.ConnectionLimits;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.coordinator.BanGater;
import org.lotusia.p2p.coordinator.BootstrapManager;
import org.lotusia.p2p.coordinator.ListenAddresses;
import org.lotusia.p2p.coordinator.NamedThreadFactory;
import org.lotusia.p2p.events.BootstrapConnectedEvent;
import org.lotusia.p2p.events.BootstrapDisconnectedEvent;
import org.lotusia.p2p.events.BootstrapFailedEvent;
import org.lotusia.p2p.events.BootstrapReconnectingEvent;
import org.lotusia.p2p.events.ErrorEvent;
import org.lotusia.p2p.events.EventBus;
import org.lotusia.p2p.events.EventSource;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.MessageEvent;
import org.lotusia.p2p.events.P2PEvent;
import org.lotusia.p2p.events.PeerConnectedEvent;
import org.lotusia.p2p.events.PeerDisconnectedEvent;
import org.lotusia.p2p.events.PeerDiscoveredEvent;
import org.lotusia.p2p.events.PeerUpdatedEvent;
import org.lotusia.p2p.events.StateChangedEvent;
import org.lotusia.p2p.events.Subscription;
import org.lotusia.libp2p.kad.KadConfig;
import org.lotusia.libp2p.kad.KadDht;
import org.lotusia.p2p.dht.AnnounceOptions;
import org.lotusia.p2p.dht.DhtResourceConfig;
import org.lotusia.p2p.dht.DhtStats;
import org.lotusia.p2p.dht.ResourceFilter;
import org.lotusia.p2p.dht.ResourceRecord;
import org.lotusia.p2p.dht.ResourceService;
import org.lotusia.p2p.patterns.RequestResponse;
import org.lotusia.p2p.pubsub.TopicHandler;
import org.lotusia.p2p.pubsub.TopicMeshHealth;
import org.lotusia.p2p.pubsub.TopicService;
import org.lotusia.p2p.pubsub.TopicSubscription;
import org.lotusia.libp2p.pubsub.GossipSubRouter;
import org.lotusia.p2p.message.DedupCache;
import org.lotusia.p2p.nat.NatService;
import org.lotusia.libp2p.nat.Reachability;
import org.lotusia.p2p.events.ReachabilityChangedEvent;
import org.lotusia.p2p.events.RelayAddressesChangedEvent;
import org.lotusia.p2p.message.DirectMessageService;
import org.lotusia.p2p.message.DirectMessageSink;
import org.lotusia.p2p.message.DirectMessaging;
import org.lotusia.p2p.message.MessageFormatException;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;
import org.lotusia.p2p.message.ReceiveFailure;
import org.lotusia.p2p.message.ValidationResult;
import org.lotusia.p2p.security.CoreSecurityManager;
import org.lotusia.p2p.security.PeerBanListener;
import org.lotusia.p2p.coordinator.PerPeerSendLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The Lotus P2P coordination layer (reference {@code P2PCoordinator}): runs a libp2p {@link Host},
 * keeps bootstrap peers connected, routes direct messages on {@value DirectMessaging#PROTOCOL_ID} to
 * {@link ProtocolHandler}s, enforces bans from its {@link CoreSecurityManager}, and emits typed
 * {@linkplain EventType events}.
 *
 * <pre>{@code
 * try (P2PCoordinator node = new P2PCoordinator(P2PConfig.builder().listen("/ip4/0.0.0.0/tcp/0").build())) {
 *     node.on(EventType.CONNECTED, e -> System.out.println("connected: " + e.peerId()));
 *     node.start().join();
 *     System.out.println(node.peerId() + " at " + node.getStats().multiaddrs());
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> {@link #start()} and {@link #stop()} may be repeated: stopping closes the host,
 * cancels every timer and forgets peers; starting again creates a new host with the same identity
 * (bans, registered protocol handlers and event listeners survive). {@link #shutdown()} and
 * {@link #close()} stop for good and release the coordinator's two threads. Lifecycle operations
 * run one after another in call order.
 *
 * <p><b>Threads.</b> Listeners, protocol-handler callbacks and the continuations of every future this
 * class returns run on the coordinator's single event thread, in order; never on a network I/O
 * thread (except {@link ProtocolHandler#handleStream}). Do not block that thread waiting for a
 * coordinator future (e.g. {@code stop().join()} inside a listener): compose the futures instead.
 *
 * <p><b>Misuse.</b> Methods that need a running node ({@link #peerId()}, {@link #connectToPeer},
 * {@link #sendTo}, …) throw {@link IllegalStateException} "coordinator not started" when it is not
 * running. Thread-safe.
 */
public final class P2PCoordinator implements EventSource, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(P2PCoordinator.class);

    /** Warning reason for a message whose {@code from} is not the authenticated sender. */
    public static final String REASON_SENDER_MISMATCH = "sender-mismatch";
    /** Most peers remembered for {@link #getPeer} and {@link P2PStats.Peers#total()}. */
    public static final int MAX_KNOWN_PEERS = 10_000;

    /** Bursts to one peer stay under its limit of concurrent inbound message streams. */
    private final PerPeerSendLimiter sendLimiter = new PerPeerSendLimiter();

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

    private final P2PConfig config;
    private final PrivateKey identity;
    private final PeerId localPeerId;
    private final ThreadPoolExecutor eventExecutor;
    private final ScheduledThreadPoolExecutor control;
    private final EventBus events;
    private final CoreSecurityManager security;
    private final P2PProtocol protocol = new P2PProtocol();
    private final DedupCache dedup = new DedupCache();
    private final Clock clock = Clock.systemUTC();
    private final Map<String, ProtocolHandler> handlers = new LinkedHashMap<>();
    private final Map<PeerId, PeerInfo> knownPeers = new ConcurrentHashMap<>();
    private final Object lifecycleLock = new Object();

    private volatile Session session;
    /** Pub/sub of the current run; null when stopped or GossipSub is disabled. */
    private volatile TopicService pubsub;
    /** DHT resource management of the current run; null when stopped or the DHT is disabled. */
    private volatile ResourceService resources;
    /** NAT traversal of the current run (relay client/server, AutoNAT, DCUtR); null when stopped or all off. */
    private volatile NatService nat;
    /** The last reachability reported by AutoNAT in this run (for the event's {@code previous}). */
    private volatile Reachability lastReachability = Reachability.UNKNOWN;
    /** The resource-listing protocol (registered on the first start with the DHT; survives restarts). */
    private RequestResponse resourceList;
    private volatile Thread eventThread;
    private volatile ConnectionState state = ConnectionState.DISCONNECTED;
    private volatile String stateError;
    private CompletableFuture<Void> lifecycleTail = CompletableFuture.completedFuture(null);
    private CompletableFuture<Void> shutdownFuture;
    private boolean closed;

    /** One run of the node, from start to stop. */
    private record Session(Host host, BootstrapManager bootstrap, DirectMessageService messages,
                           ScheduledFuture<?> cleanup, Map<PeerId, Integer> openConnections) {
    }

    /**
     * Creates a coordinator; nothing runs and no thread starts until {@link #start()}. The identity
     * is resolved now (the configured key, the identity file loaded or created, or a new Ed25519
     * key) and kept across restarts.
     *
     * @throws org.lotusia.libp2p.crypto.IdentityFileException if the identity file cannot be read or created
     */
    public P2PCoordinator(P2PConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.identity = config.privateKey()
                .or(() -> config.identityFile().map(path -> IdentityFile.loadOrCreate(path, KeyType.ED25519)))
                .orElseGet(Keys::generateEd25519);
        this.localPeerId = identity.publicKey().peerId();
        String id = localPeerId.toString();
        String shortId = id.substring(Math.max(0, id.length() - 6));
        NamedThreadFactory eventThreads = new NamedThreadFactory("lotus-p2p-events-" + shortId);
        this.eventExecutor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = eventThreads.newThread(r);
            eventThread = t;
            return t;
        });
        this.control = new ScheduledThreadPoolExecutor(1, new NamedThreadFactory("lotus-p2p-control-" + shortId));
        this.control.setRemoveOnCancelPolicy(true);
        this.control.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.events = new EventBus(eventExecutor);
        this.security = new CoreSecurityManager(config.securityConfig(), clock, Runnable::run);
        this.security.addListener(new BanEnforcer());
    }

    /** The configuration. */
    public P2PConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Starts the node: creates the host, listens, serves {@value DirectMessaging#PROTOCOL_ID} and the
     * stream protocols of registered handlers, then dials the bootstrap peers in the background
     * (watch {@link EventType#BOOTSTRAP_CONNECTED}). State {@code DISCONNECTED → CONNECTING →
     * CONNECTED}, or {@code → ERROR} when it fails. Does nothing if already started.
     *
     * @return completes when listening; fails with a {@link P2PException} (e.g. the port is in use)
     * @throws IllegalStateException if the coordinator was shut down
     */
    public CompletableFuture<Void> start() {
        return lifecycle(this::doStart);
    }

    /**
     * Stops the node: cancels bootstrap re-dials and timers, closes every connection and the host,
     * forgets peers; state {@code → DISCONNECTED}. Handlers, listeners and bans are kept and
     * {@link #start()} may be called again. Does nothing if not started.
     *
     * @return completes when everything is closed
     */
    public CompletableFuture<Void> stop() {
        synchronized (lifecycleLock) {
            if (closed) {
                return shutdownFuture.copy();
            }
        }
        return lifecycle(this::doStop);
    }

    /**
     * Stops the node for good and releases the coordinator's threads (after the events already
     * queued are delivered). Idempotent; {@link #start()} afterwards throws.
     *
     * @return completes when stopped
     */
    public CompletableFuture<Void> shutdown() {
        synchronized (lifecycleLock) {
            if (shutdownFuture == null) {
                CompletableFuture<Void> stopped = enqueue(this::doStop);
                closed = true;
                shutdownFuture = stopped.handle((v, e) -> {
                    control.shutdown();
                    eventExecutor.shutdown();
                    if (e != null) {
                        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                    }
                    return null;
                });
            }
            return shutdownFuture.copy();
        }
    }

    /**
     * {@link #shutdown()} and wait (bounded) until the coordinator's threads have ended. Called on the
     * coordinator's event thread it only starts the shutdown.
     */
    @Override
    public void close() {
        CompletableFuture<Void> done = shutdown();
        if (isEventThread()) {
            return;
        }
        try {
            done.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            control.awaitTermination(5, TimeUnit.SECONDS);
            eventExecutor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("coordinator did not shut down cleanly: {}", e.toString());
        }
    }

    /** Whether the node is running (started and not stopped). */
    public boolean isStarted() {
        return session != null;
    }

    /** The connection state. */
    public ConnectionState connectionState() {
        return state;
    }

    /** Why the state is {@link ConnectionState#ERROR}, if it is. */
    public Optional<String> connectionStateError() {
        return Optional.ofNullable(stateError);
    }

    private CompletableFuture<Void> lifecycle(Runnable operation) {
        CompletableFuture<Void> op;
        synchronized (lifecycleLock) {
            if (closed) {
                throw new IllegalStateException("coordinator is shut down");
            }
            op = enqueue(operation);
        }
        return onEventThread(op);
    }

    private CompletableFuture<Void> enqueue(Runnable operation) {
        CompletableFuture<Void> next = lifecycleTail.handle((v, e) -> null).thenRunAsync(operation, control);
        lifecycleTail = next;
        return next;
    }

    private void doStart() {
        if (session != null) {
            return;
        }
        setState(ConnectionState.CONNECTING, null);
        Host host = null;
        BootstrapManager bootstrap = null;
        DirectMessageService messages = null;
        ScheduledFuture<?> cleanup = null;
        try {
            ConnectionLimits limits = ConnectionLimits.defaults().withMaxConnections(config.maxConnections());
            host = Host.builder()
                    .identity(identity)
                    .listen(config.listen())
                    .limits(limits)
                    .gater(new BanGater(security::isPeerBanned))
                    // DCUtR punches holes by dialling from the listen port.
                    .reusePort(config.enableDCUTR())
                    .build();
            Map<PeerId, Integer> open = new ConcurrentHashMap<>();
            Host h = host;
            bootstrap = new BootstrapManager(config.bootstrapPeers(), config.bootstrapBackoff(),
                    (task, delay) -> control.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS),
                    () -> ThreadLocalRandom.current().nextDouble(),
                    // Dial results are handled on the control thread, never on an I/O thread.
                    address -> h.connect(address).thenApplyAsync(c -> c, control), new BootstrapEvents());
            messages = DirectMessageService.builder(host, new MessageSink())
                    .maxMessageBytes(security.maxMessageSize())
                    .executor(eventExecutor)
                    .build();
            messages.start();
            startPubsub(host);
            startDht(host);
            startNat(host);
            host.addListener(new HostEvents(bootstrap, open, host));
            host.start().get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            cleanup = scheduleCleanup();
            Session started = new Session(host, bootstrap, messages, cleanup, open);
            synchronized (handlers) {
                // Under the same lock as registerProtocol, so no handler registered meanwhile is missed.
                for (ProtocolHandler handler : handlers.values()) {
                    serveStreams(host, handler);
                }
                session = started;
            }
            setState(ConnectionState.CONNECTED, null);
            LOG.info("P2P coordinator {} listening on {}", localPeerId, host.listenAddresses());
            NatService n = nat;
            if (n != null) {
                n.start();
            }
            bootstrap.start();
        } catch (Exception e) {
            Throwable cause = unwrap(e);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (cleanup != null) {
                cleanup.cancel(false);
            }
            if (bootstrap != null) {
                bootstrap.close();
            }
            if (messages != null) {
                messages.close();
            }
            stopPubsub();
            stopDht();
            stopNat();
            if (host != null) {
                host.close();
            }
            String message = "failed to start: " + (cause.getMessage() != null ? cause.getMessage() : cause);
            setState(ConnectionState.ERROR, message);
            throw new P2PException(message, cause);
        }
    }

    private ScheduledFuture<?> scheduleCleanup() {
        long interval = Math.max(1_000, security.cleanupInterval().toMillis());
        return control.scheduleWithFixedDelay(() -> {
            try {
                security.cleanup();
            } catch (RuntimeException e) {
                LOG.warn("security cleanup failed", e);
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }

    private void doStop() {
        Session s;
        synchronized (handlers) {
            s = session;
            session = null;
        }
        if (s == null) {
            if (state != ConnectionState.DISCONNECTED) {
                setState(ConnectionState.DISCONNECTED, null);
            }
            return;
        }
        s.bootstrap().close();
        s.cleanup().cancel(false);
        s.messages().close();
        stopPubsub();
        stopDht();
        stopNat();
        s.host().close();
        knownPeers.clear();
        setState(ConnectionState.DISCONNECTED, null);
        LOG.info("P2P coordinator {} stopped", localPeerId);
    }

    private void setState(ConnectionState next, String error) {
        ConnectionState previous;
        synchronized (this) {
            previous = state;
            if (previous == next) {
                return;
            }
            state = next;
            stateError = error;
        }
        events.emit(new StateChangedEvent(previous, next, Instant.now(), Optional.ofNullable(error)));
    }

    // ------------------------------------------------------------------ identity, peers, stats

    /**
     * Our peer id.
     *
     * @throws IllegalStateException "coordinator not started" when not running
     */
    public PeerId peerId() {
        requireSession();
        return localPeerId;
    }

    /**
     * The running libp2p host, for advanced use (raw streams, ping). Do not close it.
     *
     * @throws IllegalStateException "coordinator not started" when not running
     */
    public Host host() {
        return requireSession().host();
    }

    /** The security manager (bans, rate limits, validators, metrics); it lives as long as the coordinator. */
    public CoreSecurityManager getSecurityManager() {
        return security;
    }

    /**
     * Dials a peer. The address should end in {@code /p2p/<id>} (then the handshake must prove that
     * identity, and an existing connection is reused).
     *
     * @return the peer's information once connected; fails if the dial fails or the peer is banned
     * @throws IllegalArgumentException if the address is malformed
     * @throws IllegalStateException    if not started
     */
    public CompletableFuture<PeerInfo> connectToPeer(String address) {
        return connectToPeer(P2PConfig.Builder.parse("peer", address));
    }

    /**
     * Dials a peer.
     *
     * @see #connectToPeer(String)
     */
    public CompletableFuture<PeerInfo> connectToPeer(Multiaddr address) {
        Objects.requireNonNull(address, "address");
        Session s = requireSession();
        return onEventThread(s.host().connect(address).thenApply(this::peerInfo));
    }

    /**
     * Closes every connection to a peer.
     *
     * @return completes when they are closed
     * @throws IllegalStateException if not started
     */
    public CompletableFuture<Void> disconnectFromPeer(PeerId peer) {
        Objects.requireNonNull(peer, "peer");
        return onEventThread(requireSession().host().disconnect(peer));
    }

    /**
     * Closes every connection to a peer.
     *
     * @throws IllegalArgumentException if the peer id is malformed
     * @throws IllegalStateException    if not started
     */
    public CompletableFuture<Void> disconnectFromPeer(String peerId) {
        return disconnectFromPeer(parsePeerId(peerId));
    }

    /** Whether a connection to {@code peer} is open ({@code false} when not started). */
    public boolean isConnected(PeerId peer) {
        Session s = session;
        return s != null && s.host().isConnected(peer);
    }

    /**
     * Whether a connection to the peer is open.
     *
     * @throws IllegalArgumentException if the peer id is malformed
     */
    public boolean isConnected(String peerId) {
        return isConnected(parsePeerId(peerId));
    }

    /** The connected peers (empty when not started). */
    public List<PeerInfo> getConnectedPeers() {
        Session s = session;
        if (s == null) {
            return List.of();
        }
        List<PeerInfo> peers = new ArrayList<>();
        for (PeerId peer : s.host().connectedPeers()) {
            peers.add(knownPeers.getOrDefault(peer, fromConnections(s.host(), peer)));
        }
        return peers;
    }

    /** What is known about a peer seen since start (connected, disconnected or discovered). */
    public Optional<PeerInfo> getPeer(PeerId peer) {
        return Optional.ofNullable(knownPeers.get(peer));
    }

    /**
     * What is known about a peer.
     *
     * @throws IllegalArgumentException if the peer id is malformed
     */
    public Optional<PeerInfo> getPeer(String peerId) {
        return getPeer(parsePeerId(peerId));
    }

    /** A snapshot of the node; works when not started (no peer id, zero counts). */
    public P2PStats getStats() {
        Session s = session;
        if (s == null) {
            return new P2PStats(Optional.empty(), state, new P2PStats.Peers(0, 0), P2PStats.Dht.disabled(),
                    List.of(), List.of(), Reachability.UNKNOWN);
        }
        List<Multiaddr> addresses = config.announce().isEmpty()
                ? ListenAddresses.expandWildcards(s.host().listenAddresses()).stream()
                        .map(a -> a.withPeerId(localPeerId)).toList()
                : config.announce().stream().map(a -> a.getPeerId().isPresent() ? a : a.withPeerId(localPeerId)).toList();
        return new P2PStats(Optional.of(localPeerId), state,
                new P2PStats.Peers(knownPeers.size(), s.host().connectedPeers().size()),
                dhtSummary(), addresses, getRelayAddresses(), getReachability());
    }

    /**
     * The state of each configured bootstrap peer (connected, failed re-dials, given up), in
     * configuration order; empty when not started.
     */
    public Map<PeerId, BootstrapManager.Status> getBootstrapStatus() {
        Session s = session;
        return s == null ? Map.of() : s.bootstrap().status();
    }

    // ------------------------------------------------------------------ protocols

    /**
     * Registers a protocol handler. If it overrides {@link ProtocolHandler#handleStream}, its
     * {@link ProtocolHandler#protocolId()} is served now (when running) and on every later start.
     *
     * @throws IllegalArgumentException "Protocol already registered: &lt;name&gt;" for a duplicate name, or
     *                                  if another handler already serves the same stream protocol id
     */
    public void registerProtocol(ProtocolHandler handler) {
        Objects.requireNonNull(handler, "handler");
        String name = handler.protocolName();
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("protocolName must not be empty");
        }
        boolean streams = handlesStreams(handler);
        if (streams) {
            String id = handler.protocolId();
            if (id == null || !id.startsWith("/")) {
                throw new IllegalArgumentException("protocolId of " + name + " must start with '/': " + id);
            }
            if (id.equals(DirectMessaging.PROTOCOL_ID)) {
                throw new IllegalArgumentException("protocolId " + id + " is reserved for direct messages");
            }
        }
        synchronized (handlers) {
            if (handlers.containsKey(name)) {
                throw new IllegalArgumentException("Protocol already registered: " + name);
            }
            if (streams) {
                for (ProtocolHandler other : handlers.values()) {
                    if (handlesStreams(other) && other.protocolId().equals(handler.protocolId())) {
                        throw new IllegalArgumentException("Protocol id " + handler.protocolId()
                                + " is already served by " + other.protocolName());
                    }
                }
            }
            handlers.put(name, handler);
            Session s = session;
            if (s != null) {
                serveStreams(s.host(), handler);
            }
        }
    }

    /**
     * Removes a protocol handler (and stops serving its stream protocol).
     *
     * @return whether a handler was registered under {@code protocolName}
     */
    public boolean unregisterProtocol(String protocolName) {
        synchronized (handlers) {
            ProtocolHandler removed = handlers.remove(protocolName);
            if (removed == null) {
                return false;
            }
            Session s = session;
            if (s != null && handlesStreams(removed)) {
                s.host().removeStreamHandler(removed.protocolId());
            }
            return true;
        }
    }

    /** The registered handlers, in registration order. */
    public List<ProtocolHandler> getProtocols() {
        synchronized (handlers) {
            return List.copyOf(handlers.values());
        }
    }

    private void serveStreams(Host host, ProtocolHandler handler) {
        if (!handlesStreams(handler)) {
            return;
        }
        host.setStreamHandler(handler.protocolId(), stream -> {
            try {
                handler.handleStream(stream);
            } catch (RuntimeException e) {
                stream.channel().close();
                LOG.warn("handleStream of {} threw", handler.protocolName(), e);
                events.emit(new ErrorEvent(e, "handleStream of " + handler.protocolName(), Instant.now()));
            }
        });
    }

    private static boolean handlesStreams(ProtocolHandler handler) {
        try {
            Method m = handler.getClass().getMethod("handleStream", Libp2pStream.class);
            return m.getDeclaringClass() != ProtocolHandler.class;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private void forEachHandler(String what, Consumer<ProtocolHandler> call) {
        for (ProtocolHandler handler : getProtocols()) {
            events.execute(what + " of " + handler.protocolName(), () -> call.accept(handler));
        }
    }

    // ------------------------------------------------------------------ messages

    /**
     * Sends a direct message to a peer on {@value DirectMessaging#PROTOCOL_ID} (connecting if the
     * peer store knows an address). As in the reference there is no acknowledgement. At most
     * {@value PerPeerSendLimiter#DEFAULT_MAX_IN_FLIGHT} sends to one peer are open at a time; the rest
     * wait their turn, so a burst never exceeds the receiver's concurrent-stream limit.
     *
     * @return completes when the message was written; fails if the peer cannot be reached
     * @throws IllegalStateException    if not started
     * @throws IllegalArgumentException if the message is larger than the receivers' limit
     *                                  ({@link CoreSecurityManager#maxMessageSize()})
     */
    public CompletableFuture<Void> sendTo(PeerId peer, P2PMessage message) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(message, "message");
        Session s = requireSession();
        byte[] body = encode(message);
        return onEventThread(sendLimiter.submit(peer, () -> s.messages().send(peer, body)));
    }

    /**
     * Sends a direct message to a peer.
     *
     * @throws IllegalArgumentException if the peer id is malformed
     * @see #sendTo(PeerId, P2PMessage)
     */
    public CompletableFuture<Void> sendTo(String peerId, P2PMessage message) {
        return sendTo(parsePeerId(peerId), message);
    }

    /** {@link #broadcast(P2PMessage, BroadcastOptions)} to every connected peer. */
    public CompletableFuture<BroadcastResult> broadcast(P2PMessage message) {
        return broadcast(message, BroadcastOptions.all());
    }

    /**
     * Sends a direct message to every connected peer that {@code options} selects, then delivers it
     * to our own handler for {@link P2PMessage#protocol()} (if any) with ourselves as sender, like
     * the reference (no {@link EventType#MESSAGE} event for that self-delivery). Per-peer failures are
     * collected in the result, not thrown.
     *
     * @throws IllegalStateException if not started
     */
    public CompletableFuture<BroadcastResult> broadcast(P2PMessage message, BroadcastOptions options) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(options, "options");
        Session s = requireSession();
        byte[] body = encode(message);
        List<PeerId> targets = s.host().connectedPeers().stream().filter(options::includes).toList();
        Map<PeerId, CompletableFuture<Void>> sends = new LinkedHashMap<>();
        for (PeerId peer : targets) {
            sends.put(peer, sendLimiter.submit(peer, () -> s.messages().send(peer, body)));
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(sends.values().stream()
                .map(f -> f.handle((v, e) -> null)).toArray(CompletableFuture[]::new));
        CompletableFuture<BroadcastResult> result = all.thenApply(v -> {
            List<PeerId> sent = new ArrayList<>();
            Map<PeerId, Throwable> failed = new LinkedHashMap<>();
            sends.forEach((peer, f) -> {
                if (f.isCompletedExceptionally()) {
                    failed.put(peer, unwrap(f.handle((x, e) -> e).join()));
                } else {
                    sent.add(peer);
                }
            });
            failed.forEach((peer, e) -> LOG.debug("broadcast to {} failed: {}", peer, e.toString()));
            deliverToSelf(message);
            return new BroadcastResult(sent, failed);
        });
        return onEventThread(result);
    }

    private void deliverToSelf(P2PMessage message) {
        String name = message.protocol();
        if (name == null) {
            return;
        }
        ProtocolHandler handler;
        synchronized (handlers) {
            handler = handlers.get(name);
        }
        if (handler != null) {
            PeerInfo self = PeerInfo.of(localPeerId, Instant.now());
            events.execute("handleMessage of " + name, () -> handler.handleMessage(message, self));
        }
    }

    private byte[] encode(P2PMessage message) {
        byte[] body = protocol.serialize(message);
        if (security.isOversized(body.length)) {
            throw new IllegalArgumentException("message of " + body.length + " bytes exceeds the limit of "
                    + security.maxMessageSize() + " bytes");
        }
        return body;
    }

    /**
     * The receive pipeline for one inbound message, on the event thread: ban and rate check → size
     * limit → parse → validate → sender check → protocol validator → dedup → MESSAGE event →
     * handler for {@code message.protocol}. Rejections are counted by the security manager;
     * oversized, malformed and spoofed messages also warn the sender.
     */
    private final class MessageSink implements DirectMessageSink {
        @Override
        public void onMessage(byte[] body, PeerId remote, Connection connection) {
            if (!security.allowMessage(remote)) {
                LOG.debug("message from {} refused: banned or rate-limited", remote);
                return;
            }
            if (security.isOversized(body.length)) {
                reject(remote, true, CoreSecurityManager.REASON_OVERSIZED_MESSAGE, "oversized message");
                return;
            }
            P2PMessage message;
            try {
                message = protocol.deserialize(body);
            } catch (MessageFormatException e) {
                reject(remote, false, CoreSecurityManager.REASON_INVALID_MESSAGE_FORMAT, e.getMessage());
                return;
            }
            ValidationResult validation = protocol.validate(message, clock);
            if (!validation.isValid()) {
                reject(remote, false, CoreSecurityManager.REASON_INVALID_MESSAGE_FORMAT, validation.detail());
                return;
            }
            if (!remote.toString().equals(message.from()) && !sameId(remote, message.from())) {
                reject(remote, false, REASON_SENDER_MISMATCH, "from " + message.from() + " is not the sender");
                return;
            }
            String name = message.protocol();
            if (name != null && !security.validateMessage(name, message, remote)) {
                security.recordMessage(remote, false, false);
                LOG.debug("message from {} rejected by the {} validator", remote, name);
                return;
            }
            security.recordMessage(remote, true, false);
            if (dedup.check(message) != DedupCache.Verdict.NEW) {
                LOG.debug("duplicate message {} from {}", message.messageId(), remote);
                return;
            }
            PeerInfo from = knownPeers.getOrDefault(remote, PeerInfo.of(remote, Instant.now()))
                    .withLastSeen(Instant.now());
            events.emit(new MessageEvent(message, from, Instant.now()));
            if (name != null) {
                ProtocolHandler handler;
                synchronized (handlers) {
                    handler = handlers.get(name);
                }
                if (handler != null) {
                    events.execute("handleMessage of " + name, () -> handler.handleMessage(message, from));
                }
            }
        }

        @Override
        public void onFailure(ReceiveFailure failure, PeerId remote, Connection connection, String detail) {
            if (failure == ReceiveFailure.OVERSIZED) {
                reject(remote, true, CoreSecurityManager.REASON_OVERSIZED_MESSAGE, detail);
            } else {
                LOG.debug("direct message stream from {} failed: {} ({})", remote, failure, detail);
            }
        }

        private void reject(PeerId remote, boolean oversized, String reason, String detail) {
            LOG.debug("message from {} rejected ({}): {}", remote, reason, detail);
            security.recordMessage(remote, false, oversized);
            security.warnPeer(remote, reason);
        }

        private boolean sameId(PeerId remote, String from) {
            try {
                return from != null && PeerId.parse(from).equals(remote);
            } catch (RuntimeException e) {
                return false;
            }
        }
    }

    // ------------------------------------------------------------------ pub/sub (GossipSub)

    /**
     * Subscribes {@code handler} to {@code topic} (the node subscribes to the topic with its first
     * handler). Unlike the reference, several handlers per topic are allowed; close the returned
     * subscription to remove this one (removing the last one unsubscribes the node). Handlers get
     * each message on the event thread, as a {@link org.lotusia.p2p.pubsub.TopicMessage} (raw bytes,
     * {@code json()}, author, message id); a throwing handler is reported as an
     * {@link EventType#ERROR} event and does not affect the others. Subscriptions end when the node
     * stops.
     *
     * @throws IllegalStateException    "GossipSub not enabled in config" or "coordinator not started"
     * @throws IllegalArgumentException if the topic is empty
     */
    public TopicSubscription subscribeToTopic(String topic, TopicHandler handler) {
        return requirePubsub().subscribe(topic, handler);
    }

    /**
     * Removes every handler of {@code topic} and unsubscribes the node from it.
     *
     * @return whether the node was subscribed (false also when not started or GossipSub is disabled)
     */
    public boolean unsubscribeFromTopic(String topic) {
        TopicService p = pubsub;
        return p != null && p.unsubscribe(topic);
    }

    /**
     * Publishes {@code message} as the reference does: {@code utf8(JSON.stringify(message))}
     * ({@link org.lotusia.p2p.pubsub.TopicJson}; Java values are converted by Jackson). Publishing
     * with no topic peer succeeds (the reference's {@code allowPublishToZeroTopicPeers}) unless
     * {@link P2PConfig#gossipSubConfig()} says otherwise.
     *
     * @return the number of peers the message was sent to
     * @throws IllegalStateException "GossipSub not enabled in config" or "coordinator not started"
     * @throws org.lotusia.p2p.message.MessageFormatException if the value cannot be converted to JSON
     */
    public CompletableFuture<Integer> publishToTopic(String topic, Object message) {
        return onEventThread(requirePubsub().publishJson(topic, message));
    }

    /**
     * Publishes raw bytes on {@code topic} (not JSON-encoded).
     *
     * @return the number of peers the message was sent to
     * @throws IllegalStateException "GossipSub not enabled in config" or "coordinator not started"
     */
    public CompletableFuture<Integer> publishToTopic(String topic, byte[] data) {
        return onEventThread(requirePubsub().publish(topic, data));
    }

    /**
     * The peers known to subscribe to {@code topic} (empty when not started).
     *
     * @throws IllegalStateException "GossipSub not enabled in config"
     */
    public CompletableFuture<Set<PeerId>> getTopicPeers(String topic) {
        TopicService p = pubsubIfRunning();
        return p == null ? CompletableFuture.completedFuture(Set.of()) : onEventThread(p.topicPeers(topic));
    }

    /**
     * Our GossipSub mesh peers for {@code topic} (empty when not started).
     *
     * @throws IllegalStateException "GossipSub not enabled in config"
     */
    public CompletableFuture<Set<PeerId>> getMeshPeers(String topic) {
        TopicService p = pubsubIfRunning();
        return p == null ? CompletableFuture.completedFuture(Set.of()) : onEventThread(p.meshPeers(topic));
    }

    /** The topics with at least one handler (empty when not started or GossipSub is disabled). */
    public Set<String> getSubscribedTopics() {
        TopicService p = pubsub;
        return p == null ? Set.of() : p.subscribedTopics();
    }

    /**
     * Checks the mesh of every subscribed topic now (besides the periodic checks configured by
     * {@link P2PConfig#meshHealth()}), emitting {@link EventType#MESH_HEALTHY},
     * {@link EventType#MESH_UNHEALTHY} or {@link EventType#MESH_RECOVERED} on a transition.
     *
     * @return one result per subscribed topic
     * @throws IllegalStateException "GossipSub not enabled in config" or "coordinator not started"
     */
    public CompletableFuture<List<TopicMeshHealth>> checkMeshHealth() {
        return onEventThread(requirePubsub().meshHealth().checkNow());
    }

    /** The latest mesh health result of every subscribed topic (empty when not started or disabled). */
    public List<TopicMeshHealth> getMeshHealth() {
        TopicService p = pubsub;
        return p == null ? List.of() : p.meshHealth().lastResults();
    }

    /**
     * The running GossipSub router, for advanced use (validators, scores). Do not close it.
     *
     * @throws IllegalStateException "GossipSub not enabled in config" or "coordinator not started"
     */
    public GossipSubRouter gossipSub() {
        return requirePubsub().router();
    }

    private TopicService requirePubsub() {
        TopicService p = pubsubIfRunning();
        if (p == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return p;
    }

    private TopicService pubsubIfRunning() {
        if (!config.enableGossipSub()) {
            throw new IllegalStateException("GossipSub not enabled in config (P2PConfig.enableGossipSub)");
        }
        return session == null ? null : pubsub;
    }

    /** Attaches the router before the host starts, so identify announces GossipSub from the first connection. */
    private void startPubsub(Host host) {
        if (config.enableGossipSub()) {
            pubsub = new TopicService(host, config.gossipSubConfig(), config.meshHealth(), events, control, clock);
        }
    }

    /** Closes the router (before the host). */
    private void stopPubsub() {
        TopicService p = pubsub;
        pubsub = null;
        if (p != null) {
            p.close();
        }
    }

    // ------------------------------------------------------------------ NAT traversal

    /**
     * Whether we hold at least one live relay reservation (reference {@code hasRelayAddresses()});
     * {@code false} when not started or without {@link P2PConfig.Builder#enableRelay(boolean)}.
     */
    public boolean hasRelayAddresses() {
        return !getRelayAddresses().isEmpty();
    }

    /**
     * Our relay addresses, {@code …/p2p/<relay>/p2p-circuit/p2p/<us>}: only those of relays on which
     * we hold a live (granted, unexpired) reservation, unlike the reference, which builds them from
     * the bootstrap list. Empty when not started or without the relay client.
     */
    public List<Multiaddr> getRelayAddresses() {
        NatService n = natIfRunning();
        return n == null ? List.of() : n.relayAddresses();
    }

    /**
     * The addresses other peers should dial us at (reference {@code getReachableAddresses()}): our
     * relay addresses first unless AutoNAT found us publicly reachable, then our direct addresses
     * ({@link P2PStats#multiaddrs()}); when public, the direct addresses come first. Relay addresses
     * are listed only while their reservation lives; a UPnP external address leads the direct ones. Unlike the reference, private direct addresses
     * are kept (LAN peers can use them) and the list never consists of fabricated relay addresses.
     * Empty when not started.
     */
    public List<Multiaddr> getReachableAddresses() {
        if (session == null) {
            return List.of();
        }
        List<Multiaddr> direct = getStats().multiaddrs();
        NatService n = natIfRunning();
        return n == null ? direct : n.reachableAddresses(direct);
    }

    /**
     * AutoNAT's verdict on whether other peers can dial us directly: {@code PUBLIC}, {@code PRIVATE},
     * or {@code UNKNOWN} (not started, AutoNAT off, or not enough answers yet). Changes are announced
     * with {@link EventType#REACHABILITY_CHANGED}.
     */
    public Reachability getReachability() {
        NatService n = natIfRunning();
        return n == null ? Reachability.UNKNOWN : n.reachability();
    }

    /**
     * Connects to {@code target} through a relay (reference {@code connectToPeerViaRelay}, which
     * never fails but returns {@code success:false}; this one fails its future instead). An open
     * relayed connection to the target is reused; otherwise one is dialled through the relay. Direct
     * messages ({@link #sendTo}) work over it; GossipSub, the DHT and custom stream protocols do not
     * run on limited (relayed) connections.
     *
     * @param relay  the relay's multiaddr ({@code …/p2p/<relay>}, or a full circuit address
     *               {@code …/p2p/<relay>/p2p-circuit[/p2p/<target>]}), or the peer id of a relay we are
     *               connected to
     * @param target the peer id to reach
     * @return the target's information once connected; fails if the relay refuses (e.g. the target
     *         holds no reservation there) or cannot be reached
     * @throws IllegalStateException    "circuit relay not enabled in config" without
     *                                  {@link P2PConfig.Builder#enableRelay(boolean)}, or if not started
     * @throws IllegalArgumentException if an argument is malformed, the target is ourselves, or no
     *                                  address of the relay peer is known
     */
    public CompletableFuture<PeerInfo> connectToPeerViaRelay(String relay, String target) {
        Objects.requireNonNull(relay, "relay");
        PeerId targetPeer = parsePeerId(Objects.requireNonNull(target, "target"));
        NatService n = requireRelay();
        CompletableFuture<org.lotusia.libp2p.host.Connection> connecting = relay.startsWith("/")
                ? n.connectViaRelay(P2PConfig.Builder.parse("relay", relay), targetPeer)
                : n.connectViaRelay(parsePeerId(relay), targetPeer);
        return onEventThread(connecting.thenApply(this::peerInfo));
    }

    /**
     * Runs an AutoNAT probe round now (instead of waiting for the periodic one) and completes with
     * the verdict after the answers.
     *
     * @throws IllegalStateException if AutoNAT is not enabled or the node is not started
     */
    public CompletableFuture<Reachability> probeReachability() {
        if (!config.enableAutoNAT()) {
            throw new IllegalStateException("AutoNAT not enabled in config (P2PConfig.enableAutoNAT)");
        }
        NatService n = natIfRunning();
        if (n == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return onEventThread(n.probeReachability());
    }

    /**
     * The NAT-traversal parts of the running node (relay client and server, AutoNAT, DCUtR, UPnP), for
     * advanced use. Do not close it.
     *
     * @throws IllegalStateException if none of relay, relay server, AutoNAT, DCUtR and UPnP is enabled, or not started
     */
    public NatService natTraversal() {
        if (!(config.enableRelay() || config.enableRelayServer() || config.enableAutoNAT() || config.enableDCUTR()
                || config.enableUPnP())) {
            throw new IllegalStateException("NAT traversal not enabled in config (enableRelay, enableRelayServer, "
                    + "enableAutoNAT, enableDCUTR, enableUPnP)");
        }
        NatService n = natIfRunning();
        if (n == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return n;
    }

    private NatService requireRelay() {
        if (!config.enableRelay()) {
            throw new IllegalStateException("circuit relay not enabled in config (P2PConfig.enableRelay)");
        }
        NatService n = natIfRunning();
        if (n == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return n;
    }

    private NatService natIfRunning() {
        return session == null ? null : nat;
    }

    /** Attaches NAT traversal before the host starts, so identify announces its protocols at once. */
    private void startNat(Host host) {
        NatService.Features features = new NatService.Features(config.enableRelay(), config.enableRelayServer(),
                config.enableAutoNAT(), config.enableDCUTR(), config.enableUPnP());
        if (!features.any()) {
            return;
        }
        lastReachability = Reachability.UNKNOWN;
        nat = NatService.attach(host, features, config.natTraversal(), config.bootstrapPeers(), control,
                new NatService.Listener() {
                    @Override
                    public void relayAddressesChanged(List<Multiaddr> relayAddresses) {
                        RelayAddressesChangedEvent event = new RelayAddressesChangedEvent(localPeerId,
                                getReachableAddresses(), relayAddresses, Instant.now());
                        events.emit(event);
                        forEachHandler("onRelayAddressesChanged", h -> h.onRelayAddressesChanged(event));
                    }

                    @Override
                    public void reachabilityChanged(Reachability reachability) {
                        Reachability previous = lastReachability;
                        lastReachability = reachability;
                        if (previous != reachability) {
                            events.emit(new ReachabilityChangedEvent(localPeerId, previous, reachability, Instant.now()));
                        }
                    }
                });
    }

    /** Closes NAT traversal (before the host): reservations dropped, protocols removed. */
    private void stopNat() {
        NatService n = nat;
        nat = null;
        if (n != null) {
            n.close();
        }
    }

    // ------------------------------------------------------------------ DHT resources

    /**
     * Announces a resource (reference {@code announceResource}): the record {@code resource:<type>:<id>}
     * ({@link ResourceRecord}) is stored locally at once ({@link EventType#RESOURCE_ANNOUNCED}) and put
     * into the DHT in client and server mode alike; while the routing table is empty, or after a failed
     * put, it waits in a bounded queue and is retried with backoff. Republished while live; signed when
     * {@link org.lotusia.p2p.dht.DhtResourceConfig#signRecords()}.
     *
     * @param data    any value Jackson converts to JSON (a {@code JsonNode}, map, record, string, …)
     * @param options ttl / expiresAt (both honoured, unlike the reference)
     * @return completes with the record once a peer stored it; fails on queue timeout or overflow, or with a
     *         {@link java.util.concurrent.CancellationException} when the node stops first
     * @throws IllegalStateException    "DHT not enabled in config" or "coordinator not started"
     * @throws IllegalArgumentException if type or id are empty or contain '/', the expiry is past, or the
     *                                  record is too large
     */
    public CompletableFuture<ResourceRecord> announceResource(String resourceType, String resourceId, Object data,
                                                              AnnounceOptions options) {
        ResourceService r = requireResources();
        return onEventThread(r.announce(resourceType, resourceId, ResourceRecord.jsonOf(data), options));
    }

    /** {@link #announceResource(String, String, Object, AnnounceOptions)} without expiry. */
    public CompletableFuture<ResourceRecord> announceResource(String resourceType, String resourceId, Object data) {
        return announceResource(resourceType, resourceId, data, AnnounceOptions.none());
    }

    /**
     * Finds one resource: the local cache, then a DHT lookup. Records from the network are checked
     * (parseable, type and id as asked, not expired, signature if present, security manager) before
     * they are cached; rejected ones emit {@link EventType#RESOURCE_REJECTED}.
     *
     * @return the record, or empty when not found within {@code timeout}
     * @throws IllegalStateException "DHT not enabled in config" or "coordinator not started"
     */
    public CompletableFuture<Optional<ResourceRecord>> discoverResource(String resourceType, String resourceId,
                                                                        Duration timeout) {
        return onEventThread(requireResources().discover(resourceType, resourceId, timeout));
    }

    /** {@link #discoverResource(String, String, Duration)} with the configured default timeout (5 s). */
    public CompletableFuture<Optional<ResourceRecord>> discoverResource(String resourceType, String resourceId) {
        return discoverResource(resourceType, resourceId, config.dhtResources().discoverTimeout());
    }

    /**
     * Finds the resources of a type across the network (the guide's {@code discoverResources}, which
     * the reference never implemented): the type's providers are looked up in the DHT and each is asked
     * for its records ({@link ResourceService}); the result holds the live records of the type matching
     * {@code filter}, from the network and the local cache.
     *
     * @throws IllegalStateException "DHT not enabled in config" or "coordinator not started"
     */
    public CompletableFuture<List<ResourceRecord>> discoverResources(String resourceType, ResourceFilter filter,
                                                                     Duration timeout) {
        return onEventThread(requireResources().discoverAll(resourceType, filter, timeout));
    }

    /** {@link #discoverResources(String, ResourceFilter, Duration)} with field → value filters and the default timeout. */
    public CompletableFuture<List<ResourceRecord>> discoverResources(String resourceType, Map<String, ?> filters) {
        return discoverResources(resourceType, ResourceFilter.of(filters), config.dhtResources().discoverTimeout());
    }

    /** {@link #discoverResources(String, Map)} without filters. */
    public CompletableFuture<List<ResourceRecord>> discoverResources(String resourceType) {
        return discoverResources(resourceType, Map.of());
    }

    /** The live record of a resource in the local cache (empty when not started or the DHT is disabled). */
    public Optional<ResourceRecord> getResource(String resourceType, String resourceId) {
        ResourceService r = resources;
        return r == null ? Optional.empty() : r.getResource(resourceType, resourceId);
    }

    /** The live records of a type in the local cache whose data matches {@code filters} (field → value). */
    public List<ResourceRecord> getLocalResources(String resourceType, Map<String, ?> filters) {
        ResourceService r = resources;
        return r == null ? List.of() : r.getLocalResources(resourceType, ResourceFilter.of(filters));
    }

    /** {@link #getLocalResources(String, Map)} without filters. */
    public List<ResourceRecord> getLocalResources(String resourceType) {
        return getLocalResources(resourceType, Map.of());
    }

    /**
     * Withdraws one of our resources: no longer listed, republished or returned locally (copies already
     * stored by other peers stay until they expire there).
     *
     * @return whether it was announced by us
     */
    public boolean withdrawResource(String resourceType, String resourceId) {
        ResourceService r = resources;
        return r != null && r.withdraw(resourceType, resourceId);
    }

    /**
     * Drops expired resource records (freeing their creators' quota slots) and runs the security
     * manager's cleanup (reference {@code cleanup()}).
     *
     * @return how many records were dropped
     */
    public int cleanup() {
        ResourceService r = resources;
        int dropped = r == null ? 0 : r.cleanup();
        security.cleanup();
        return dropped;
    }

    /** The DHT statistics (reference {@code getDHTStats()}); disabled when not started or the DHT is off. */
    public DhtStats getDHTStats() {
        ResourceService r = resources;
        return r == null ? DhtStats.disabled() : r.stats();
    }

    /**
     * Finds a peer's addresses: known ones (connected or in the peer store), otherwise by a DHT lookup.
     *
     * @throws IllegalStateException "DHT not enabled in config" or "coordinator not started"
     */
    public CompletableFuture<ResourceService.PeerLookup> findPeer(PeerId peer, Duration timeout) {
        return onEventThread(requireResources().findPeer(peer, timeout));
    }

    /**
     * The running Kademlia DHT, for advanced use (raw records, providers, mode). Do not close it.
     *
     * @throws IllegalStateException "DHT not enabled in config" or "coordinator not started"
     */
    public KadDht dht() {
        return requireResources().dht();
    }

    private ResourceService requireResources() {
        if (!config.enableDHT()) {
            throw new IllegalStateException("DHT not enabled in config (P2PConfig.enableDHT)");
        }
        ResourceService r = resources;
        if (r == null || session == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return r;
    }

    private P2PStats.Dht dhtSummary() {
        DhtStats d = getDHTStats();
        return d.enabled() ? new P2PStats.Dht(true, d.mode(), d.routingTableSize(), d.localRecords())
                : P2PStats.Dht.disabled();
    }

    /** Starts the DHT on the host before it starts, so identify announces the kad protocol (server mode). */
    private void startDht(Host host) {
        if (!config.enableDHT()) {
            return;
        }
        if (resourceList == null) {
            resourceList = RequestResponse.builder(this, ResourceService.LIST_PROTOCOL_NAME)
                    .responder(request -> {
                        ResourceService r = resources;
                        if (r == null) {
                            return CompletableFuture.failedFuture(new IllegalStateException("DHT not running"));
                        }
                        return CompletableFuture.completedFuture(r.answerListRequest(request.data()));
                    })
                    .build();
        }
        RequestResponse lister = resourceList;
        DhtResourceConfig settings = config.dhtResources();
        KadDht dht = new KadDht(host, KadConfig.defaults().withProtocol(config.dhtProtocol())
                .withServerMode(config.enableDHTServer()).withClock(settings.clock()));
        resources = new ResourceService(host, dht, identity, settings, security, control, new ResourceService.Listener() {
            @Override
            public void event(P2PEvent event) {
                events.emit(event);
            }

            @Override
            public void routingTable(int size) {
                updateDhtState(size);
            }
        }, lister::request);
    }

    /** Closes the DHT (before the host); queued announcements fail. */
    private void stopDht() {
        ResourceService r = resources;
        resources = null;
        if (r != null) {
            r.close();
        }
    }

    /** The DHT part of the reference's state monitor (§2.2), from the routing-table size. */
    private void updateDhtState(int routingTableSize) {
        Session s = session;
        ConnectionState current = state;
        if (s == null || current == ConnectionState.ERROR || current == ConnectionState.DISCONNECTED
                || current == ConnectionState.CONNECTING) {
            return;
        }
        ConnectionState next;
        if (s.host().connectedPeers().isEmpty()) {
            next = ConnectionState.CONNECTED;
        } else if (routingTableSize == 0) {
            next = ConnectionState.DHT_INITIALIZING;
        } else if (routingTableSize < 3) {
            next = ConnectionState.DHT_READY;
        } else {
            next = ConnectionState.FULLY_OPERATIONAL;
        }
        setState(next, null);
    }

    // ------------------------------------------------------------------ events

    @Override
    public <T extends P2PEvent> Subscription on(EventType<T> type, Consumer<? super T> listener) {
        return events.on(type, listener);
    }

    /** How many listeners are registered for {@code type} (for diagnostics and tests). */
    public int listenerCount(EventType<?> type) {
        return events.listenerCount(type);
    }

    /** Host events → coordinator events. Runs on the host's event thread; only enqueues. */
    private final class HostEvents implements HostListener {
        private final BootstrapManager bootstrap;
        private final Map<PeerId, Integer> open;
        private final Host host;

        HostEvents(BootstrapManager bootstrap, Map<PeerId, Integer> open, Host host) {
            this.bootstrap = bootstrap;
            this.open = open;
            this.host = host;
        }

        @Override
        public void connectionOpened(Connection connection) {
            PeerId peer = connection.remotePeer();
            if (open.merge(peer, 1, Integer::sum) != 1) {
                return;
            }
            Instant now = Instant.now();
            PeerInfo[] discovered = new PeerInfo[1];
            PeerInfo info = knownPeers.compute(peer, (p, existing) -> {
                if (existing == null) {
                    discovered[0] = new PeerInfo(p, List.of(connection.remoteAddress()),
                            Optional.of(connection.remotePublicKey()), now);
                    return discovered[0];
                }
                return new PeerInfo(p, existing.multiaddrs(), Optional.of(connection.remotePublicKey()), now);
            });
            boundKnownPeers();
            if (discovered[0] != null) {
                events.emit(new PeerDiscoveredEvent(info, now));
                forEachHandler("onPeerDiscovered", h -> h.onPeerDiscovered(info));
            }
            List<Multiaddr> addresses = host.connections().stream()
                    .filter(c -> c.remotePeer().equals(peer)).map(Connection::remoteAddress).toList();
            events.emit(new PeerConnectedEvent(peer, addresses.isEmpty() ? List.of(connection.remoteAddress())
                    : addresses, now));
            forEachHandler("onPeerConnected", h -> h.onPeerConnected(peer));
            bootstrap.peerConnected(peer);
            if (security.isPeerBanned(peer)) {
                host.disconnect(peer);
            }
        }

        @Override
        public void connectionClosed(Connection connection) {
            PeerId peer = connection.remotePeer();
            Integer left = open.computeIfPresent(peer, (p, n) -> n > 1 ? n - 1 : null);
            if (left != null) {
                return;
            }
            Instant now = Instant.now();
            knownPeers.computeIfPresent(peer, (p, info) -> info.withLastSeen(now));
            events.emit(new PeerDisconnectedEvent(peer, now));
            forEachHandler("onPeerDisconnected", h -> h.onPeerDisconnected(peer));
            bootstrap.peerDisconnected(peer);
        }

        @Override
        public void peerIdentified(PeerId peer, PeerRecordView view) {
            Instant now = Instant.now();
            PeerInfo info = knownPeers.compute(peer, (p, existing) -> new PeerInfo(p, view.addresses(),
                    view.publicKey().or(() -> existing == null ? Optional.empty() : existing.publicKey()), now));
            boundKnownPeers();
            events.emit(new PeerUpdatedEvent(info, now));
            forEachHandler("onPeerUpdated", h -> h.onPeerUpdated(info));
        }
    }

    /** Bootstrap manager events → coordinator events. */
    private final class BootstrapEvents implements BootstrapManager.Listener {
        @Override
        public void connected(PeerId peer, Multiaddr address) {
            events.emit(new BootstrapConnectedEvent(peer, address, Instant.now()));
        }

        @Override
        public void disconnected(PeerId peer, String reason) {
            events.emit(new BootstrapDisconnectedEvent(peer, reason, Instant.now()));
        }

        @Override
        public void reconnecting(PeerId peer, int attempt, Duration delay) {
            events.emit(new BootstrapReconnectingEvent(peer, attempt, delay, Instant.now()));
        }

        @Override
        public void failed(PeerId peer, int attempts, String error) {
            events.emit(new BootstrapFailedEvent(peer, attempts, error, Instant.now()));
        }
    }

    /** Closes a peer's connections as soon as it is banned (new ones are refused by the {@link BanGater}). */
    private final class BanEnforcer implements PeerBanListener {
        @Override
        public void onPeerTempBanned(PeerId peer, String reason, Instant until) {
            drop(peer, reason);
        }

        @Override
        public void onPeerBanned(PeerId peer, String reason) {
            drop(peer, reason);
        }

        private void drop(PeerId peer, String reason) {
            Session s = session;
            if (s != null && s.host().isConnected(peer)) {
                LOG.info("disconnecting banned peer {} ({})", peer, reason);
                s.host().disconnect(peer);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    private Session requireSession() {
        Session s = session;
        if (s == null) {
            throw new IllegalStateException("coordinator not started");
        }
        return s;
    }

    private PeerInfo peerInfo(Connection connection) {
        PeerId peer = connection.remotePeer();
        PeerInfo known = knownPeers.get(peer);
        return known != null ? known : new PeerInfo(peer, List.of(connection.remoteAddress()),
                Optional.of(connection.remotePublicKey()), Instant.now());
    }

    private static PeerInfo fromConnections(Host host, PeerId peer) {
        List<Multiaddr> addresses = host.connections().stream().filter(c -> c.remotePeer().equals(peer))
                .map(Connection::remoteAddress).toList();
        return new PeerInfo(peer, addresses, Optional.empty(), Instant.now());
    }

    private void boundKnownPeers() {
        if (knownPeers.size() <= MAX_KNOWN_PEERS) {
            return;
        }
        Session s = session;
        Collection<PeerInfo> snapshot = new ArrayList<>(knownPeers.values());
        snapshot.stream()
                .filter(i -> s == null || !s.host().isConnected(i.peerId()))
                .sorted(Comparator.comparing(PeerInfo::lastSeen))
                .limit(knownPeers.size() - MAX_KNOWN_PEERS)
                .forEach(i -> knownPeers.remove(i.peerId()));
    }

    /** Makes dependent stages of {@code future} run on the event thread, never on an I/O thread. */
    private <T> CompletableFuture<T> onEventThread(CompletableFuture<T> future) {
        CompletableFuture<T> result = new CompletableFuture<>();
        future.whenComplete((v, e) -> {
            Runnable complete = () -> {
                if (e != null) {
                    result.completeExceptionally(unwrap(e));
                } else {
                    result.complete(v);
                }
            };
            try {
                eventExecutor.execute(complete);
            } catch (java.util.concurrent.RejectedExecutionException rejected) {
                complete.run();
            }
        });
        return result;
    }

    private boolean isEventThread() {
        return Thread.currentThread() == eventThread;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Parses a peer id string.
     *
     * @throws IllegalArgumentException naming the id if it is malformed
     */
    static PeerId parsePeerId(String peerId) {
        Objects.requireNonNull(peerId, "peerId");
        try {
            return PeerId.parse(peerId);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid peer id '" + peerId + "': " + e.getMessage(), e);
        }
    }
}
