package org.lotusia.libp2p.host;

import java.time.Duration;

/**
 * The limits a host enforces on connections, in one place.
 *
 * @param maxConnections         open (upgraded) connections in all; js defaults to 300
 * @param maxConnectionsPerPeer  open connections to one peer
 * @param maxPendingInbound      inbound connections still in their handshake (js: 10)
 * @param dialTimeout            time for a whole dial: TCP connect, security and muxer negotiation
 * @param handshakeTimeout       time an accepted connection has to finish security and muxer negotiation
 */
public record ConnectionLimits(
        int maxConnections,
        int maxConnectionsPerPeer,
        int maxPendingInbound,
        Duration dialTimeout,
        Duration handshakeTimeout) {

    /** Defaults in line with js-libp2p's, which Lotus peers run. */
    public static ConnectionLimits defaults() {
        return new ConnectionLimits(300, 4, 32, Duration.ofSeconds(10), Duration.ofSeconds(10));
    }

    /** Validates the limits. */
    public ConnectionLimits {
        if (maxConnections < 1 || maxConnectionsPerPeer < 1 || maxPendingInbound < 1) {
            throw new IllegalArgumentException("connection limits must be positive");
        }
        if (dialTimeout.isNegative() || dialTimeout.isZero() || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** A copy with another total connection limit. */
    public ConnectionLimits withMaxConnections(int max) {
        return new ConnectionLimits(max, maxConnectionsPerPeer, maxPendingInbound, dialTimeout, handshakeTimeout);
    }
}
