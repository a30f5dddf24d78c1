package org.lotusia.libp2p.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A UTC clock that tests move by hand, so time-based behaviour is tested without sleeping. */
public final class ManualClock extends Clock {
    private volatile long millis;

    /** A clock at {@code startMillis} since the epoch. */
    public ManualClock(long startMillis) {
        this.millis = startMillis;
    }

    /** A clock at 2023-11-14T22:13:20Z. */
    public ManualClock() {
        this(1_700_000_000_000L);
    }

    /** Moves the clock forward (or back, for a negative duration). */
    public void advance(Duration duration) {
        advanceMillis(duration.toMillis());
    }

    /** Moves the clock by {@code ms} milliseconds. */
    public synchronized void advanceMillis(long ms) {
        millis += ms;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        return millis;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis);
    }
}
