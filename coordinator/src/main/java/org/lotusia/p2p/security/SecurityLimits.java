package org.lotusia.p2p.security;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

/**
 * Every numeric limit used by the security layer.
 *
 * <p>The first six keys are the reference {@code CORE_P2P_SECURITY_LIMITS}; the rest are ours. Every key
 * can be overridden with {@link #withCustomLimits(Map)} using its {@code UPPER_SNAKE} name (see {@link
 * #keys()}); unlike the reference, every key is honoured and an unknown key is an error.
 *
 * <p>Durations are in milliseconds. Immutable.
 *
 * @param maxP2pMessageSize {@code MAX_P2P_MESSAGE_SIZE}: largest accepted direct message in bytes (100000)
 * @param minDhtAnnouncementIntervalMs {@code MIN_DHT_ANNOUNCEMENT_INTERVAL}: minimum gap between two DHT
 *     announcements of one peer (30000 ms; 0 disables)
 * @param maxDhtResourcesPerPeer {@code MAX_DHT_RESOURCES_PER_PEER}: resources one peer may hold (100)
 * @param maxDhtResourcesPerTypePerPeer {@code MAX_DHT_RESOURCES_PER_TYPE_PER_PEER}: resources of one type one
 *     peer may hold (20)
 * @param dhtCleanupIntervalMs {@code DHT_CLEANUP_INTERVAL}: how often the owner should call
 *     {@link CoreSecurityManager#cleanup()} (300000 ms)
 * @param maxInvalidMessagesPerPeer {@code MAX_INVALID_MESSAGES_PER_PEER}: invalid messages (decaying like
 *     warnings) after which a peer is temporarily banned (20)
 * @param warningsBeforeTempBan {@code WARNINGS_BEFORE_TEMP_BAN}: warnings that trigger a temporary ban (5)
 * @param warningsBeforeBan {@code WARNINGS_BEFORE_BAN}: warnings that trigger a permanent ban (10)
 * @param tempBanDurationMs {@code TEMP_BAN_DURATION}: length of an automatic temporary ban (3600000 ms)
 * @param warningDecayIntervalMs {@code WARNING_DECAY_INTERVAL}: one warning (and one invalid-message strike)
 *     is forgiven per this interval (600000 ms; 0 disables decay)
 * @param maxMessagesPerWindow {@code MAX_MESSAGES_PER_WINDOW}: token-bucket capacity of the per-peer message
 *     rate limit (100)
 * @param messageRateWindowMs {@code MESSAGE_RATE_WINDOW}: time to refill the whole bucket (10000 ms)
 * @param maxTrackedPeers {@code MAX_TRACKED_PEERS}: peers each per-peer table holds before evicting (10000)
 */
