package org.lotusia.libp2p.relay;

import org.lotusia.libp2p.crypto.PeerId;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Limits and timings of a {@link RelayServer}. Defaults follow go-libp2p's relay resources (js's
 * differ only in having fewer reservations): reservations live 1 hour; 128 reservations in all, 8
 * peers per IP address, 4 reservation grants per peer within one reservation lifetime; 64 circuits in
 * all and 16 per peer; each circuit limited to 2 minutes and 128 KiB per direction.
 */
public final class RelayServerConfig {
    private final Duration reservationTtl;
    private final int maxReservations;
    private final int maxReservationsPerPeer;
    private final int maxReservationsPerIp;
    private final int maxCircuits;
    private final int maxCircuitsPerPeer;
    private final Limit circuitLimit;
    private final Duration hopTimeout;
    private final Predicate<PeerId> reservationFilter;

    private RelayServerConfig(Builder b) {
        this.reservationTtl = b.reservationTtl;
        this.maxReservations = b.maxReservations;
        this.maxReservationsPerPeer = b.maxReservationsPerPeer;
        this.maxReservationsPerIp = b.maxReservationsPerIp;
        this.maxCircuits = b.maxCircuits;
        this.maxCircuitsPerPeer = b.maxCircuitsPerPeer;
        this.circuitLimit = b.circuitLimit;
        this.hopTimeout = b.hopTimeout;
        this.reservationFilter = b.reservationFilter;
    }

    /** The defaults. */
    public static RelayServerConfig defaults() {
        return builder().build();
    }

    /** Starts from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** How long a reservation lasts unless renewed. */
    public Duration reservationTtl() {
        return reservationTtl;
    }

    /** Active reservations in all; more are refused with {@code RESERVATION_REFUSED}. */
    public int maxReservations() {
        return maxReservations;
    }

    /** Reservation grants (new or renewed) to one peer within one {@link #reservationTtl()}. */
    public int maxReservationsPerPeer() {
        return maxReservationsPerPeer;
    }

    /** Peers holding a reservation from one IP address. */
    public int maxReservationsPerIp() {
        return maxReservationsPerIp;
    }

    /** Circuits relayed at once; more are refused with {@code RESOURCE_LIMIT_EXCEEDED}. */
    public int maxCircuits() {
        return maxCircuits;
    }

    /** Circuits one peer takes part in (as initiator or target) at once. */
    public int maxCircuitsPerPeer() {
        return maxCircuitsPerPeer;
    }

    /** The limit applied to every circuit ({@link Limit#NONE}: unlimited, connections not limited). */
    public Limit circuitLimit() {
        return circuitLimit;
    }

    /** Time for a hop request to arrive and for the target to answer the stop request. */
    public Duration hopTimeout() {
        return hopTimeout;
    }

    /** Which peers may reserve; others get {@code PERMISSION_DENIED}. */
    public Predicate<PeerId> reservationFilter() {
        return reservationFilter;
    }

    /** Builds a {@link RelayServerConfig}. */
    public static final class Builder {
        private Duration reservationTtl = Duration.ofHours(1);
        private int maxReservations = 128;
        private int maxReservationsPerPeer = 4;
        private int maxReservationsPerIp = 8;
        private int maxCircuits = 64;
        private int maxCircuitsPerPeer = 16;
        private Limit circuitLimit = new Limit(Duration.ofMinutes(2), 128 * 1024);
        private Duration hopTimeout = Duration.ofSeconds(30);
        private Predicate<PeerId> reservationFilter = peer -> true;

        private Builder() {
        }

        /** See {@link RelayServerConfig#reservationTtl()}; at least one second. */
        public Builder reservationTtl(Duration ttl) {
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("reservation TTL must be at least 1 s (expiry is sent in seconds)");
            }
            this.reservationTtl = ttl;
            return this;
        }

        /** See {@link RelayServerConfig#maxReservations()}. */
        public Builder maxReservations(int max) {
            this.maxReservations = positive(max);
            return this;
        }

        /** See {@link RelayServerConfig#maxReservationsPerPeer()}. */
        public Builder maxReservationsPerPeer(int max) {
            this.maxReservationsPerPeer = positive(max);
            return this;
        }

        /** See {@link RelayServerConfig#maxReservationsPerIp()}. */
        public Builder maxReservationsPerIp(int max) {
            this.maxReservationsPerIp = positive(max);
            return this;
        }

        /** See {@link RelayServerConfig#maxCircuits()}. */
        public Builder maxCircuits(int max) {
            this.maxCircuits = positive(max);
            return this;
        }

        /** See {@link RelayServerConfig#maxCircuitsPerPeer()}. */
        public Builder maxCircuitsPerPeer(int max) {
            this.maxCircuitsPerPeer = positive(max);
            return this;
        }

        /** See {@link RelayServerConfig#circuitLimit()}. */
        public Builder circuitLimit(Limit limit) {
            this.circuitLimit = Objects.requireNonNull(limit, "limit");
            return this;
        }

        /** See {@link RelayServerConfig#hopTimeout()}. */
        public Builder hopTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.hopTimeout = timeout;
            return this;
        }

        /** See {@link RelayServerConfig#reservationFilter()}. */
        public Builder reservationFilter(Predicate<PeerId> filter) {
            this.reservationFilter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /** Creates the configuration. */
        public RelayServerConfig build() {
            return new RelayServerConfig(this);
        }

        private static int positive(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("limits must be positive");
            }
            return value;
        }
    }
}
