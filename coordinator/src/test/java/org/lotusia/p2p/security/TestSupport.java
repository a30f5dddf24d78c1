package org.lotusia.p2p.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.lotusia.libp2p.crypto.PeerId;

/** Shared helpers: a manually advanced clock and cheap distinct peer ids. */
final class TestSupport {
    private TestSupport() {
    }

    /** A clock that only moves when told to. */
    static final class MutableClock extends Clock {
        private volatile long millis;

        MutableClock(long startMillis) {
            this.millis = startMillis;
        }

        MutableClock() {
            this(1_700_000_000_000L);
        }

        void advance(Duration d) {
            millis += d.toMillis();
        }

        void advanceMillis(long ms) {
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

    /** A distinct, valid sha2-256 peer id for each n. */
    static PeerId peer(int n) {
        byte[] b = new byte[34];
        b[0] = 0x12;
        b[1] = 0x20;
        b[2] = (byte) (n >>> 24);
        b[3] = (byte) (n >>> 16);
        b[4] = (byte) (n >>> 8);
        b[5] = (byte) n;
        b[33] = 0x5a;
        return PeerId.fromBytes(b);
    }
}
