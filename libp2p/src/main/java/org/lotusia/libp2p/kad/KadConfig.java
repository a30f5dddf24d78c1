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
        Clock clock) {

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
        if (k < 1 || alpha < 1 || maxMessageBytes < 1024 || maxKeyBytes < 1 || maxValueBytes < 0 || maxRecords < 1
                || maxProviderKeys < 1 || maxProvidersPerKey < 1 || maxRoutingPeers < 1 || maxAddressesPerPeer < 1) {
            throw new IllegalArgumentException("invalid kad settings");
        }
        if (!protocol.startsWith("/")) {
            throw new IllegalArgumentException("protocol id must start with '/': " + protocol);
        }
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
                maxRoutingPeers, maxAddressesPerPeer, validation, clock);
    }

    /** Starting in server ({@code true}) or client mode. */
    public KadConfig withServerMode(boolean value) {
        return new KadConfig(protocol, value, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout, maxMessageBytes,
                maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey, providerTtl,
                maxRoutingPeers, maxAddressesPerPeer, validation, clock);
    }

    /** With other k and α. */
    public KadConfig withK(int kValue, int alphaValue) {
        return new KadConfig(protocol, serverMode, kValue, alphaValue, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, clock);
    }

    /** With other request and lookup time limits. */
    public KadConfig withTimeouts(Duration rpc, Duration query) {
        return new KadConfig(protocol, serverMode, k, alpha, rpc, query, inboundIdleTimeout, maxMessageBytes,
                maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey, providerTtl,
                maxRoutingPeers, maxAddressesPerPeer, validation, clock);
    }

    /** With other record rules. */
    public KadConfig withValidation(RecordValidation value) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, value, clock);
    }

    /** With another clock for the stores. */
    public KadConfig withClock(Clock value) {
        return new KadConfig(protocol, serverMode, k, alpha, rpcTimeout, queryTimeout, inboundIdleTimeout,
                maxMessageBytes, maxKeyBytes, maxValueBytes, maxRecords, recordTtl, maxProviderKeys, maxProvidersPerKey,
                providerTtl, maxRoutingPeers, maxAddressesPerPeer, validation, value);
    }
}