public record SecurityLimits(
        int maxP2pMessageSize,
        long minDhtAnnouncementIntervalMs,
        int maxDhtResourcesPerPeer,
        int maxDhtResourcesPerTypePerPeer,
        long dhtCleanupIntervalMs,
        int maxInvalidMessagesPerPeer,
        int warningsBeforeTempBan,
        int warningsBeforeBan,
        long tempBanDurationMs,
        long warningDecayIntervalMs,
        int maxMessagesPerWindow,
        long messageRateWindowMs,
        int maxTrackedPeers) {

    private static final SecurityLimits DEFAULTS = new SecurityLimits(
            100_000, 30_000, 100, 20, 300_000, 20, 5, 10, 3_600_000, 600_000, 100, 10_000, 10_000);

    /** One overridable key: its name, minimum, maximum, reader and builder writer. */
    private enum Key {
        MAX_P2P_MESSAGE_SIZE(1, Integer.MAX_VALUE, SecurityLimits::maxP2pMessageSize,
                (b, v) -> b.maxP2pMessageSize = (int) (long) v),
        MIN_DHT_ANNOUNCEMENT_INTERVAL(0, Long.MAX_VALUE, SecurityLimits::minDhtAnnouncementIntervalMs,
                (b, v) -> b.minDhtAnnouncementIntervalMs = v),
        MAX_DHT_RESOURCES_PER_PEER(1, Integer.MAX_VALUE, SecurityLimits::maxDhtResourcesPerPeer,
                (b, v) -> b.maxDhtResourcesPerPeer = (int) (long) v),
        MAX_DHT_RESOURCES_PER_TYPE_PER_PEER(1, Integer.MAX_VALUE, SecurityLimits::maxDhtResourcesPerTypePerPeer,
                (b, v) -> b.maxDhtResourcesPerTypePerPeer = (int) (long) v),
        DHT_CLEANUP_INTERVAL(1, Long.MAX_VALUE, SecurityLimits::dhtCleanupIntervalMs,
                (b, v) -> b.dhtCleanupIntervalMs = v),
        MAX_INVALID_MESSAGES_PER_PEER(1, Integer.MAX_VALUE, SecurityLimits::maxInvalidMessagesPerPeer,
                (b, v) -> b.maxInvalidMessagesPerPeer = (int) (long) v),
        WARNINGS_BEFORE_TEMP_BAN(1, Integer.MAX_VALUE, SecurityLimits::warningsBeforeTempBan,
                (b, v) -> b.warningsBeforeTempBan = (int) (long) v),
        WARNINGS_BEFORE_BAN(1, Integer.MAX_VALUE, SecurityLimits::warningsBeforeBan,
                (b, v) -> b.warningsBeforeBan = (int) (long) v),
        TEMP_BAN_DURATION(1, Long.MAX_VALUE, SecurityLimits::tempBanDurationMs,
                (b, v) -> b.tempBanDurationMs = v),
        WARNING_DECAY_INTERVAL(0, Long.MAX_VALUE, SecurityLimits::warningDecayIntervalMs,
                (b, v) -> b.warningDecayIntervalMs = v),
        MAX_MESSAGES_PER_WINDOW(1, Integer.MAX_VALUE, SecurityLimits::maxMessagesPerWindow,
                (b, v) -> b.maxMessagesPerWindow = (int) (long) v),
        MESSAGE_RATE_WINDOW(1, Long.MAX_VALUE, SecurityLimits::messageRateWindowMs,
                (b, v) -> b.messageRateWindowMs = v),
        MAX_TRACKED_PEERS(1, Integer.MAX_VALUE, SecurityLimits::maxTrackedPeers,
                (b, v) -> b.maxTrackedPeers = (int) (long) v);

        final long min;
        final long max;
        final ToLongFunction<SecurityLimits> getter;
        final BiConsumer<Builder, Long> setter;

        Key(long min, long max, ToLongFunction<SecurityLimits> getter, BiConsumer<Builder, Long> setter) {
            this.min = min;
            this.max = max;
            this.getter = getter;
            this.setter = setter;
        }
    }

    private static final Map<String, Key> KEYS;

    static {
        Map<String, Key> m = new LinkedHashMap<>();
        for (Key k : Key.values()) {
            m.put(k.name(), k);
        }
        KEYS = Collections.unmodifiableMap(m);
    }

    /** Validates every field against its key's range. */
    public SecurityLimits {
        long[] values = {maxP2pMessageSize, minDhtAnnouncementIntervalMs, maxDhtResourcesPerPeer,
            maxDhtResourcesPerTypePerPeer, dhtCleanupIntervalMs, maxInvalidMessagesPerPeer, warningsBeforeTempBan,
            warningsBeforeBan, tempBanDurationMs, warningDecayIntervalMs, maxMessagesPerWindow, messageRateWindowMs,
            maxTrackedPeers};
        Key[] keys = Key.values();
        for (int i = 0; i < keys.length; i++) {
            checkRange(keys[i], values[i]);
        }
    }

    /** The defaults listed on this record. */
    public static SecurityLimits defaults() {
        return DEFAULTS;
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder(DEFAULTS);
    }

    /** A builder starting from these limits. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** The names accepted by {@link #withCustomLimits(Map)}, in declaration order. */
    public static Set<String> keys() {
        return KEYS.keySet();
    }

    /**
     * The value of one key (durations in milliseconds).
     *
     * @throws IllegalArgumentException if the key is unknown
     */
    public long get(String key) {
        return key(key).getter.applyAsLong(this);
    }

    /**
     * Returns a copy with the given keys overridden. Every key in {@link #keys()} is honoured.
     *
     * <p>Values must be integral ({@code 60000}, {@code 60000L} or {@code 60000.0} are fine; {@code 1.5}
     * is not) and within the key's range (counts and sizes at least 1, {@code MIN_DHT_ANNOUNCEMENT_INTERVAL}
     * and {@code WARNING_DECAY_INTERVAL} at least 0).
     *
     * @param customLimits overrides by key name; {@code null} or empty means no change
     * @throws IllegalArgumentException naming the key if a key is unknown (the message lists the valid keys),
     *     or a value is null, fractional or out of range
     */
    public SecurityLimits withCustomLimits(Map<String, ? extends Number> customLimits) {
        if (customLimits == null || customLimits.isEmpty()) {
            return this;
        }
        Builder b = toBuilder();
        for (Map.Entry<String, ? extends Number> e : customLimits.entrySet()) {
            Key k = key(e.getKey());
            long v = toLong(k, e.getValue());
            checkRange(k, v);
            k.setter.accept(b, v);
        }
        return b.build();
    }

    /** {@link #minDhtAnnouncementIntervalMs()} as a duration. */
    public Duration minDhtAnnouncementInterval() {
        return Duration.ofMillis(minDhtAnnouncementIntervalMs);
    }

    /** {@link #dhtCleanupIntervalMs()} as a duration. */
    public Duration dhtCleanupInterval() {
        return Duration.ofMillis(dhtCleanupIntervalMs);
    }

    /** {@link #tempBanDurationMs()} as a duration. */
    public Duration tempBanDuration() {
        return Duration.ofMillis(tempBanDurationMs);
    }

    /** {@link #warningDecayIntervalMs()} as a duration (zero: no decay). */
    public Duration warningDecayInterval() {
        return Duration.ofMillis(warningDecayIntervalMs);
    }

    /** {@link #messageRateWindowMs()} as a duration. */
    public Duration messageRateWindow() {
        return Duration.ofMillis(messageRateWindowMs);
    }

    private static Key key(String name) {
        Key k = name == null ? null : KEYS.get(name);
        if (k == null) {
            throw new IllegalArgumentException("unknown security limit '" + name + "'; valid keys: " + KEYS.keySet());
        }
        return k;
    }

    private static long toLong(Key k, Number n) {
        if (n == null) {
            throw new IllegalArgumentException("security limit " + k.name() + " must not be null");
        }
        try {
            if (n instanceof Double || n instanceof Float) {
                double d = n.doubleValue();
                if (!Double.isFinite(d) || d != Math.rint(d) || Math.abs(d) > 9.007199254740992E15) {
                    throw new ArithmeticException();
                }
                return (long) d;
            }
            if (n instanceof BigDecimal bd) {
                return bd.longValueExact();
            }
            if (n instanceof BigInteger bi) {
                return bi.longValueExact();
            }
            return n.longValue();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("security limit " + k.name() + " must be an integer, got " + n, e);
        }
    }

    private static void checkRange(Key k, long v) {
        if (v < k.min || v > k.max) {
            throw new IllegalArgumentException("security limit " + k.name() + " must be between " + k.min + " and "
                    + k.max + ", got " + v);
        }
    }

    /** Mutable builder for {@link SecurityLimits}; not thread-safe. */
    public static final class Builder {
        private int maxP2pMessageSize;
        private long minDhtAnnouncementIntervalMs;
        private int maxDhtResourcesPerPeer;
        private int maxDhtResourcesPerTypePerPeer;
        private long dhtCleanupIntervalMs;
        private int maxInvalidMessagesPerPeer;
        private int warningsBeforeTempBan;
        private int warningsBeforeBan;
        private long tempBanDurationMs;
        private long warningDecayIntervalMs;
        private int maxMessagesPerWindow;
        private long messageRateWindowMs;
        private int maxTrackedPeers;

        private Builder(SecurityLimits s) {
            maxP2pMessageSize = s.maxP2pMessageSize;
            minDhtAnnouncementIntervalMs = s.minDhtAnnouncementIntervalMs;
            maxDhtResourcesPerPeer = s.maxDhtResourcesPerPeer;
            maxDhtResourcesPerTypePerPeer = s.maxDhtResourcesPerTypePerPeer;
            dhtCleanupIntervalMs = s.dhtCleanupIntervalMs;
            maxInvalidMessagesPerPeer = s.maxInvalidMessagesPerPeer;
            warningsBeforeTempBan = s.warningsBeforeTempBan;
            warningsBeforeBan = s.warningsBeforeBan;
            tempBanDurationMs = s.tempBanDurationMs;
            warningDecayIntervalMs = s.warningDecayIntervalMs;
            maxMessagesPerWindow = s.maxMessagesPerWindow;
            messageRateWindowMs = s.messageRateWindowMs;
            maxTrackedPeers = s.maxTrackedPeers;
        }

        /** Sets {@code MAX_P2P_MESSAGE_SIZE}. */
        public Builder maxP2pMessageSize(int v) { maxP2pMessageSize = v; return this; }

        /** Sets {@code MIN_DHT_ANNOUNCEMENT_INTERVAL}. */
        public Builder minDhtAnnouncementInterval(Duration v) { minDhtAnnouncementIntervalMs = v.toMillis(); return this; }

        /** Sets {@code MAX_DHT_RESOURCES_PER_PEER}. */
        public Builder maxDhtResourcesPerPeer(int v) { maxDhtResourcesPerPeer = v; return this; }

        /** Sets {@code MAX_DHT_RESOURCES_PER_TYPE_PER_PEER}. */
        public Builder maxDhtResourcesPerTypePerPeer(int v) { maxDhtResourcesPerTypePerPeer = v; return this; }

        /** Sets {@code DHT_CLEANUP_INTERVAL}. */
        public Builder dhtCleanupInterval(Duration v) { dhtCleanupIntervalMs = v.toMillis(); return this; }

        /** Sets {@code MAX_INVALID_MESSAGES_PER_PEER}. */
        public Builder maxInvalidMessagesPerPeer(int v) { maxInvalidMessagesPerPeer = v; return this; }

        /** Sets {@code WARNINGS_BEFORE_TEMP_BAN}. */
        public Builder warningsBeforeTempBan(int v) { warningsBeforeTempBan = v; return this; }

        /** Sets {@code WARNINGS_BEFORE_BAN}. */
        public Builder warningsBeforeBan(int v) { warningsBeforeBan = v; return this; }

        /** Sets {@code TEMP_BAN_DURATION}. */
        public Builder tempBanDuration(Duration v) { tempBanDurationMs = v.toMillis(); return this; }

        /** Sets {@code WARNING_DECAY_INTERVAL} (zero disables decay). */
        public Builder warningDecayInterval(Duration v) { warningDecayIntervalMs = v.toMillis(); return this; }

        /** Sets {@code MAX_MESSAGES_PER_WINDOW}. */
        public Builder maxMessagesPerWindow(int v) { maxMessagesPerWindow = v; return this; }

        /** Sets {@code MESSAGE_RATE_WINDOW}. */
        public Builder messageRateWindow(Duration v) { messageRateWindowMs = v.toMillis(); return this; }

        /** Sets {@code MAX_TRACKED_PEERS}. */
        public Builder maxTrackedPeers(int v) { maxTrackedPeers = v; return this; }

        /**
         * Builds the limits.
         *
         * @throws IllegalArgumentException if a value is out of range
         */
        public SecurityLimits build() {
            return new SecurityLimits(maxP2pMessageSize, minDhtAnnouncementIntervalMs, maxDhtResourcesPerPeer,
                    maxDhtResourcesPerTypePerPeer, dhtCleanupIntervalMs, maxInvalidMessagesPerPeer,
                    warningsBeforeTempBan, warningsBeforeBan, tempBanDurationMs, warningDecayIntervalMs,
                    maxMessagesPerWindow, messageRateWindowMs, maxTrackedPeers);
        }
    }
}
