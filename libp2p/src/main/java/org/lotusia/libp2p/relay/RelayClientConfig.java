package org.lotusia.libp2p.relay;

import java.time.Duration;

/**
 * Timings and limits of a {@link RelayClient}.
 *
 * @param requestTimeout        time for a relay to answer a reserve or connect request (js: 5 s / 30 s)
 * @param renewBefore           renew a reservation this long before it expires (js: 5 min); for short
 *                              reservations renewal happens at the latest half-way through
 * @param renewRetryDelay       wait between failed renewal attempts (until the reservation expires)
 * @param maxCircuitsPerRelay   relayed connections a relay may hand us at once (stop streams per connection)
 * @param acceptOnlyFromReservedRelays accept relayed connections only from relays we hold a reservation on
 */
public record RelayClientConfig(Duration requestTimeout, Duration renewBefore, Duration renewRetryDelay,
                                int maxCircuitsPerRelay, boolean acceptOnlyFromReservedRelays) {

    /** Validates the configuration. */
    public RelayClientConfig {
        if (requestTimeout.isNegative() || requestTimeout.isZero() || renewBefore.isNegative()
                || renewRetryDelay.isNegative() || renewRetryDelay.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
        if (maxCircuitsPerRelay < 1) {
            throw new IllegalArgumentException("maxCircuitsPerRelay must be positive");
        }
    }

    /** Defaults: 10 s requests, renewal 5 minutes before expiry, 1 s between retries, 32 circuits per relay. */
    public static RelayClientConfig defaults() {
        return new RelayClientConfig(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofSeconds(1), 32, true);
    }

    /** A copy with another request timeout. */
    public RelayClientConfig withRequestTimeout(Duration timeout) {
        return new RelayClientConfig(timeout, renewBefore, renewRetryDelay, maxCircuitsPerRelay, acceptOnlyFromReservedRelays);
    }

    /** A copy that renews {@code margin} before expiry. */
    public RelayClientConfig withRenewBefore(Duration margin) {
        return new RelayClientConfig(requestTimeout, margin, renewRetryDelay, maxCircuitsPerRelay, acceptOnlyFromReservedRelays);
    }

    /** A copy that accepts relayed connections from any relay (or only from reserved ones). */
    public RelayClientConfig withAcceptOnlyFromReservedRelays(boolean only) {
        return new RelayClientConfig(requestTimeout, renewBefore, renewRetryDelay, maxCircuitsPerRelay, only);
    }
}
