package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.pubsub.GossipSubConfig;
import org.lotusia.p2p.coordinator.BackoffPolicy;
import org.lotusia.p2p.dht.DhtResourceConfig;
import org.lotusia.p2p.nat.NatTraversalConfig;
import org.lotusia.p2p.pubsub.MeshHealthConfig;
import org.lotusia.p2p.security.SecurityConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The configuration of a {@link P2PCoordinator} (reference {@code P2PConfig}). Immutable; build it
 * with {@link #builder()}:
 *
 * <pre>{@code
 * P2PConfig config = P2PConfig.builder()
 *         .listen("/ip4/0.0.0.0/tcp/4001")
 *         .bootstrapPeers("/dns4/bootstrap1.lotusia.org/tcp/4001/p2p/12D3KooW...")
 *         .identityFile(Path.of("node.key"))
 *         .build();
 * }</pre>
 *
 * <p><b>GossipSub</b> runs when {@link Builder#enableGossipSub(boolean)} is {@code true} (default
 * {@code false} here, the reference defaults it to {@code true}), with {@link #gossipSubConfig()}
 * (the js defaults plus {@code allowPublishToZeroPeers}, as the reference configures it) and the
 * mesh health monitor's {@link #meshHealth()} settings.
 *
 * <p><b>The Kademlia DHT</b> runs when {@link Builder#enableDHT(boolean)} is {@code true} (default
 * {@code false} here, the reference defaults it to {@code true}) on {@link #dhtProtocol()} (default
 * {@value #DEFAULT_DHT_PROTOCOL}), in client mode unless {@link Builder#enableDHTServer(boolean)}, with
 * the resource-management settings {@link #dhtResources()}; see {@link P2PCoordinator#announceResource}.
 *
 * <p><b>NAT traversal</b> (see {@link P2PCoordinator#getReachableAddresses()}): the circuit relay
 * client ({@link Builder#enableRelay(boolean)}: reservations, relay addresses,
 * {@link P2PCoordinator#connectToPeerViaRelay}), the relay server
 * ({@link Builder#enableRelayServer(boolean)}), AutoNAT ({@link Builder#enableAutoNAT(boolean)}) and
 * DCUtR hole punching ({@link Builder#enableDCUTR(boolean)}, requires the relay client) run when
 * switched on, with the settings of {@link #natTraversal()} (relays to reserve on, relay server
 * limits, AutoNAT and DCUtR parameters). UPnP port mapping ({@link Builder#enableUPnP(boolean)}) is
 * opt-in as in the reference. They default to {@code false} here (the reference defaults relay,
 * AutoNAT and DCUtR to {@code true}).
 *
 * <p>Unlike the reference, every option here has an effect: {@code maxConnections} limits the
 * host's connections, {@code metadata} is available to applications through {@link #metadata()},
 * malformed addresses are rejected when building, and bootstrap addresses must name their peer.
 */
public final class P2PConfig {
    /** The default listen address ({@code /ip4/0.0.0.0/tcp/0}: every interface, a free port). */
    public static final String DEFAULT_LISTEN = "/ip4/0.0.0.0/tcp/0";
    /** The default DHT protocol id (the reference's, not the libp2p default {@code /ipfs/kad/1.0.0}). */
    public static final String DEFAULT_DHT_PROTOCOL = "/lotus/kad/1.0.0";
    /** The default connection limit (the reference's {@code connectionManager.maxConnections}). */
    public static final int DEFAULT_MAX_CONNECTIONS = 50;
    /**
     * The default GossipSub parameters: js-libp2p's defaults with {@code allowPublishToZeroPeers}
     * on, as the reference configures its router ({@code allowPublishToZeroTopicPeers: true}).
     */
    public static final GossipSubConfig DEFAULT_GOSSIPSUB = GossipSubConfig.builder()
            .allowPublishToZeroPeers(true).build();

    private final List<Multiaddr> listen;
    private final List<Multiaddr> announce;
    private final List<Multiaddr> bootstrapPeers;
    private final BackoffPolicy bootstrapBackoff;
    private final boolean enableDHT;
    private final String dhtProtocol;
    private final boolean enableDHTServer;
    private final DhtResourceConfig dhtResources;
    private final boolean enableGossipSub;
    private final boolean enableRelay;
    private final boolean enableRelayServer;
    private final boolean enableAutoNAT;
    private final boolean enableDCUTR;
    private final boolean enableUPnP;
    private final int maxConnections;
    private final PrivateKey privateKey;
    private final Path identityFile;
    private final Map<String, Object> metadata;
    private final SecurityConfig securityConfig;
    private final GossipSubConfig gossipSubConfig;
    private final MeshHealthConfig meshHealth;
    private final NatTraversalConfig natTraversal;

    private P2PConfig(Builder b) {
        this.listen = List.copyOf(b.listen.isEmpty() ? List.of(Multiaddr.parse(DEFAULT_LISTEN)) : b.listen);
        this.announce = List.copyOf(b.announce);
        this.bootstrapPeers = List.copyOf(b.bootstrapPeers);
        this.bootstrapBackoff = b.bootstrapBackoff;
        this.enableDHT = b.enableDHT;
        this.dhtProtocol = b.dhtProtocol;
        this.enableDHTServer = b.enableDHTServer;
        this.dhtResources = b.dhtResources;
        this.enableGossipSub = b.enableGossipSub;
        this.enableRelay = b.enableRelay;
        this.enableRelayServer = b.enableRelayServer;
        this.enableAutoNAT = b.enableAutoNAT;
        this.enableDCUTR = b.enableDCUTR;
        this.enableUPnP = b.enableUPnP;
        this.maxConnections = b.maxConnections;
        this.privateKey = b.privateKey;
        this.identityFile = b.identityFile;
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        this.securityConfig = b.securityConfig;
        this.gossipSubConfig = b.gossipSubConfig;
        this.meshHealth = b.meshHealth;
        this.natTraversal = b.natTraversal;
    }

    /** A new builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: listen on {@value #DEFAULT_LISTEN}, a fresh Ed25519 identity, no bootstrap peers. */
    public static P2PConfig defaults() {
        return builder().build();
    }

    /** A builder initialised with this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.listen.addAll(listen);
        b.announce.addAll(announce);
        b.bootstrapPeers.addAll(bootstrapPeers);
        b.bootstrapBackoff = bootstrapBackoff;
        b.enableDHT = enableDHT;
        b.dhtProtocol = dhtProtocol;
        b.enableDHTServer = enableDHTServer;
        b.dhtResources = dhtResources;
        b.enableGossipSub = enableGossipSub;
        b.enableRelay = enableRelay;
        b.enableRelayServer = enableRelayServer;
        b.enableAutoNAT = enableAutoNAT;
        b.enableDCUTR = enableDCUTR;
        b.enableUPnP = enableUPnP;
        b.maxConnections = maxConnections;
        b.privateKey = privateKey;
        b.identityFile = identityFile;
        b.metadata.putAll(metadata);
        b.securityConfig = securityConfig;
        b.gossipSubConfig = gossipSubConfig;
        b.meshHealth = meshHealth;
        b.natTraversal = natTraversal;
        return b;
    }

    /** The addresses to listen on (TCP; port 0 picks a free port). */
    public List<Multiaddr> listen() {
        return listen;
    }

    /** Addresses to advertise instead of the listen addresses (reported by {@link P2PCoordinator#getStats()}). */
    public List<Multiaddr> announce() {
        return announce;
    }

    /** Bootstrap peers, each ending in {@code /p2p/<peer id>}: dialled on start and re-dialled with backoff. */
    public List<Multiaddr> bootstrapPeers() {
        return bootstrapPeers;
    }

    /** How bootstrap peers are re-dialled. */
    public BackoffPolicy bootstrapBackoff() {
        return bootstrapBackoff;
    }

    /** Whether the Kademlia DHT and resource management run. */
    public boolean enableDHT() {
        return enableDHT;
    }

    /** The DHT protocol id. */
    public String dhtProtocol() {
        return dhtProtocol;
    }

    /**
     * Whether the DHT runs in server mode (answers other peers' queries and stores their records);
     * otherwise client mode. Announcements reach the network in both modes.
     */
    public boolean enableDHTServer() {
        return enableDHTServer;
    }

    /** The DHT resource-management settings (signing, queue, republishing, cache; default {@link DhtResourceConfig#defaults()}). */
    public DhtResourceConfig dhtResources() {
        return dhtResources;
    }

    /** Whether GossipSub pub/sub runs (default {@code false}). */
    public boolean enableGossipSub() {
        return enableGossipSub;
    }

    /** Whether the circuit relay client runs: reservations, relay addresses, dialling through relays. */
    public boolean enableRelay() {
        return enableRelay;
    }

    /** Whether we act as a circuit relay for other peers (limits in {@link #natTraversal()}). */
    public boolean enableRelayServer() {
        return enableRelayServer;
    }

    /** Whether AutoNAT runs (client and server): our reachability in {@link P2PCoordinator#getReachability()}. */
    public boolean enableAutoNAT() {
        return enableAutoNAT;
    }

    /** Whether DCUtR hole punching runs (upgrades relayed connections to direct ones). */
    public boolean enableDCUTR() {
        return enableDCUTR;
    }

    /** Whether UPnP IGD port mapping of the listen port runs (opt-in; settings in {@link #natTraversal()}). */
    public boolean enableUPnP() {
        return enableUPnP;
    }

    /** The most open connections the node keeps (default {@value #DEFAULT_MAX_CONNECTIONS}). */
    public int maxConnections() {
        return maxConnections;
    }

    /** The identity key, if one was given. */
    public Optional<PrivateKey> privateKey() {
        return Optional.ofNullable(privateKey);
    }

    /** The identity file (loaded, or created with a new Ed25519 key if missing), if one was given. */
    public Optional<Path> identityFile() {
        return Optional.ofNullable(identityFile);
    }

    /** Application metadata (free-form; not sent to peers in this version). Unmodifiable. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The security manager's configuration. */
    public SecurityConfig securityConfig() {
        return securityConfig;
    }

    /** The GossipSub router's parameters (default {@link #DEFAULT_GOSSIPSUB}); used when GossipSub is enabled. */
    public GossipSubConfig gossipSubConfig() {
        return gossipSubConfig;
    }

    /** The mesh health monitor's settings (default {@link MeshHealthConfig#defaults()}). */
    public MeshHealthConfig meshHealth() {
        return meshHealth;
    }

    /** The NAT-traversal settings (default {@link NatTraversalConfig#defaults()}); used by the parts switched on. */
    public NatTraversalConfig natTraversal() {
        return natTraversal;
    }

    @Override
    public String toString() {
        return "P2PConfig[listen=" + listen + ", announce=" + announce + ", bootstrapPeers=" + bootstrapPeers
                + ", maxConnections=" + maxConnections + ", identity="
                + (privateKey != null ? "key" : identityFile != null ? identityFile : "random") + "]";
    }

    /** Builds a {@link P2PConfig}. Not thread-safe. */
    public static final class Builder {
        private final List<Multiaddr> listen = new ArrayList<>();
        private final List<Multiaddr> announce = new ArrayList<>();
        private final List<Multiaddr> bootstrapPeers = new ArrayList<>();
        private BackoffPolicy bootstrapBackoff = BackoffPolicy.defaults();
        private boolean enableDHT;
        private String dhtProtocol = DEFAULT_DHT_PROTOCOL;
        private boolean enableDHTServer;
        private DhtResourceConfig dhtResources = DhtResourceConfig.defaults();
        private boolean enableGossipSub;
        private boolean enableRelay;
        private boolean enableRelayServer;
        private boolean enableAutoNAT;
        private boolean enableDCUTR;
        private boolean enableUPnP;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private PrivateKey privateKey;
        private Path identityFile;
        private final Map<String, Object> metadata = new LinkedHashMap<>();
        private SecurityConfig securityConfig = SecurityConfig.defaults();
        private GossipSubConfig gossipSubConfig = DEFAULT_GOSSIPSUB;
        private MeshHealthConfig meshHealth = MeshHealthConfig.defaults();
        private NatTraversalConfig natTraversal = NatTraversalConfig.defaults();

        private Builder() {
        }

        /**
         * Replaces the listen addresses (default {@value P2PConfig#DEFAULT_LISTEN}).
         *
         * @throws IllegalArgumentException naming the address if one is malformed
         */
        public Builder listen(String... addresses) {
            return listen(parseAll("listen", List.of(addresses)));
        }

        /** Replaces the listen addresses. */
        public Builder listen(Collection<Multiaddr> addresses) {
            replace(listen, addresses, "listen");
            return this;
        }

        /**
         * Replaces the announce addresses (default none).
         *
         * @throws IllegalArgumentException naming the address if one is malformed
         */
        public Builder announce(String... addresses) {
            return announce(parseAll("announce", List.of(addresses)));
        }

        /** Replaces the announce addresses. */
        public Builder announce(Collection<Multiaddr> addresses) {
            replace(announce, addresses, "announce");
            return this;
        }

        /**
         * Replaces the bootstrap peers (default none). Each address must end in {@code /p2p/<peer id>}.
         *
         * @throws IllegalArgumentException naming the address if one is malformed or names no peer
         */
        public Builder bootstrapPeers(String... addresses) {
            return bootstrapPeers(parseAll("bootstrap peer", List.of(addresses)));
        }

        /**
         * Replaces the bootstrap peers.
         *
         * @throws IllegalArgumentException naming the address if one names no peer
         */
        public Builder bootstrapPeers(Collection<Multiaddr> addresses) {
            for (Multiaddr address : addresses) {
                Objects.requireNonNull(address, "bootstrap peer address");
                if (address.getPeerId().isEmpty()) {
                    throw new IllegalArgumentException(
                            "bootstrap peer address must end with /p2p/<peer id>: " + address);
                }
            }
            replace(bootstrapPeers, addresses, "bootstrap peer");
            return this;
        }

        /** How bootstrap peers are re-dialled (default {@link BackoffPolicy#defaults()}). */
        public Builder bootstrapBackoff(BackoffPolicy policy) {
            this.bootstrapBackoff = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Runs the Kademlia DHT and the resource management (default {@code false}; the reference's is {@code true}). */
        public Builder enableDHT(boolean enable) {
            this.enableDHT = enable;
            return this;
        }

        /** The DHT protocol id (default {@value P2PConfig#DEFAULT_DHT_PROTOCOL}); must start with {@code /}. */
        public Builder dhtProtocol(String protocol) {
            this.dhtProtocol = Objects.requireNonNull(protocol, "protocol");
            return this;
        }

        /** DHT server mode (default {@code false}: client mode); requires {@link #enableDHT(boolean)}. */
        public Builder enableDHTServer(boolean enable) {
            this.enableDHTServer = enable;
            return this;
        }

        /** The DHT resource-management settings (default {@link DhtResourceConfig#defaults()}). */
        public Builder dhtResources(DhtResourceConfig config) {
            this.dhtResources = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Runs GossipSub pub/sub ({@link P2PCoordinator#subscribeToTopic}, {@link P2PCoordinator#publishToTopic}).
         * Default {@code false} (the reference's default is {@code true}).
         */
        public Builder enableGossipSub(boolean enable) {
            this.enableGossipSub = enable;
            return this;
        }

        /** The GossipSub router's parameters (default {@link P2PConfig#DEFAULT_GOSSIPSUB}). */
        public Builder gossipSubConfig(GossipSubConfig config) {
            this.gossipSubConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The mesh health monitor's settings (default {@link MeshHealthConfig#defaults()}). */
        public Builder meshHealth(MeshHealthConfig config) {
            this.meshHealth = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Runs the circuit relay client (default {@code false}; the reference's is {@code true}): reserves
         * on the relays of {@link NatTraversalConfig#relayAddresses()} and on bootstrap peers that run a
         * relay server, announces the relay addresses and dials through relays.
         */
        public Builder enableRelay(boolean enable) {
            this.enableRelay = enable;
            return this;
        }

        /** Acts as a circuit relay for other peers (default {@code false}), with {@link NatTraversalConfig#relayServer()}'s limits. */
        public Builder enableRelayServer(boolean enable) {
            this.enableRelayServer = enable;
            return this;
        }

        /** Runs AutoNAT (default {@code false}; the reference's is {@code true}) with {@link NatTraversalConfig#autoNat()}. */
        public Builder enableAutoNAT(boolean enable) {
            this.enableAutoNAT = enable;
            return this;
        }

        /**
         * Runs DCUtR hole punching (default {@code false}; the reference's is {@code true}); requires
         * {@link #enableRelay(boolean)}. The host then dials from its listen port (port reuse), as
         * hole punching needs.
         */
        public Builder enableDCUTR(boolean enable) {
            this.enableDCUTR = enable;
            return this;
        }

        /**
         * Maps the IPv4 listen port on the UPnP gateway of the LAN, renews and announces the mapping
         * and removes it on stop (default {@code false}, as in the reference: opening ports is opt-in).
         */
        public Builder enableUPnP(boolean enable) {
            this.enableUPnP = enable;
            return this;
        }

        /** The most open connections (default {@value P2PConfig#DEFAULT_MAX_CONNECTIONS}); must be positive. */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /** The identity key (default: a new Ed25519 key, kept across restarts of one coordinator). */
        public Builder privateKey(PrivateKey key) {
            this.privateKey = Objects.requireNonNull(key, "key");
            return this;
        }

        /** The identity file: loaded, or created with a new Ed25519 key when missing. */
        public Builder identityFile(Path path) {
            this.identityFile = Objects.requireNonNull(path, "path");
            return this;
        }

        /** Adds an application metadata entry (free-form, not sent to peers). */
        public Builder metadata(String key, Object value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Replaces the application metadata. */
        public Builder metadata(Map<String, ?> entries) {
            metadata.clear();
            entries.forEach(this::metadata);
            return this;
        }

        /** The security manager's configuration (default {@link SecurityConfig#defaults()}). */
        public Builder securityConfig(SecurityConfig config) {
            this.securityConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The NAT-traversal settings (default {@link NatTraversalConfig#defaults()}). */
        public Builder natTraversal(NatTraversalConfig config) {
            this.natTraversal = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException if DCUtR is enabled without the relay client, if both a private key
         *                                  and an identity file are given, or if a limit is invalid
         */
        public P2PConfig build() {
            if (enableDCUTR && !enableRelay) {
                throw new IllegalArgumentException("enableDCUTR requires enableRelay (hole punching upgrades relayed connections)");
            }
            if (!natTraversal.relayAddresses().isEmpty() && !enableRelay) {
                throw new IllegalArgumentException("natTraversal.relayAddresses requires enableRelay");
            }
            if (!dhtProtocol.startsWith("/")) {
                throw new IllegalArgumentException("dhtProtocol must start with '/': " + dhtProtocol);
            }
            if (enableDHTServer && !enableDHT) {
                throw new IllegalArgumentException("enableDHTServer requires enableDHT");
            }
            if (maxConnections < 1) {
                throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
            }
            if (privateKey != null && identityFile != null) {
                throw new IllegalArgumentException("privateKey and identityFile are mutually exclusive");
            }
            return new P2PConfig(this);
        }

        private static void replace(List<Multiaddr> target, Collection<Multiaddr> addresses, String what) {
            List<Multiaddr> copy = new ArrayList<>(addresses.size());
            for (Multiaddr address : addresses) {
                copy.add(Objects.requireNonNull(address, what + " address"));
            }
            target.clear();
            target.addAll(copy);
        }

        private static List<Multiaddr> parseAll(String what, List<String> texts) {
            List<Multiaddr> parsed = new ArrayList<>(texts.size());
            for (String text : texts) {
                parsed.add(parse(what, text));
            }
            return parsed;
        }

        static Multiaddr parse(String what, String text) {
            Objects.requireNonNull(text, what + " address");
            try {
                return Multiaddr.parse(text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("invalid " + what + " address '" + text + "': " + e.getMessage(), e);
            }
        }
    }
}
