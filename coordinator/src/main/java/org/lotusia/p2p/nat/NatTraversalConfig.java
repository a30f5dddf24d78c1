package org.lotusia.p2p.nat;

import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.nat.autonat.AutoNatConfig;
import org.lotusia.libp2p.nat.dcutr.DcutrConfig;
import org.lotusia.libp2p.nat.upnp.UpnpConfig;
import org.lotusia.libp2p.relay.CircuitRelay;
import org.lotusia.libp2p.relay.RelayClientConfig;
import org.lotusia.libp2p.relay.RelayServerConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The NAT-traversal settings of a coordinator (used by the parts switched on with
 * {@code P2PConfig.enableRelay / enableRelayServer / enableAutoNAT / enableDCUTR / enableUPnP}): where
 * to reserve relay slots, and the settings of the libp2p relay client and server, AutoNAT, DCUtR and
 * UPnP port mapping. Immutable;
 * {@link #defaults()} then {@link #toBuilder()}.
 *
 * <p><b>Where the relay client reserves.</b> On every {@link #relayAddresses()} entry (always, retried
 * every {@link #reservationRetryInterval()} while it fails), and, with
 * {@link #reserveOnBootstrapRelays()}, on connected bootstrap peers whose identify shows they run a
 * relay server (at most {@link #maxBootstrapReservations()} of them; the reference's relay
 * transport holds one). A reservation is renewed before it expires; when it ends (relay gone,
 * expired) it is taken again as soon as the relay is back.
 */
public final class NatTraversalConfig {
    /** Default bootstrap relays reserved on. */
    public static final int DEFAULT_MAX_BOOTSTRAP_RESERVATIONS = 2;
    /** Default wait between failed reservation attempts on a configured relay. */
    public static final Duration DEFAULT_RESERVATION_RETRY = Duration.ofSeconds(30);

    private final List<Multiaddr> relayAddresses;
    private final boolean reserveOnBootstrapRelays;
    private final int maxBootstrapReservations;
    private final Duration reservationRetryInterval;
    private final RelayClientConfig relayClient;
    private final RelayServerConfig relayServer;
    private final AutoNatConfig autoNat;
    private final DcutrConfig dcutr;
    private final UpnpConfig upnp;

    private NatTraversalConfig(Builder b) {
        this.relayAddresses = List.copyOf(b.relayAddresses);
        this.reserveOnBootstrapRelays = b.reserveOnBootstrapRelays;
        this.maxBootstrapReservations = b.maxBootstrapReservations;
        this.reservationRetryInterval = b.reservationRetryInterval;
        this.relayClient = b.relayClient;
        this.relayServer = b.relayServer;
        this.autoNat = b.autoNat;
        this.dcutr = b.dcutr;
        this.upnp = b.upnp;
    }

    /**
     * No configured relays, reservations on up to {@value #DEFAULT_MAX_BOOTSTRAP_RESERVATIONS}
     * bootstrap relays, and the libp2p defaults of the relay client and server, AutoNAT (public
     * addresses only) and DCUtR (public addresses only, automatic upgrades).
     */
    public static NatTraversalConfig defaults() {
        return new Builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised with this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.relayAddresses.addAll(relayAddresses);
        b.reserveOnBootstrapRelays = reserveOnBootstrapRelays;
        b.maxBootstrapReservations = maxBootstrapReservations;
        b.reservationRetryInterval = reservationRetryInterval;
        b.relayClient = relayClient;
        b.relayServer = relayServer;
        b.autoNat = autoNat;
        b.dcutr = dcutr;
        b.upnp = upnp;
        return b;
    }

    /** Relays to reserve a slot on, each ending in {@code /p2p/<relay id>}. */
    public List<Multiaddr> relayAddresses() {
        return relayAddresses;
    }

    /** Whether connected bootstrap peers that serve the relay hop protocol are reserved on. */
    public boolean reserveOnBootstrapRelays() {
        return reserveOnBootstrapRelays;
    }

    /** The most bootstrap relays reserved on at once (configured relays do not count). */
    public int maxBootstrapReservations() {
        return maxBootstrapReservations;
    }

    /** How long to wait before asking a configured relay again after a reservation failed or ended. */
    public Duration reservationRetryInterval() {
        return reservationRetryInterval;
    }

    /** The relay client's settings (request timeout, renewal margin, …). */
    public RelayClientConfig relayClient() {
        return relayClient;
    }

    /** The relay server's limits (reservations, circuits, per-circuit duration and data). */
    public RelayServerConfig relayServer() {
        return relayServer;
    }

    /** AutoNAT's settings (probe interval, confirmations, private addresses for LANs and tests). */
    public AutoNatConfig autoNat() {
        return autoNat;
    }

    /** DCUtR's settings (attempts, timeouts, private addresses for LANs and tests). */
    public DcutrConfig dcutr() {
        return dcutr;
    }

    /** UPnP port mapping's settings (discovery and request timeouts, lease). */
    public UpnpConfig upnp() {
        return upnp;
    }

    @Override
    public String toString() {
        return "NatTraversalConfig[relayAddresses=" + relayAddresses + ", reserveOnBootstrapRelays="
                + reserveOnBootstrapRelays + ", maxBootstrapReservations=" + maxBootstrapReservations + "]";
    }

    /** Builds a {@link NatTraversalConfig}. Not thread-safe. */
    public static final class Builder {
        private final List<Multiaddr> relayAddresses = new ArrayList<>();
        private boolean reserveOnBootstrapRelays = true;
        private int maxBootstrapReservations = DEFAULT_MAX_BOOTSTRAP_RESERVATIONS;
        private Duration reservationRetryInterval = DEFAULT_RESERVATION_RETRY;
        private RelayClientConfig relayClient = RelayClientConfig.defaults();
        private RelayServerConfig relayServer = RelayServerConfig.defaults();
        private AutoNatConfig autoNat = AutoNatConfig.defaults();
        private DcutrConfig dcutr = DcutrConfig.defaults();
        private UpnpConfig upnp = UpnpConfig.defaults();

        private Builder() {
        }

        /**
         * Replaces the relays to reserve on.
         *
         * @throws IllegalArgumentException if an address does not end in {@code /p2p/<relay id>} or is
         *                                  itself a {@code /p2p-circuit} address
         */
        public Builder relayAddresses(Collection<Multiaddr> addresses) {
            List<Multiaddr> copy = new ArrayList<>();
            for (Multiaddr address : addresses) {
                Objects.requireNonNull(address, "relay address");
                if (address.getPeerId().isEmpty() || CircuitRelay.isCircuitAddress(address)) {
                    throw new IllegalArgumentException(
                            "relay address must end with /p2p/<relay id> and not be a /p2p-circuit address: " + address);
                }
                copy.add(address);
            }
            relayAddresses.clear();
            relayAddresses.addAll(copy);
            return this;
        }

        /**
         * Replaces the relays to reserve on.
         *
         * @throws IllegalArgumentException naming the address if one is malformed or names no relay
         */
        public Builder relayAddresses(String... addresses) {
            List<Multiaddr> parsed = new ArrayList<>();
            for (String text : addresses) {
                Objects.requireNonNull(text, "relay address");
                try {
                    parsed.add(Multiaddr.parse(text));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("invalid relay address '" + text + "': " + e.getMessage(), e);
                }
            }
            return relayAddresses(parsed);
        }

        /** Whether to reserve on bootstrap peers that run a relay server (default {@code true}). */
        public Builder reserveOnBootstrapRelays(boolean reserve) {
            this.reserveOnBootstrapRelays = reserve;
            return this;
        }

        /** The most bootstrap relays reserved on (default {@value #DEFAULT_MAX_BOOTSTRAP_RESERVATIONS}); at least 1. */
        public Builder maxBootstrapReservations(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxBootstrapReservations must be positive: " + max);
            }
            this.maxBootstrapReservations = max;
            return this;
        }

        /** Wait between attempts on a configured relay (default 30 s); positive. */
        public Builder reservationRetryInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("reservationRetryInterval must be positive: " + interval);
            }
            this.reservationRetryInterval = interval;
            return this;
        }

        /** The relay client's settings (default {@link RelayClientConfig#defaults()}). */
        public Builder relayClient(RelayClientConfig config) {
            this.relayClient = Objects.requireNonNull(config, "config");
            return this;
        }

        /** The relay server's limits (default {@link RelayServerConfig#defaults()}). */
        public Builder relayServer(RelayServerConfig config) {
            this.relayServer = Objects.requireNonNull(config, "config");
            return this;
        }

        /** AutoNAT's settings (default {@link AutoNatConfig#defaults()}). */
        public Builder autoNat(AutoNatConfig config) {
            this.autoNat = Objects.requireNonNull(config, "config");
            return this;
        }

        /** DCUtR's settings (default {@link DcutrConfig#defaults()}). */
        public Builder dcutr(DcutrConfig config) {
            this.dcutr = Objects.requireNonNull(config, "config");
            return this;
        }

        /** UPnP port mapping's settings (default {@link UpnpConfig#defaults()}). */
        public Builder upnp(UpnpConfig config) {
            this.upnp = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Builds the configuration. */
        public NatTraversalConfig build() {
            return new NatTraversalConfig(this);
        }
    }
}
