package org.lotusia.libp2p.nat.autonat;

import java.time.Duration;
import java.util.Objects;

/**
 * AutoNAT v1 settings.
 *
 * @param server                serve dial-back requests of other peers
 * @param client                ask other peers to dial us back and track our {@link org.lotusia.libp2p.nat.Reachability}
 * @param peersPerProbe         peers asked in one probe round
 * @param minConfirmations      distinct peers that must agree before the status is set or changes
 * @param probeInterval         time between probe rounds (the first runs as soon as servers are known)
 * @param requestTimeout        how long a client waits for a dial response
 * @param dialBackTimeout       how long a server tries one dial-back address
 * @param maxDialBackAddresses  addresses a server dials for one request
 * @param globalDialBacksPerMinute dial-back requests a server accepts per minute, from everyone
 * @param peerDialBacksPerMinute   dial-back requests a server accepts per minute from one peer
 * @param maxConcurrentDialBacks   requests a server works on at once
 * @param allowPrivateAddresses dial back (and ask about) private and loopback addresses; off on the
 *                              internet (js excludes them), on for LANs and test networks
 */
public record AutoNatConfig(
        boolean server,
        boolean client,
        int peersPerProbe,
        int minConfirmations,
        Duration probeInterval,
        Duration requestTimeout,
        Duration dialBackTimeout,
        int maxDialBackAddresses,
        int globalDialBacksPerMinute,
        int peerDialBacksPerMinute,
        int maxConcurrentDialBacks,
        boolean allowPrivateAddresses) {

    /** Validates the settings. */
    public AutoNatConfig {
        Objects.requireNonNull(probeInterval, "probeInterval");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(dialBackTimeout, "dialBackTimeout");
        if (peersPerProbe < 1 || minConfirmations < 1 || maxDialBackAddresses < 1 || globalDialBacksPerMinute < 1
                || peerDialBacksPerMinute < 1 || maxConcurrentDialBacks < 1) {
            throw new IllegalArgumentException("AutoNAT counts must be positive");
        }
    }

    /** Client and server, 3 peers per probe, 2 agreeing answers, private addresses excluded. */
    public static AutoNatConfig defaults() {
        return new AutoNatConfig(true, true, 3, 2, Duration.ofMinutes(15), Duration.ofSeconds(30),
                Duration.ofSeconds(15), 4, 30, 3, 8, false);
    }

    /** A copy with the server on or off. */
    public AutoNatConfig withServer(boolean on) {
        return new AutoNatConfig(on, client, peersPerProbe, minConfirmations, probeInterval, requestTimeout,
                dialBackTimeout, maxDialBackAddresses, globalDialBacksPerMinute, peerDialBacksPerMinute,
                maxConcurrentDialBacks, allowPrivateAddresses);
    }

    /** A copy with the client on or off. */
    public AutoNatConfig withClient(boolean on) {
        return new AutoNatConfig(server, on, peersPerProbe, minConfirmations, probeInterval, requestTimeout,
                dialBackTimeout, maxDialBackAddresses, globalDialBacksPerMinute, peerDialBacksPerMinute,
                maxConcurrentDialBacks, allowPrivateAddresses);
    }

    /** A copy with another number of agreeing peers needed. */
    public AutoNatConfig withMinConfirmations(int n) {
        return new AutoNatConfig(server, client, peersPerProbe, n, probeInterval, requestTimeout,
                dialBackTimeout, maxDialBackAddresses, globalDialBacksPerMinute, peerDialBacksPerMinute,
                maxConcurrentDialBacks, allowPrivateAddresses);
    }

    /** A copy with another probe interval. */
    public AutoNatConfig withProbeInterval(Duration interval) {
        return new AutoNatConfig(server, client, peersPerProbe, minConfirmations, interval, requestTimeout,
                dialBackTimeout, maxDialBackAddresses, globalDialBacksPerMinute, peerDialBacksPerMinute,
                maxConcurrentDialBacks, allowPrivateAddresses);
    }

    /** A copy with other timeouts. */
    public AutoNatConfig withTimeouts(Duration request, Duration dialBack) {
        return new AutoNatConfig(server, client, peersPerProbe, minConfirmations, probeInterval, request,
                dialBack, maxDialBackAddresses, globalDialBacksPerMinute, peerDialBacksPerMinute,
                maxConcurrentDialBacks, allowPrivateAddresses);
    }

    /** A copy with other server rate limits. */
    public AutoNatConfig withRateLimits(int globalPerMinute, int perPeerPerMinute) {
        return new AutoNatConfig(server, client, peersPerProbe, minConfirmations, probeInterval, requestTimeout,
                dialBackTimeout, maxDialBackAddresses, globalPerMinute, perPeerPerMinute,
                maxConcurrentDialBacks, allowPrivateAddresses);
    }

    /** A copy that allows (or not) private and loopback addresses. */
    public AutoNatConfig withAllowPrivateAddresses(boolean allow) {
        return new AutoNatConfig(server, client, peersPerProbe, minConfirmations, probeInterval, requestTimeout,
                dialBackTimeout, maxDialBackAddresses, globalDialBacksPerMinute, peerDialBacksPerMinute,
                maxConcurrentDialBacks, allow);
    }
}
