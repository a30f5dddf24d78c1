package org.lotusia.p2p.nat;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiaddrComponent;
import org.lotusia.libp2p.multiformats.MultiaddrProtocol;
import org.lotusia.libp2p.nat.ObservedAddresses;
import org.lotusia.libp2p.nat.Reachability;
import org.lotusia.libp2p.nat.autonat.AutoNat;
import org.lotusia.libp2p.nat.dcutr.Dcutr;
import org.lotusia.libp2p.nat.upnp.UpnpPortMapper;
import org.lotusia.libp2p.relay.CircuitRelay;
import org.lotusia.libp2p.relay.RelayClient;
import org.lotusia.libp2p.relay.RelayServer;
import org.lotusia.libp2p.relay.Reservation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * NAT traversal for one run of a coordinator's {@link Host}: starts the parts that are switched on
 * (circuit relay client and server, AutoNAT, DCUtR, UPnP port mapping), keeps relay reservations (on configured relays
 * and on bootstrap peers that run a relay server), reports our relay addresses and reachability, and
 * dials peers through relays.
 *
 * <p>Use: {@link #attach} before the host starts (so identify announces the protocols from the first
 * connection), {@link #start()} once it listens, {@link #close()} before the host closes.
 * Thread-safe. {@link Listener} callbacks run on the host's event thread (relay addresses) or on
 * AutoNAT's thread (reachability); they must only hand the news on.
 */
public final class NatService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NatService.class);
    private static final Multiaddr CIRCUIT = Multiaddr.of(MultiaddrComponent.of(MultiaddrProtocol.P2P_CIRCUIT));

    /** What the coordinator hears from NAT traversal. */
    public interface Listener {
        /** Our relay addresses ({@code …/p2p/<relay>/p2p-circuit/p2p/<us>}) changed: some appeared or disappeared. */
        void relayAddressesChanged(List<Multiaddr> relayAddresses);

        /** AutoNAT changed its verdict on our reachability. */
        void reachabilityChanged(Reachability reachability);
    }

    /**
     * Which parts run.
     *
     * @param relay       the circuit relay client (reservations, relay addresses, dialling via relays)
     * @param relayServer serve as a circuit relay for others
     * @param autoNat     AutoNAT (client and server per {@link NatTraversalConfig#autoNat()})
     * @param dcutr       DCUtR hole punching (needs {@code relay})
     * @param upnp        map the listen port on the UPnP gateway and announce the external address
     */
    public record Features(boolean relay, boolean relayServer, boolean autoNat, boolean dcutr, boolean upnp) {
        /** Validates the combination. */
        public Features {
            if (dcutr && !relay) {
                throw new IllegalArgumentException("DCUtR needs the relay client: it upgrades relayed connections");
            }
        }

        /** Whether anything runs at all. */
        public boolean any() {
            return relay || relayServer || autoNat || dcutr || upnp;
        }
    }

    private final Host host;
    private final Features features;
    private final NatTraversalConfig config;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final Map<PeerId, Multiaddr> configuredRelays = new LinkedHashMap<>();
    private final Map<PeerId, Multiaddr> bootstrapPeers = new LinkedHashMap<>();
    private final Set<PeerId> pending = ConcurrentHashMap.newKeySet();
    private final Map<PeerId, ScheduledFuture<?>> retries = new ConcurrentHashMap<>();
    private final HostListener hostListener = new HostListener() {
        @Override
        public void peerIdentified(PeerId peer, PeerRecordView info) {
            if (info.protocols().contains(CircuitRelay.HOP_PROTOCOL)) {
                considerRelay(peer);
            }
        }
    };
    private final ObservedAddresses observed;
    private final RelayServer relayServer;
    private final RelayClient relayClient;
    private final AutoNat autoNat;
    private final Dcutr dcutr;
    private volatile UpnpPortMapper upnp;
    private volatile boolean closed;

    private NatService(Host host, Features features, NatTraversalConfig config, List<Multiaddr> bootstrap,
                       ScheduledExecutorService scheduler, Listener listener) {
        this.host = host;
        this.features = features;
        this.config = config;
        this.scheduler = scheduler;
        this.listener = listener;
        for (Multiaddr address : config.relayAddresses()) {
            configuredRelays.putIfAbsent(address.getPeerId().orElseThrow(), address);
        }
        for (Multiaddr address : bootstrap) {
            address.getPeerId().ifPresent(p -> bootstrapPeers.putIfAbsent(p, address));
        }
        this.observed = features.autoNat() || features.dcutr() ? new ObservedAddresses(host, 1) : null;
        this.relayServer = features.relayServer() ? RelayServer.start(host, config.relayServer()) : null;
        if (features.relay()) {
            relayClient = RelayClient.start(host, config.relayClient());
            relayClient.addListener(new RelayClient.Listener() {
                @Override
                public void reservationEnded(PeerId relay, String reason) {
                    LOG.debug("relay reservation on {} ended: {}", relay, reason);
                    scheduleRetry(relay);
                }

                @Override
                public void relayAddressesChanged(List<Multiaddr> addresses) {
                    if (!closed) {
                        listener.relayAddressesChanged(withOurId(addresses));
                    }
                }
            });
            host.addListener(hostListener);
        } else {
            relayClient = null;
        }
        if (features.autoNat()) {
            autoNat = AutoNat.start(host, config.autoNat(), observed);
            autoNat.addListener(r -> {
                if (!closed) {
                    listener.reachabilityChanged(r);
                }
            });
        } else {
            autoNat = null;
        }
        this.dcutr = features.dcutr() ? Dcutr.start(host, config.dcutr(), observed) : null;
    }

    /**
     * Starts the switched-on parts on {@code host}, which should not be started yet.
     *
     * @param bootstrapPeers the coordinator's bootstrap peers (candidates for reservations)
     * @param scheduler      runs reservation retries
     * @param listener       hears about relay address and reachability changes
     */
    public static NatService attach(Host host, Features features, NatTraversalConfig config,
                                    List<Multiaddr> bootstrapPeers, ScheduledExecutorService scheduler,
                                    Listener listener) {
        return new NatService(Objects.requireNonNull(host, "host"), Objects.requireNonNull(features, "features"),
                Objects.requireNonNull(config, "config"), List.copyOf(bootstrapPeers),
                Objects.requireNonNull(scheduler, "scheduler"), Objects.requireNonNull(listener, "listener"));
    }

    /** Reserves on the configured relays and starts UPnP port mapping (the host listens now). */
    public void start() {
        if (features.upnp() && !closed) {
            UpnpPortMapper mapper = UpnpPortMapper.start(host, config.upnp());
            upnp = mapper;
            mapper.mapped().whenComplete((external, error) -> {
                if (error != null) {
                    LOG.warn("UPnP port mapping failed: {}", error.getMessage() != null ? error.getMessage() : error.toString());
                } else {
                    LOG.info("UPnP: reachable from outside at {}", external);
                }
            });
        }
        if (relayClient != null) {
            configuredRelays.keySet().forEach(this::reserve);
        }
    }

    /**
     * The external address UPnP mapped for us ({@code /ip4/<wan ip>/tcp/<port>}, without
     * {@code /p2p}), while mapped; empty without UPnP or when the mapping failed.
     */
    public Optional<Multiaddr> upnpAddress() {
        UpnpPortMapper mapper = upnp;
        return mapper == null ? Optional.empty() : mapper.externalAddress();
    }

    /** Which parts run. */
    public Features features() {
        return features;
    }

    /**
     * Our relay addresses, {@code …/p2p/<relay>/p2p-circuit/p2p/<us>}: one per address of each relay
     * on which we hold a live (granted, unexpired) reservation. Empty without the relay client.
     */
    public List<Multiaddr> relayAddresses() {
        return relayClient == null ? List.of() : withOurId(relayClient.relayAddresses());
    }

    /** The reservations held now (empty without the relay client). */
    public List<Reservation> reservations() {
        return relayClient == null ? List.of() : relayClient.reservations();
    }

    /** AutoNAT's verdict; {@link Reachability#UNKNOWN} without AutoNAT or before enough answers. */
    public Reachability reachability() {
        return autoNat == null ? Reachability.UNKNOWN : autoNat.reachability();
    }

    /**
     * Runs an AutoNAT probe round now.
     *
     * @throws IllegalStateException if AutoNAT is not enabled
     */
    public CompletableFuture<Reachability> probeReachability() {
        if (autoNat == null) {
            throw new IllegalStateException("AutoNAT not enabled in config (P2PConfig.enableAutoNAT)");
        }
        return autoNat.probe();
    }

    /**
     * The addresses others should dial us at: our relay addresses first unless AutoNAT found us
     * publicly reachable, in which case the direct addresses come first and the relay addresses after.
     * The direct addresses are the UPnP external address (when mapped) followed by {@code directAddresses}.
     */
    public List<Multiaddr> reachableAddresses(List<Multiaddr> directAddresses) {
        List<Multiaddr> relay = relayAddresses();
        List<Multiaddr> direct = new ArrayList<>();
        upnpAddress().ifPresent(a -> direct.add(a.withPeerId(host.peerId())));
        direct.addAll(directAddresses);
        List<Multiaddr> all = new ArrayList<>(direct.size() + relay.size());
        if (reachability() == Reachability.PUBLIC) {
            all.addAll(direct);
            all.addAll(relay);
        } else {
            all.addAll(relay);
            all.addAll(direct);
        }
        return all.stream().distinct().toList();
    }

    /**
     * Connects to {@code target} through a relay. {@code relay} is the relay's address (ending in
     * {@code /p2p/<relay>}) or a full circuit address ({@code …/p2p-circuit} or
     * {@code …/p2p-circuit/p2p/<target>}). An open relayed connection to the target is reused;
     * otherwise a new one is dialled through the relay (connecting to the relay if needed).
     *
     * @throws IllegalStateException    if the relay client is not enabled
     * @throws IllegalArgumentException if the address names no relay, names another target, or the
     *                                  target is ourselves
     */
    public CompletableFuture<Connection> connectViaRelay(Multiaddr relay, PeerId target) {
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(target, "target");
        RelayClient client = requireRelayClient();
        return dialCircuit(client, circuitAddress(relay, target), target);
    }

    /**
     * Connects to {@code target} through the relay peer {@code relay}, at the address of our
     * direct connection to it (or the first address the peer store knows).
     *
     * @throws IllegalStateException    if the relay client is not enabled
     * @throws IllegalArgumentException if no address of the relay is known
     */
    public CompletableFuture<Connection> connectViaRelay(PeerId relay, PeerId target) {
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(target, "target");
        RelayClient client = requireRelayClient();
        Multiaddr relayAddress = host.connections().stream()
                .filter(c -> c.remotePeer().equals(relay) && !c.isLimited() && !CircuitRelay.isCircuitAddress(c.remoteAddress()))
                .map(c -> c.remoteAddress().withPeerId(relay))
                .findFirst()
                .or(() -> host.peerStore().addresses(relay).stream()
                        .filter(a -> !CircuitRelay.isCircuitAddress(a)).findFirst().map(a -> a.withPeerId(relay)))
                .orElseThrow(() -> new IllegalArgumentException("no known address of relay " + relay
                        + ": connect to it first or give its multiaddr"));
        return dialCircuit(client, circuitAddress(relayAddress, target), target);
    }

    /** The relay server, when it runs (its reservations and circuits). */
    public Optional<RelayServer> relayServer() {
        return Optional.ofNullable(relayServer);
    }

    /** The relay client, when it runs. */
    public Optional<RelayClient> relayClient() {
        return Optional.ofNullable(relayClient);
    }

    /** AutoNAT, when it runs. */
    public Optional<AutoNat> autoNat() {
        return Optional.ofNullable(autoNat);
    }

    /** DCUtR, when it runs. */
    public Optional<Dcutr> dcutr() {
        return Optional.ofNullable(dcutr);
    }

    /** The UPnP port mapper, when UPnP is on. */
    public Optional<UpnpPortMapper> upnp() {
        return Optional.ofNullable(upnp);
    }

    /** Stops every part (reservations are dropped, relay addresses withdrawn, UPnP mapping removed). Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        retries.values().forEach(f -> f.cancel(false));
        retries.clear();
        host.removeListener(hostListener);
        closeQuietly(upnp);
        closeQuietly(dcutr);
        closeQuietly(autoNat);
        closeQuietly(relayClient);
        closeQuietly(relayServer);
        closeQuietly(observed);
    }

    // ------------------------------------------------------------------ reservations

    /** A peer that serves the hop protocol was identified: reserve if it is one of ours and there is room. */
    private void considerRelay(PeerId peer) {
        if (closed || relayClient == null) {
            return;
        }
        if (configuredRelays.containsKey(peer)) {
            reserve(peer);
        } else if (config.reserveOnBootstrapRelays() && bootstrapPeers.containsKey(peer)
                && bootstrapReservationsInUse() < config.maxBootstrapReservations()) {
            reserve(peer);
        }
    }

    private long bootstrapReservationsInUse() {
        Set<PeerId> used = new java.util.HashSet<>(pending);
        relayClient.reservations().forEach(r -> used.add(r.relay()));
        return used.stream().filter(p -> bootstrapPeers.containsKey(p) && !configuredRelays.containsKey(p)).count();
    }

    private boolean holds(PeerId relay) {
        return relayClient.reservations().stream().anyMatch(r -> r.relay().equals(relay));
    }

    private void reserve(PeerId relay) {
        Multiaddr address = configuredRelays.getOrDefault(relay, bootstrapPeers.get(relay));
        if (closed || address == null || holds(relay) || !pending.add(relay)) {
            return;
        }
        relayClient.reserve(address).whenComplete((reservation, error) -> {
            pending.remove(relay);
            if (error != null) {
                LOG.debug("reservation on relay {} failed: {}", relay, error.toString());
                scheduleRetry(relay);
            } else {
                LOG.info("relay reservation on {} until {}", relay, reservation.expiry());
            }
        });
    }

    /**
     * Tries a configured relay again later; a bootstrap relay too if we are still connected to it
     * (when it comes back after a disconnection, identify triggers a new reservation instead).
     */
    private void scheduleRetry(PeerId relay) {
        if (closed || !(configuredRelays.containsKey(relay)
                || config.reserveOnBootstrapRelays() && bootstrapPeers.containsKey(relay) && host.isConnected(relay))) {
            return;
        }
        Duration delay = config.reservationRetryInterval();
        try {
            retries.compute(relay, (p, previous) -> {
                if (previous != null) {
                    previous.cancel(false);
                }
                return scheduler.schedule(() -> {
                    retries.remove(p);
                    if (configuredRelays.containsKey(p)) {
                        reserve(p);
                    } else if (host.isConnected(p)
                            && host.peerStore().protocols(p).contains(CircuitRelay.HOP_PROTOCOL)) {
                        considerRelay(p);
                    }
                }, delay.toNanos(), TimeUnit.NANOSECONDS);
            });
        } catch (RejectedExecutionException shuttingDown) {
            LOG.debug("not retrying the reservation on {}: shutting down", relay);
        }
    }

    // ------------------------------------------------------------------ dialling

    private RelayClient requireRelayClient() {
        if (relayClient == null) {
            throw new IllegalStateException("circuit relay not enabled in config (P2PConfig.enableRelay)");
        }
        return relayClient;
    }

    private Multiaddr circuitAddress(Multiaddr relay, PeerId target) {
        if (target.equals(host.peerId())) {
            throw new IllegalArgumentException("cannot connect to ourselves via a relay");
        }
        List<MultiaddrComponent> components = relay.components();
        int circuit = -1;
        for (int i = components.size() - 1; i >= 0; i--) {
            if (components.get(i).protocol() == MultiaddrProtocol.P2P_CIRCUIT) {
                circuit = i;
                break;
            }
        }
        Multiaddr relayPart = circuit < 0 ? relay : Multiaddr.of(components.subList(0, circuit));
        if (relayPart.getPeerId().isEmpty()) {
            throw new IllegalArgumentException("relay address must name the relay (…/p2p/<relay id>): " + relay);
        }
        if (circuit >= 0 && circuit < components.size() - 1) {
            Optional<PeerId> named = relay.getPeerId();
            if (named.isEmpty() || !named.get().equals(target) || circuit != components.size() - 2) {
                throw new IllegalArgumentException("circuit address " + relay + " does not lead to " + target);
            }
        }
        if (relayPart.getPeerId().get().equals(target)) {
            throw new IllegalArgumentException("the relay and the target are the same peer: " + target);
        }
        return relayPart.encapsulate(CIRCUIT).withPeerId(target);
    }

    private CompletableFuture<Connection> dialCircuit(RelayClient client, Multiaddr circuit, PeerId target) {
        Optional<Connection> relayed = host.connections().stream()
                .filter(c -> c.remotePeer().equals(target) && (c.isLimited() || CircuitRelay.isCircuitAddress(c.remoteAddress())))
                .findFirst();
        if (relayed.isPresent()) {
            return CompletableFuture.completedFuture(relayed.get());
        }
        return client.dial(circuit);
    }

    private List<Multiaddr> withOurId(List<Multiaddr> relayAddresses) {
        return relayAddresses.stream().map(a -> a.withPeerId(host.peerId())).toList();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("closing {} failed: {}", closeable, e.toString());
        }
    }
}
