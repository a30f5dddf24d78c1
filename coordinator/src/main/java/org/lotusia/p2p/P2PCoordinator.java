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
import org.lotusia.p2p.message.DedupCache;
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
            LOG.debug("not available in this version (planned): DHT, GossipSub, circuit relay, AutoNAT, DCUtR, UPnP");
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
                    List.of(), List.of());
        }
        List<Multiaddr> addresses = config.announce().isEmpty()
                ? ListenAddresses.expandWildcards(s.host().listenAddresses()).stream()
                        .map(a -> a.withPeerId(localPeerId)).toList()
                : config.announce().stream().map(a -> a.getPeerId().isPresent() ? a : a.withPeerId(localPeerId)).toList();
        return new P2PStats(Optional.of(localPeerId), state,
                new P2PStats.Peers(knownPeers.size(), s.host().connectedPeers().size()),
                P2PStats.Dht.disabled(), addresses, List.of());
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
