package org.lotusia.p2p.coordinator;

import java.time.Duration;
import java.util.Objects;

/**
 * Jittered exponential backoff for re-dialling bootstrap peers (reference BootstrapManager rule):
 * {@code base = min(baseDelay · 2^attempt, maxDelay)}, {@code delay = base + base · jitter · (r − 0.5)}
 * for a uniform {@code r ∈ [0, 1)}, so the default jitter of 0.3 spreads delays by ±15 %.
 *
 * @param baseDelay   the delay before the first re-dial (default 1 s)
 * @param maxDelay    the cap before jitter (default 60 s)
 * @param jitter      the total relative spread, 0 to 1 (default 0.3, i.e. ±15 %)
 * @param maxAttempts re-dials before giving up; {@link #UNLIMITED} (the default) never gives up
 */
public record BackoffPolicy(Duration baseDelay, Duration maxDelay, double jitter, int maxAttempts) {
    /** {@code maxAttempts} value meaning "retry forever". */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    /** Validates. */
    public BackoffPolicy {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (baseDelay.isNegative() || baseDelay.isZero()) {
            throw new IllegalArgumentException("baseDelay must be positive: " + baseDelay);
        }
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is less than baseDelay " + baseDelay);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must not be negative: " + maxAttempts);
        }
    }

    /** 1 s base, 60 s cap, ±15 % jitter, unlimited attempts (the reference defaults). */
    public static BackoffPolicy defaults() {
        return new BackoffPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 0.3, UNLIMITED);
    }

    /** A copy that gives up after {@code attempts} re-dials. */
    public BackoffPolicy withMaxAttempts(int attempts) {
        return new BackoffPolicy(baseDelay, maxDelay, jitter, attempts);
    }

    /**
     * The delay before re-dial number {@code attempt + 1}.
     *
     * @param attempt re-dials already made (0 for the first)
     * @param random  a uniform value in {@code [0, 1)}
     */
    public Duration delay(int attempt, double random) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must not be negative: " + attempt);
        }
        long baseMs = baseDelay.toMillis();
        long maxMs = maxDelay.toMillis();
        long capped = attempt >= 62 || baseMs > (maxMs >> Math.min(attempt, 62)) ? maxMs : Math.min(baseMs << attempt, maxMs);
        double delay = capped + capped * jitter * (random - 0.5);
        return Duration.ofMillis(Math.max(0, Math.round(delay)));
    }
}
