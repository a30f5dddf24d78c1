package org.lotusia.p2p.dht;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Options of an announcement (reference {@code {ttl?, expiresAt?}}). The record expires at
 * {@code expiresAt} when given, otherwise {@code ttl} after its creation, otherwise never. Unlike the
 * reference (which ignores {@code ttl}), both are honoured: an expired record is neither served,
 * returned nor republished.
 *
 * @param ttl       time to live, if any (positive)
 * @param expiresAt absolute expiry, if any (takes precedence over {@code ttl})
 */
public record AnnounceOptions(Optional<Duration> ttl, Optional<Instant> expiresAt) {
    /** Validates. */
    public AnnounceOptions {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(expiresAt, "expiresAt");
        ttl.ifPresent(t -> {
            if (t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("ttl must be positive: " + t);
            }
        });
    }

    /** No expiry. */
    public static AnnounceOptions none() {
        return new AnnounceOptions(Optional.empty(), Optional.empty());
    }

    /** Expires {@code ttl} after creation. */
    public static AnnounceOptions ttl(Duration ttl) {
        return new AnnounceOptions(Optional.of(ttl), Optional.empty());
    }

    /** Expires at {@code expiresAt}. */
    public static AnnounceOptions expiresAt(Instant expiresAt) {
        return new AnnounceOptions(Optional.empty(), Optional.of(expiresAt));
    }

    /** The expiry of a record created at {@code createdAt}, if any. */
    public Optional<Instant> expiryFor(Instant createdAt) {
        return expiresAt.or(() -> ttl.map(createdAt::plus));
    }
}
