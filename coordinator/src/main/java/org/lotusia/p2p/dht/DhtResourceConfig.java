package org.lotusia.p2p.dht;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the coordinator's DHT resource management ({@link ResourceService}). Start from
 * {@link #defaults()} and change what you need with the {@code with…} methods.
 *
 * @param signRecords         sign our records with the peer key ({@link SignedResourceRecords})
 * @param requireSignatures   reject unsigned records from the network (signed ones are always verified,
 *                            and a bad signature is always rejected)
 * @param monitorInterval     how often the routing table, connection state, queue and republishing are checked
 * @param republishInterval   how often our live records are put into the network again
 * @param queueCapacity       announcements waiting for the network at most (the oldest is dropped beyond)
 * @param queueTimeout        how long an announcement may wait before its future fails
 * @param retryBaseDelay      first delay after a failed put; doubles per attempt
 * @param retryMaxDelay       longest delay between put attempts
 * @param maxCachedRecords    records from other peers kept in the local cache
 * @param discoverTimeout     default time limit of a discovery
 * @param maxProviders        providers of a type asked by {@code discoverResources}
 * @param maxListPages        pages fetched per provider by {@code discoverResources}
 * @param cleanupInterval     how often expired records are dropped from the cache
 * @param clock               time source for record creation and expiry
 */
public record DhtResourceConfig(boolean signRecords, boolean requireSignatures, Duration monitorInterval,
                                Duration republishInterval, int queueCapacity, Duration queueTimeout,
                                Duration retryBaseDelay, Duration retryMaxDelay, int maxCachedRecords,
                                Duration discoverTimeout, int maxProviders, int maxListPages,
                                Duration cleanupInterval, Clock clock) {
    /** Validates. */
    public DhtResourceConfig {
        positive(monitorInterval, "monitorInterval");
        positive(republishInterval, "republishInterval");
        positive(queueTimeout, "queueTimeout");
        positive(retryBaseDelay, "retryBaseDelay");
        positive(retryMaxDelay, "retryMaxDelay");
        positive(discoverTimeout, "discoverTimeout");
        positive(cleanupInterval, "cleanupInterval");
        Objects.requireNonNull(clock, "clock");
        if (queueCapacity < 1 || maxCachedRecords < 1 || maxProviders < 1 || maxListPages < 1) {
            throw new IllegalArgumentException("queueCapacity, maxCachedRecords, maxProviders and maxListPages must be positive");
        }
    }

    /**
     * Unsigned records, 500 ms monitor, republish hourly, a queue of 1000 announcements waiting up to
     * 5 minutes (the reference's DHT queue bounds), retries after 1 s doubling to 30 s, 10000 cached
     * records, 5 s discovery, 20 providers with 10 pages each, cleanup every minute, the system clock.
     */
    public static DhtResourceConfig defaults() {
        return new DhtResourceConfig(false, false, Duration.ofMillis(500), Duration.ofHours(1), 1000,
                Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(30), 10_000, Duration.ofSeconds(5),
                20, 10, Duration.ofMinutes(1), Clock.systemUTC());
    }

    /** With record signing on or off, and unsigned records accepted or rejected. */
    public DhtResourceConfig withSignatures(boolean sign, boolean require) {
        return new DhtResourceConfig(sign, require, monitorInterval, republishInterval, queueCapacity, queueTimeout,
                retryBaseDelay, retryMaxDelay, maxCachedRecords, discoverTimeout, maxProviders, maxListPages,
                cleanupInterval, clock);
    }

    /** With another republish interval. */
    public DhtResourceConfig withRepublishInterval(Duration value) {
        return new DhtResourceConfig(signRecords, requireSignatures, monitorInterval, value, queueCapacity, queueTimeout,
                retryBaseDelay, retryMaxDelay, maxCachedRecords, discoverTimeout, maxProviders, maxListPages,
                cleanupInterval, clock);
    }

    /** With other queue bounds and retry delays. */
    public DhtResourceConfig withQueue(int capacity, Duration timeout, Duration baseDelay, Duration maxDelay) {
        return new DhtResourceConfig(signRecords, requireSignatures, monitorInterval, republishInterval, capacity, timeout,
                baseDelay, maxDelay, maxCachedRecords, discoverTimeout, maxProviders, maxListPages, cleanupInterval, clock);
    }

    /** With another monitor interval. */
    public DhtResourceConfig withMonitorInterval(Duration value) {
        return new DhtResourceConfig(signRecords, requireSignatures, value, republishInterval, queueCapacity, queueTimeout,
                retryBaseDelay, retryMaxDelay, maxCachedRecords, discoverTimeout, maxProviders, maxListPages,
                cleanupInterval, clock);
    }

    /** With another cache bound. */
    public DhtResourceConfig withMaxCachedRecords(int value) {
        return new DhtResourceConfig(signRecords, requireSignatures, monitorInterval, republishInterval, queueCapacity,
                queueTimeout, retryBaseDelay, retryMaxDelay, value, discoverTimeout, maxProviders, maxListPages,
                cleanupInterval, clock);
    }

    /** With another clock. */
    public DhtResourceConfig withClock(Clock value) {
        return new DhtResourceConfig(signRecords, requireSignatures, monitorInterval, republishInterval, queueCapacity,
                queueTimeout, retryBaseDelay, retryMaxDelay, maxCachedRecords, discoverTimeout, maxProviders, maxListPages,
                cleanupInterval, value);
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
