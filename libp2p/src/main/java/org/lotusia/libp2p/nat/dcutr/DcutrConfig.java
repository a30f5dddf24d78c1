package org.lotusia.libp2p.nat.dcutr;

import java.time.Duration;
import java.util.Objects;

/**
 * DCUtR settings.
 *
 * @param maxAttempts           hole-punch attempts by the initiating side (spec and js: 3)
 * @param exchangeTimeout       time for one CONNECT/CONNECT/SYNC exchange (js: 5 s)
 * @param punchTimeout          how long one attempt waits for the direct connection after SYNC
 * @param allowPrivateAddresses exchange and dial private addresses too (LANs and test networks);
 *                              off on the internet, where only public addresses can be punched
 * @param autoUpgrade           upgrade every inbound relayed connection to a peer that speaks DCUtR
 *                              by itself (otherwise only on {@link Dcutr#upgrade} calls)
 */
public record DcutrConfig(int maxAttempts, Duration exchangeTimeout, Duration punchTimeout,
                          boolean allowPrivateAddresses, boolean autoUpgrade) {

    /** Validates the settings. */
    public DcutrConfig {
        Objects.requireNonNull(exchangeTimeout, "exchangeTimeout");
        Objects.requireNonNull(punchTimeout, "punchTimeout");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be positive");
        }
    }

    /** 3 attempts, 5 s exchanges, 10 s punches, public addresses only, automatic. */
    public static DcutrConfig defaults() {
        return new DcutrConfig(3, Duration.ofSeconds(5), Duration.ofSeconds(10), false, true);
    }

    /** A copy that allows (or not) private addresses. */
    public DcutrConfig withAllowPrivateAddresses(boolean allow) {
        return new DcutrConfig(maxAttempts, exchangeTimeout, punchTimeout, allow, autoUpgrade);
    }

    /** A copy with automatic upgrades on or off. */
    public DcutrConfig withAutoUpgrade(boolean auto) {
        return new DcutrConfig(maxAttempts, exchangeTimeout, punchTimeout, allowPrivateAddresses, auto);
    }

    /** A copy with other attempt count and timeouts. */
    public DcutrConfig withAttempts(int attempts, Duration exchange, Duration punch) {
        return new DcutrConfig(attempts, exchange, punch, allowPrivateAddresses, autoUpgrade);
    }
}
