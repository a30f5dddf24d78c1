package org.lotusia.libp2p.kad;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link KadDht}. Start from {@link #defaults()} and change what you need with the
 * {@code with…} methods.
 *
 * @param protocol           DHT protocol id ({@value KadDht#DEFAULT_PROTOCOL} by default; Lotus uses {@value KadDht#LOTUS_PROTOCOL})
 * @param serverMode         whether to start in server mode (answer requests, advertise the protocol)
 * @param k                  bucket size and replication factor
 * @param alpha              concurrent requests per lookup
 * @param rpcTimeout         limit on one request, dial included
 * @param queryTimeout       limit on a whole lookup
 * @param inboundIdleTimeout how long an inbound stream may stay silent
 * @param maxMessageBytes    largest message accepted or sent
 * @param maxKeyBytes        longest record or provider key
 * @param maxValueBytes      largest record value
 * @param maxRecords         records kept
 * @param recordTtl          how long a received record is kept and served
 * @param maxProviderKeys    provider keys kept
 * @param maxProvidersPerKey providers kept per key
 * @param providerTtl        how long a provider announcement lasts
 * @param maxRoutingPeers    bound on the routing table
 * @param maxAddressesPerPeer addresses sent or taken per peer in a message
 * @param validation         key rules, validators and selectors
 * @param clock              time source of the stores
 * @param refreshInterval    how often the routing table is refreshed (self lookup, plus a random-id lookup in
 *                           each bucket no lookup touched within this interval); zero disables it
 * @param republishInterval  how often records and provider announcements this node originated are put again
 *                           (capped at half their TTL so they never lapse); zero disables it
 * @param sweepInterval      how often expired records and providers are removed from the stores; zero disables
 *                           the sweeper (entries are still dropped lazily on read)
 * @param maxQueryFailures   consecutive failed requests after which a peer leaves the routing table
 * @param maxPeersPerMessage closer or provider peer entries accepted in one message (more is malformed)
 */
public record KadConfig(
        String protocol,
        boolean serverMode,
        int k,
        int alpha,
        Duration rpcTimeout,
        Duration queryTimeout,
        Duration inboundIdleTimeout,
        int maxMessageBytes,
        int maxKeyBytes,
        int maxValueBytes,
        int maxRecords,
        Duration recordTtl,
        int maxProviderKeys,
        int maxProvidersPerKey,
        Duration providerTtl,
        int maxRoutingPeers,
        int maxAddressesPerPeer,
        RecordValidation validation,
        Clock clock,
        Duration refreshInterval,
        Duration republishInterval,
        Duration sweepInterval,
        int maxQueryFailures,
        int maxPeersPerMessage) {

    /** Default routing-table refresh interval (js kad-dht: 5 min). */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(5);
    /** Default republish interval of originated records and providers (js kad-dht reprovides hourly). */
    public static final Duration DEFAULT_REPUBLISH_INTERVAL = Duration.ofHours(1);
    /** Default store sweep interval. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);

    /** Checks the settings. */
    public KadConfig {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(rpcTimeout, "rpcTimeout");
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        Objects.requireNonNull(inboundIdleTimeout, "inboundIdleTimeout");
        Objects.requireNonNull(recordTtl, "recordTtl");
        Objects.requireNonNull(providerTtl, "providerTtl");
        Objects.requireNonNull(validation, "validation");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(refreshInterval, "refreshInterval");
        Objects.requireNonNull(republishInterval, "republishInterval");
        Objects.requireNonNull(sweepInterval, "sweepInterval");
        if (refreshInterval.isNegative() || republishInterval.isNegative() || sweepInterval.isNegative()
                || maxQueryFailures < 1 || maxPeersPerMessage < k) {
            throw new IllegalArgumentException("invalid kad maintenance settings");
        }
        if (k < 1 || alpha < 1 || maxMessageBytes < 1024 || maxKeyBytes < 1 || maxValueBytes < 0 || maxRecords < 1
                || maxProviderKeys < 1 || maxProvidersPerKey < 1 || maxRoutingPeers < 1 || maxAddressesPerPeer < 1) {
            throw new IllegalArgumentException("invalid kad settings");
        }
        if (!protocol.startsWith("/")) {
            throw new IllegalArgumentException("protocol id must start with '/': " + protocol);
        }
    }

    /** The settings of earlier versions, with the default maintenance settings. */
    public KadConfig(String protocol, boolean serverMode, int k, int alpha, Duration rpcTimeout, Duration queryTimeout,
                     Duration inboundIdleTimeout, int maxMessageBytes, int maxKeyBytes, int maxValueBytes, int maxRecords,
                     Duration recordTtl, int maxProviderKeys, int maxProvidersPerKey, Duration providerTtl,
                     int maxRoutingPeers, int maxAddressesPerPeer, RecordValidation validation, Clock clock) {
        this(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout, maxMessageBytes, maxKeyBytes,
                maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey, providerTtl, maxRoutingPeers,
                maxAddressesPerPeer, validation, clock, DEFAULT_REFRESH_INTERVAL, DEFAULT_REPUBLISH_INTERVAL,
                DEFAULT_SWEEP_INTERVAL, 3, Math.max(4 * k, 64));
    }

    /** kad-dht compatible defaults: /ipfs/kad/1.0.0, server mode, k = 20, α = 3, 64 KiB values, 48 h TTLs. */
    public static KadConfig defaults() {
        return new KadConfig(KadDht.DEFAULT_PROTOCOL, true, 20, 3, Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(10), 256 * 1024, 1024, 64 * 1024, 10_000, Duration.ofHours(48), 10_000, 64,
                Duration.ofHours(48), 5_000, 16, RecordValidation.lenient(), Clock.systemUTC());
    }

    /** With another protocol id. */
    public KadConfig withProtocol(String value) {
        return new KadConfig(value, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout, maxMessageBytes,
                maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey, providerTtl,
                maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval, sweepInterval,
                maxQueryFailures, maxPeersPerMessage);
    }

    /** Starting in server ({@code true}) or client mode. */
    public KadConfig withServerMode(boolean value) {
        return new KadConfig(protocol, value, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout, maxMessageBytes,
                maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey, providerTtl,
                maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval, sweepInterval,
                maxQueryFailures, maxPeersPerMessage);
    }

    /** With other k and α. */
    public KadConfig withK(int kValue, int alphaValue) {
        return new KadConfig(protocol, serverMode, kValue, alphaValue, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval, sweepInterval,
                maxQueryFailures, Math.max(maxPeersPerMessage, 4 * kValue));
    }

    /** With other request and lookup time limits. */
    public KadConfig withTimeouts(Duration rpc, Duration query) {
        return new KadConfig(protocol, serverMode, k, alpha, rpc, query, inboundIdleTimeout, maxMessageBytes,
                maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey, providerTtl,
                maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval, sweepInterval,
                maxQueryFailures, maxPeersPerMessage);
    }

    /** With other record rules. */
    public KadConfig withValidation(RecordValidation value) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, value, clock, refreshInterval, republishInterval,
                sweepInterval, maxQueryFailures, maxPeersPerMessage);
    }

    /** With another clock for the stores. */
    public KadConfig withClock(Clock value) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, value, refreshInterval, republishInterval,
                sweepInterval, maxQueryFailures, maxPeersPerMessage);
    }

    /**
     * With other maintenance intervals: routing-table refresh, republishing of originated records and providers,
     * and store sweeping ({@link Duration#ZERO} disables one).
     */
    public KadConfig withMaintenance(Duration refresh, Duration republish, Duration sweep) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, clock, refresh, republish, sweep,
                maxQueryFailures, maxPeersPerMessage);
    }

    /** With other record and provider lifetimes. */
    public KadConfig withTtls(Duration records, Duration providers) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, records, maxProviderKeys, maxProvidersPerKey,
                providers, maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval,
                sweepInterval, maxQueryFailures, maxPeersPerMessage);
    }

    /** With other store bounds: records kept, largest value, provider keys kept and providers per key. */
    public KadConfig withStoreLimits(int records, int valueBytes, int providerKeys, int providersPerKey) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, valueBytes, records, recordTtl, providerKeys, providersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval,
                sweepInterval, maxQueryFailures, maxPeersPerMessage);
    }

    /** With another number of consecutive failed requests after which a peer leaves the routing table. */
    public KadConfig withMaxQueryFailures(int value) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval,
                sweepInterval, value, maxPeersPerMessage);
    }

    /** With another largest message size (bytes). */
    public KadConfig withMaxMessageBytes(int value) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                value, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, clock, refreshInterval, republishInterval,
                sweepInterval, maxQueryFailures, maxPeersPerMessage);
    }
}
