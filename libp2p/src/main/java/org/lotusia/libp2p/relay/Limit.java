package org.lotusia.libp2p.relay;

import org.lotusia.libp2p.relay.pb.CircuitProto;

import java.time.Duration;
import java.util.Objects;

/**
 * What a relay grants one relayed connection: at most {@code duration} of life and {@code dataBytes}
 * bytes in each direction (spec; js's relay counts both directions together). Zero means no limit.
 *
 * @param duration  how long the circuit may live, zero for no limit (sent in whole seconds)
 * @param dataBytes bytes allowed per direction, zero for no limit
 */
public record Limit(Duration duration, long dataBytes) {
    /** No limit at all: the relayed connection is not limited. */
    public static final Limit NONE = new Limit(Duration.ZERO, 0);

    /** Validates the limit. */
    public Limit {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative() || dataBytes < 0) {
            throw new IllegalArgumentException("limits must not be negative");
        }
    }

    /** Whether anything is limited (a connection relayed under this limit is {@code limited}). */
    public boolean isLimited() {
        return !duration.isZero() || dataBytes > 0;
    }

    /** The wire form; the duration is rounded up to whole seconds so a short limit stays a limit. */
    CircuitProto.Limit toProto() {
        long seconds = duration.getSeconds() + (duration.getNano() > 0 ? 1 : 0);
        CircuitProto.Limit.Builder limit = CircuitProto.Limit.newBuilder();
        if (seconds > 0) {
            limit.setDuration((int) Math.min(seconds, 0xFFFF_FFFFL));
        }
        if (dataBytes > 0) {
            limit.setData(dataBytes);
        }
        return limit.build();
    }

    /** Reads the wire form as the spec defines it (duration in seconds). */
    static Limit fromProto(CircuitProto.Limit limit) {
        long seconds = limit.hasDuration() ? Integer.toUnsignedLong(limit.getDuration()) : 0;
        long data = limit.hasData() ? limit.getData() : 0;
        return new Limit(Duration.ofSeconds(seconds), data < 0 ? Long.MAX_VALUE : data);
    }
}
