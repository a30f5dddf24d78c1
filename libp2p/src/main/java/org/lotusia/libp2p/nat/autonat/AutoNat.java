package org.lotusia.libp2p.nat.autonat;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiformatException;
import org.lotusia.libp2p.nat.FramedStream;
import org.lotusia.libp2p.nat.NatAddresses;
import org.lotusia.libp2p.nat.ObservedAddresses;
import org.lotusia.libp2p.nat.Reachability;
import org.lotusia.libp2p.nat.autonat.pb.AutoNatProto.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * AutoNAT v1 ({@code /libp2p/autonat/1.0.0}) on a host: as a server it dials peers back on request;
 * as a client it asks connected peers to dial it back and decides whether it is publicly reachable.
 *
 * <p>Server safeguards (spec): requests over relayed connections are refused; the requester must be
 * the peer of the connection; only the requester's observed IP is dialled (requested addresses keep
 * their ports, their IPs are replaced by the observed one); private IPs are refused unless
 * {@link AutoNatConfig#allowPrivateAddresses()}; requests are rate limited globally and per peer and
 * bounded in number of addresses, concurrency and time. Refusals answer {@code E_DIAL_REFUSED}.
 *
 * <p>Client decision: each server's latest answer is a vote ({@code OK} = reachable,
 * {@code E_DIAL_ERROR} = not reachable; refusals and failures do not vote). The status becomes
 * {@link Reachability#PUBLIC} or {@link Reachability#PRIVATE} when at least
 * {@link AutoNatConfig#minConfirmations()} distinct peers agree and outnumber the others, and stays
 * as it is otherwise. Peers are asked as soon as identify shows they serve AutoNAT, then every
 * {@link AutoNatConfig#probeInterval()}. Listeners run on AutoNAT's own thread.
 */
public final class AutoNat implements AutoCloseable {
    /** The protocol id. */
    public static final String PROTOCOL = "/libp2p/autonat/1.0.0";
    /** Largest message accepted (js: 8 KiB). */
    public static final int MAX_MESSAGE_SIZE = 8192;
    /** Addresses of one request looked at (the rest are ignored). */
    static final int MAX_REQUESTED_ADDRESSES = 32;
    /** Votes remembered (one per server peer). */
    static final int MAX_VOTES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(AutoNat.class);

    private final Host host;
    private final AutoNatConfig config;
    private final ObservedAddresses observed;
    private final boolean ownsObserved;
    private final ScheduledExecutorService scheduler;
    private final List<Consumer<Reachability>> listeners = new CopyOnWriteArrayList<>();
    private final Map<PeerId, Vote> votes = new LinkedHashMap<>();
    private final Map<PeerId, CompletableFuture<Void>> asking = new java.util.concurrent.ConcurrentHashMap<>();
    private final ArrayDeque<Long> globalDialBacks = new ArrayDeque<>();
    private final Map<PeerId, ArrayDeque<Long>> peerDialBacks = new LinkedHashMap<>();
    private final AtomicInteger activeDialBacks = new AtomicInteger();
    private final HostListener hostListener;
    private volatile Reachability reachability = Reachability.UNKNOWN;
    private volatile Multiaddr publicAddress;
    private volatile ScheduledFuture<?> periodic;
    private volatile boolean closed;

    private record Vote(boolean reachable, Multiaddr address, long atNanos) {
    }

    private AutoNat(Host host, AutoNatConfig config, ObservedAddresses observed) {
        this.host = Objects.requireNonNull(host, "host");
        this.config = Objects.requireNonNull(config, "config");
        this.ownsObserved = observed == null;
        this.observed = observed != null ? observed : new ObservedAddresses(host, 1);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lotus-autonat");
            t.setDaemon(true);
            return t;
        });
        this.hostListener = new HostListener() {
            @Override
            public void peerIdentified(PeerId peer, PeerRecordView info) {
                if (config.client() && info.protocols().contains(PROTOCOL)) {
                    askSoon(peer);
                }
            }
        };
    }

    /** Starts AutoNAT on {@code host}, learning our observed addresses from identify itself. */
    public static AutoNat start(Host host, AutoNatConfig config) {
        return start(host, config, null);
    }

    /** Starts AutoNAT on {@code host}, taking our observed addresses from {@code observed} (may be null). */
    public static AutoNat start(Host host, AutoNatConfig config, ObservedAddresses observed) {
        AutoNat autoNat = new AutoNat(host, config, observed);
        if (config.server()) {
            // Not on limited (relayed) connections: the spec forbids serving requests arriving over relays.
            host.protocols().register(PROTOCOL, autoNat::serve, new ProtocolOptions(2, false));
        }
        if (config.client()) {
            host.addListener(autoNat.hostListener);
            long interval = config.probeInterval().toMillis();
            autoNat.periodic = autoNat.scheduler.scheduleWithFixedDelay(() -> autoNat.probe(),
                    interval, interval, TimeUnit.MILLISECONDS);
        }
        return autoNat;
    }

    /** The current reachability decision. */
    public Reachability reachability() {
        return reachability;
    }

    /** The address a server last reached us at, while {@link #reachability()} is PUBLIC. */
    public Optional<Multiaddr> publicAddress() {
        return reachability == Reachability.PUBLIC ? Optional.ofNullable(publicAddress) : Optional.empty();
    }

    /** Our observed addresses (from identify). */
    public ObservedAddresses observedAddresses() {
        return observed;
    }

    /** Calls {@code listener} with the new status after every change (on AutoNAT's thread). */
    public void addListener(Consumer<Reachability> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(Consumer<Reachability> listener) {
        listeners.remove(listener);
    }

    // ------------------------------------------------------------------ client

    /**
     * Runs one probe round now: asks up to {@link AutoNatConfig#peersPerProbe()} connected AutoNAT
     * servers; completes with the status after their answers.
     */
    public CompletableFuture<Reachability> probe() {
        if (closed) {
            return CompletableFuture.completedFuture(reachability);
        }
        List<PeerId> servers = new ArrayList<>(servers());
        Collections.shuffle(servers);
        List<CompletableFuture<?>> asks = new ArrayList<>();
        for (PeerId server : servers.subList(0, Math.min(config.peersPerProbe(), servers.size()))) {
            asks.add(askAfterInFlight(server));
        }
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                .handle((v, e) -> reachability);
    }

    /** Connected peers that serve AutoNAT over a direct connection. */
    private List<PeerId> servers() {
        return host.connections().stream()
                .filter(c -> !NatAddresses.isRelayed(c.remoteAddress()))
                .map(Connection::remotePeer)
                .distinct()
                .filter(p -> host.peerStore().protocols(p).contains(PROTOCOL))
                .toList();
    }

    private void askSoon(PeerId peer) {
        if (closed) {
            return;
        }
        scheduler.execute(() -> {
            Vote vote;
            synchronized (votes) {
                vote = votes.get(peer);
            }
            if (vote == null || System.nanoTime() - vote.atNanos > config.probeInterval().toNanos()) {
                ask(peer);
            }
        });
    }

    /** Asks {@code server} now; when a request to it is in flight, asks again after it (one at a time). */
    private CompletableFuture<Void> askAfterInFlight(PeerId server) {
        CompletableFuture<Void> inFlight = asking.get(server);
        return inFlight == null ? ask(server) : inFlight.thenCompose(v -> askAfterInFlight(server));
    }

    private CompletableFuture<Void> ask(PeerId server) {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> inFlight = asking.putIfAbsent(server, mine);
        if (inFlight != null) {
            return inFlight; // one request per server at a time
        }
        List<Multiaddr> candidates = candidateAddresses();
        if (candidates.isEmpty()) {
            asking.remove(server, mine);
            mine.complete(null);
            return mine; // nothing to verify (yet): identify has not told us how we are seen
        }
        Optional<Connection> connection = host.connections().stream()
                .filter(c -> c.remotePeer().equals(server) && !NatAddresses.isRelayed(c.remoteAddress()))
                .findFirst();
        if (connection.isEmpty()) {
            asking.remove(server, mine);
            mine.complete(null);
            return mine;
        }
        requestDialBack(connection.get(), candidates)
                .whenComplete((response, error) -> {
                    if (error != null) {
                        LOG.debug("AutoNAT request to {} failed: {}", server, error.toString());
                    } else {
                        vote(server, response);
                    }
                    asking.remove(server, mine);
                    mine.complete(null);
                });
        return mine;
    }

    /** What we ask servers to dial: observed addresses first, then our listen addresses. */
    List<Multiaddr> candidateAddresses() {
        Set<Multiaddr> out = new LinkedHashSet<>(observed.all());
        out.addAll(host.listenAddresses());
        return out.stream()
                .filter(a -> NatAddresses.tcpSocket(a).isPresent())
                .filter(a -> config.allowPrivateAddresses() || !NatAddresses.ip(a).map(NatAddresses::isPrivate).orElse(true)
                        || NatAddresses.ip(a).map(InetAddress::isAnyLocalAddress).orElse(false))
                .limit(MAX_REQUESTED_ADDRESSES)
                .toList();
    }

    /**
     * Asks the peer on {@code connection} to dial us back at {@code addresses} (one AutoNAT
     * exchange); completes with its answer. Does not change {@link #reachability()}.
     */
    public CompletableFuture<DialResponse> requestDialBack(Connection connection, List<Multiaddr> addresses) {
        Message.Dial.Builder dial = Message.Dial.newBuilder();
        Message.PeerInfo.Builder info = Message.PeerInfo.newBuilder().setId(ByteString.copyFrom(host.peerId().toBytes()));
        addresses.forEach(a -> info.addAddrs(ByteString.copyFrom(a.withoutPeerId().toBytes())));
        dial.setPeer(info);
        byte[] request = Message.newBuilder().setType(Message.MessageType.DIAL).setDial(dial).build().toByteArray();
        AtomicReference<FramedStream> framed = new AtomicReference<>();
        return connection.newStream(List.of(PROTOCOL), s -> framed.set(FramedStream.install(s, MAX_MESSAGE_SIZE)))
                .thenCompose(s -> framed.get().write(request))
                .thenCompose(v -> framed.get().read())
                .thenApply(bytes -> {
                    framed.get().stream().channel().close();
                    return parseResponse(bytes);
                })
                .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    if (e != null && framed.get() != null) {
                        framed.get().reset();
                    }
                });
    }

    private static DialResponse parseResponse(byte[] bytes) {
        Message message;
        try {
            message = Message.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new Libp2pException("malformed AutoNAT response: " + e.getMessage(), e);
        }
        if (message.getType() != Message.MessageType.DIAL_RESPONSE || !message.hasDialResponse()
                || !message.getDialResponse().hasStatus()) {
            throw new Libp2pException("AutoNAT answer is not a dial response");
        }
        Message.DialResponse r = message.getDialResponse();
        DialResponse.Status status = DialResponse.Status.valueOf(r.getStatus().name());
        Optional<Multiaddr> address = Optional.empty();
        if (r.hasAddr()) {
            try {
                address = Optional.of(Multiaddr.fromBytes(r.getAddr().toByteArray()));
            } catch (MultiformatException e) {
                // an unreadable address does not invalidate the status
            }
        }
        String text = r.getStatusText();
        return new DialResponse(status, text.length() > 256 ? text.substring(0, 256) : text, address);
    }

    private void vote(PeerId server, DialResponse response) {
        if (response.status() != DialResponse.Status.OK && response.status() != DialResponse.Status.E_DIAL_ERROR) {
            LOG.debug("AutoNAT server {} answered {} ({}): no vote", server, response.status(), response.text());
            return;
        }
        Reachability before;
        Reachability after;
        synchronized (votes) {
            votes.remove(server);
            votes.put(server, new Vote(response.status() == DialResponse.Status.OK,
                    response.address().orElse(null), System.nanoTime()));
            while (votes.size() > MAX_VOTES) {
                votes.remove(votes.keySet().iterator().next());
            }
            int reachable = 0;
            int unreachable = 0;
            Multiaddr latestReached = null;
            for (Vote v : votes.values()) {
                if (v.reachable) {
                    reachable++;
                    if (v.address != null) {
                        latestReached = v.address;
                    }
                } else {
                    unreachable++;
                }
            }
            before = reachability;
            if (reachable >= config.minConfirmations() && reachable > unreachable) {
                reachability = Reachability.PUBLIC;
                publicAddress = latestReached;
            } else if (unreachable >= config.minConfirmations() && unreachable > reachable) {
                reachability = Reachability.PRIVATE;
            }
            after = reachability;
        }
        LOG.debug("AutoNAT vote from {}: {} -> status {}", server, response.status(), after);
        if (after != before) {
            for (Consumer<Reachability> l : listeners) {
                try {
                    scheduler.execute(() -> l.accept(after));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    return;
                }
            }
        }
    }

    // ------------------------------------------------------------------ server

    private void serve(Libp2pStream stream) {
        Connection connection = stream.connection();
        if (NatAddresses.isRelayed(connection.remoteAddress())) {
            stream.channel().reset();
            return;
        }
        FramedStream framed = FramedStream.install(stream, MAX_MESSAGE_SIZE);
        framed.read()
                .orTimeout(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .thenCompose(bytes -> answer(connection, bytes))
                .whenComplete((response, error) -> {
                    if (error != null) {
                        LOG.debug("AutoNAT request from {} failed: {}", connection.remotePeer(), error.toString());
                        framed.reset();
                        return;
                    }
                    framed.write(response.toByteArray()).whenComplete((v, e) -> framed.closeWrite());
                });
    }

    private static Message response(Message.ResponseStatus status, String text, Multiaddr address) {
        Message.DialResponse.Builder r = Message.DialResponse.newBuilder().setStatus(status).setStatusText(text);
        if (address != null) {
            r.setAddr(ByteString.copyFrom(address.toBytes()));
        }
        return Message.newBuilder().setType(Message.MessageType.DIAL_RESPONSE).setDialResponse(r).build();
    }

    private CompletableFuture<Message> answer(Connection connection, byte[] bytes) {
        Message request;
        try {
            request = Message.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            return done(Message.ResponseStatus.E_BAD_REQUEST, "malformed message");
        }
        if (!request.hasType() || request.getType() != Message.MessageType.DIAL || !request.hasDial()
                || !request.getDial().hasPeer()) {
            return done(Message.ResponseStatus.E_BAD_REQUEST, "expected a DIAL message with peer info");
        }
        PeerId peer = connection.remotePeer();
        if (!java.util.Arrays.equals(request.getDial().getPeer().getId().toByteArray(), peer.toBytes())) {
            return done(Message.ResponseStatus.E_BAD_REQUEST, "peer id mismatch");
        }
        Optional<InetAddress> observedIp = NatAddresses.ip(connection.remoteAddress());
        if (observedIp.isEmpty()) {
            return done(Message.ResponseStatus.E_DIAL_REFUSED, "no observed IP address");
        }
        if (!config.allowPrivateAddresses() && NatAddresses.isPrivate(observedIp.get())) {
            return done(Message.ResponseStatus.E_DIAL_REFUSED, "observed address is private");
        }
        List<Multiaddr> targets = dialBackTargets(request.getDial().getPeer().getAddrsList(), observedIp.get());
        if (targets.isEmpty()) {
            return done(Message.ResponseStatus.E_DIAL_REFUSED, "no dialable addresses");
        }
        String refusal = admit(peer);
        if (refusal != null) {
            return done(Message.ResponseStatus.E_DIAL_REFUSED, refusal);
        }
        return dialInTurn(peer, targets, 0, null).whenComplete((m, e) -> activeDialBacks.decrementAndGet());
    }

    /**
     * The addresses we will dial: the TCP ports the requester asked about, on its observed IP only
     * (never an IP it names), at most {@link AutoNatConfig#maxDialBackAddresses()}.
     */
    List<Multiaddr> dialBackTargets(List<ByteString> requested, InetAddress observedIp) {
        Set<Multiaddr> targets = new LinkedHashSet<>();
        int looked = 0;
        for (ByteString raw : requested) {
            if (looked++ >= MAX_REQUESTED_ADDRESSES || targets.size() >= config.maxDialBackAddresses()) {
                break;
            }
            Multiaddr address;
            try {
                address = Multiaddr.fromBytes(raw.toByteArray());
            } catch (MultiformatException e) {
                continue;
            }
            Optional<InetSocketAddress> socket = NatAddresses.tcpSocket(address);
            if (socket.isEmpty() || socket.get().getPort() == 0) {
                continue;
            }
            InetAddress ip = socket.get().getAddress();
            if (ip.getAddress().length != observedIp.getAddress().length) {
                continue;
            }
            targets.add(NatAddresses.tcp(observedIp, socket.get().getPort()));
        }
        return List.copyOf(targets);
    }

    /** Applies the rate limits; returns null when the request may proceed, otherwise why not. */
    private String admit(PeerId peer) {
        long now = System.nanoTime();
        long minuteAgo = now - TimeUnit.MINUTES.toNanos(1);
        synchronized (globalDialBacks) {
            while (!globalDialBacks.isEmpty() && globalDialBacks.peekFirst() < minuteAgo) {
                globalDialBacks.pollFirst();
            }
            peerDialBacks.values().forEach(q -> {
                while (!q.isEmpty() && q.peekFirst() < minuteAgo) {
                    q.pollFirst();
                }
            });
            peerDialBacks.values().removeIf(ArrayDeque::isEmpty);
            if (globalDialBacks.size() >= config.globalDialBacksPerMinute()) {
                return "rate limit: too many dial-back requests";
            }
            ArrayDeque<Long> mine = peerDialBacks.computeIfAbsent(peer, p -> new ArrayDeque<>());
            if (mine.size() >= config.peerDialBacksPerMinute()) {
                return "rate limit: too many dial-back requests from this peer";
            }
            if (activeDialBacks.incrementAndGet() > config.maxConcurrentDialBacks()) {
                activeDialBacks.decrementAndGet();
                return "too many dial-backs in progress";
            }
            globalDialBacks.addLast(now);
            mine.addLast(now);
            return null;
        }
    }

    private CompletableFuture<Message> dialInTurn(PeerId peer, List<Multiaddr> targets, int index, Multiaddr lastTried) {
        if (index >= targets.size()) {
            return CompletableFuture.completedFuture(response(Message.ResponseStatus.E_DIAL_ERROR,
                    "dial back failed", lastTried));
        }
        Multiaddr target = targets.get(index);
        return host.dialNewConnection(target.withPeerId(peer), false)
                .orTimeout(config.dialBackTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((connection, error) -> {
                    if (error == null) {
                        connection.close();
                        return CompletableFuture.completedFuture(response(Message.ResponseStatus.OK, "OK", target));
                    }
                    LOG.debug("AutoNAT dial-back to {} at {} failed: {}", peer, target,
                            (error instanceof CompletionException && error.getCause() != null ? error.getCause() : error).toString());
                    return dialInTurn(peer, targets, index + 1, target);
                })
                .thenCompose(f -> f);
    }

    private static CompletableFuture<Message> done(Message.ResponseStatus status, String text) {
        return CompletableFuture.completedFuture(response(status, text, null));
    }

    /** Stops serving and probing. */
    @Override
    public void close() {
        closed = true;
        if (config.server()) {
            host.removeStreamHandler(PROTOCOL);
        }
        host.removeListener(hostListener);
        if (periodic != null) {
            periodic.cancel(false);
        }
        scheduler.shutdownNow();
        if (ownsObserved) {
            observed.close();
        }
    }
}
