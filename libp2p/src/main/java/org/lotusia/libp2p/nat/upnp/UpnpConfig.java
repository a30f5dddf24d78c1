package org.lotusia.libp2p.nat.upnp;

import java.time.Duration;
import java.util.Objects;

/**
 * UPnP port mapping settings (UPnP is opt-in: nothing runs unless a {@link UpnpPortMapper} is started).
 *
 * @param discoveryTimeout how long to wait for SSDP answers
 * @param requestTimeout   time for one HTTP/SOAP exchange with the gateway
 * @param leaseDuration    lease asked for each mapping; renewed at half of it (0 = permanent, not renewed)
 * @param description      the mapping description shown by the gateway
 */
public record UpnpConfig(Duration discoveryTimeout, Duration requestTimeout, Duration leaseDuration, String description) {

    /** Validates the settings. */
    public UpnpConfig {
        Objects.requireNonNull(discoveryTimeout, "discoveryTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(leaseDuration, "leaseDuration");
        Objects.requireNonNull(description, "description");
        if (leaseDuration.isNegative() || description.length() > 64) {
            throw new IllegalArgumentException("invalid UPnP settings");
        }
    }

    /** 3 s discovery, 5 s requests, 1 h leases. */
    public static UpnpConfig defaults() {
        return new UpnpConfig(Duration.ofSeconds(3), Duration.ofSeconds(5), Duration.ofHours(1), "lotus-p2p");
    }

    /** A copy with another lease duration. */
    public UpnpConfig withLeaseDuration(Duration lease) {
        return new UpnpConfig(discoveryTimeout, requestTimeout, lease, description);
    }
}
