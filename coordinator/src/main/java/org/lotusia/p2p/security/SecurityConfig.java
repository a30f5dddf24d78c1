package org.lotusia.p2p.security;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of a {@link CoreSecurityManager} (the reference {@code securityConfig}).
 *
 * <p>{@code disableRateLimiting} turns off the time-based limits only (the DHT announcement interval and
 * the per-peer message token bucket). Unlike the reference it does <b>not</b> bypass ban checks, resource
 * quotas or protocol validators.
 *
 * <p>{@code customLimits} is validated eagerly: the constructor throws {@link IllegalArgumentException} for an
 * unknown key or a bad value (see {@link SecurityLimits#withCustomLimits(Map)}). Immutable.
 *
 * @param disableRateLimiting whether time-based rate limits are off (never do this in production)
 * @param customLimits overrides of {@link SecurityLimits#defaults()} by key name; copied, never null
 */
public record SecurityConfig(boolean disableRateLimiting, Map<String, Number> customLimits) {

    /**
     * Copies and validates the custom limits.
     *
     * @throws IllegalArgumentException if a key is unknown or a value invalid
     */
    public SecurityConfig {
        customLimits = customLimits == null
                ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(customLimits));
        SecurityLimits.defaults().withCustomLimits(customLimits);
    }

    /** Rate limiting on, no custom limits. */
    public static SecurityConfig defaults() {
        return new SecurityConfig(false, Map.of());
    }

    /** A new builder (rate limiting on, no custom limits). */
    public static Builder builder() {
        return new Builder();
    }

    /** The effective limits: {@link SecurityLimits#defaults()} with {@link #customLimits()} applied. */
    public SecurityLimits limits() {
        return SecurityLimits.defaults().withCustomLimits(customLimits);
    }

    /** Builder for {@link SecurityConfig}; not thread-safe. */
    public static final class Builder {
        private boolean disableRateLimiting;
        private final Map<String, Number> customLimits = new LinkedHashMap<>();

        private Builder() {
        }

        /** Turns the time-based rate limits off ({@code true}) or on. */
        public Builder disableRateLimiting(boolean disable) {
            this.disableRateLimiting = disable;
            return this;
        }

        /** Overrides one limit by key name (validated in {@link #build()}). */
        public Builder customLimit(String key, Number value) {
            customLimits.put(Objects.requireNonNull(key, "key"), value);
            return this;
        }

        /** Overrides several limits by key name (validated in {@link #build()}). */
        public Builder customLimits(Map<String, ? extends Number> limits) {
            limits.forEach(this::customLimit);
            return this;
        }

        /**
         * Builds the configuration.
         *
         * @throws IllegalArgumentException if a key is unknown or a value invalid
         */
        public SecurityConfig build() {
            return new SecurityConfig(disableRateLimiting, customLimits);
        }
    }
}
