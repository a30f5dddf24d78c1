// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable yamux settings; build one with {@link #builder()} or take {@link #defaults()}.
 *
 * @param initialStreamWindow    receive window each new stream starts with (bytes); the spec's implicit
 *                               window is 256 KiB, anything above is announced with the SYN/ACK frame
 * @param maxStreamWindow        ceiling for receive-window auto-tuning (bytes)
 * @param windowAutoTuning       whether a stream's receive window doubles when a window's worth of data is
 *                               consumed within 4 round trips (as go-yamux, rust-yamux and js do)
 * @param maxFrameSize           largest Data payload this side sends in one frame (bytes)
 * @param maxInboundStreams      streams the peer may have open at once; SYNs beyond it are answered with RST
 * @param maxOutboundStreams     streams this side may have open (or waiting to open) at once
 * @param maxAckBacklog          outbound streams that may wait for the peer's ACK; further opens wait
 * @param keepAliveInterval      interval of keep-alive pings, {@link Duration#ZERO} to disable them
 * @param pingTimeout            a ping unanswered this long, with nothing else received meanwhile, closes
 *                               the connection
 * @param streamCloseTimeout     after {@code close()} of a stream whose peer has not sent FIN, how long to wait
 *                               for it before resetting the stream
 * @param maxQueuedControlFrames control frames (pongs, RSTs, window updates) this side may queue while the
 *                               connection is not writable before the peer counts as abusive and is dropped
 * @param maxOutstandingPings    pings started through {@code ping()} that may be in flight at once
 */
public record YamuxConfig(
        int initialStreamWindow,
        int maxStreamWindow,
        boolean windowAutoTuning,
        int maxFrameSize,
        int maxInboundStreams,
        int maxOutboundStreams,
        int maxAckBacklog,
        Duration keepAliveInterval,
        Duration pingTimeout,
        Duration streamCloseTimeout,
        int maxQueuedControlFrames,
        int maxOutstandingPings) {

    /** The window every yamux stream starts with before any WindowUpdate (spec constant). */
    public static final int SPEC_INITIAL_WINDOW = 256 * 1024;

    private static final YamuxConfig DEFAULTS = builder().build();

    /** Checks the invariants; {@link Builder#build()} calls this. */
    public YamuxConfig {
        Objects.requireNonNull(keepAliveInterval, "keepAliveInterval");
        Objects.requireNonNull(pingTimeout, "pingTimeout");
        Objects.requireNonNull(streamCloseTimeout, "streamCloseTimeout");
        require(initialStreamWindow >= SPEC_INITIAL_WINDOW, "yamux.initialStreamWindow must be >= 256 KiB");
        require(maxStreamWindow >= initialStreamWindow, "yamux.maxStreamWindow must be >= initialStreamWindow");
        require(maxStreamWindow <= 1 << 30, "yamux.maxStreamWindow must be <= 1 GiB");
        require(maxFrameSize >= 1024 && maxFrameSize <= 16 << 20, "yamux.maxFrameSize must be in [1 KiB, 16 MiB]");
        require(maxInboundStreams >= 0, "yamux.maxInboundStreams must be >= 0");
        require(maxOutboundStreams >= 0, "yamux.maxOutboundStreams must be >= 0");
        require(maxAckBacklog >= 1, "yamux.maxAckBacklog must be >= 1");
        require(!keepAliveInterval.isNegative(), "yamux.keepAliveInterval must not be negative");
        require(pingTimeout.compareTo(Duration.ofMillis(1)) >= 0, "yamux.pingTimeout must be >= 1 ms");
        require(!streamCloseTimeout.isNegative(), "yamux.streamCloseTimeout must not be negative");
        require(maxQueuedControlFrames >= 16, "yamux.maxQueuedControlFrames must be >= 16");
        require(maxOutstandingPings >= 1, "yamux.maxOutstandingPings must be >= 1");
    }

    /** Returns the default settings (see {@link #builder()}). */
    public static YamuxConfig defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a builder preset with the defaults: initial window 256 KiB, max window 16 MiB, auto-tuning
     * on, frames of at most 64 KiB, 256 inbound streams (bounds unread inbound data per connection to
     * 64 MiB at the initial window; js allows 1000, go-libp2p's resource manager 256), 1000 outbound
     * streams, ACK backlog 256, keep-alive every 30 s, ping timeout 15 s, stream close timeout 10 s,
     * 4096 queued control frames, 16 outstanding pings.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder preset with this config's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.initialStreamWindow = initialStreamWindow;
        b.maxStreamWindow = maxStreamWindow;
        b.windowAutoTuning = windowAutoTuning;
        b.maxFrameSize = maxFrameSize;
        b.maxInboundStreams = maxInboundStreams;
        b.maxOutboundStreams = maxOutboundStreams;
        b.maxAckBacklog = maxAckBacklog;
        b.keepAliveInterval = keepAliveInterval;
        b.pingTimeout = pingTimeout;
        b.streamCloseTimeout = streamCloseTimeout;
        b.maxQueuedControlFrames = maxQueuedControlFrames;
        b.maxOutstandingPings = maxOutstandingPings;
        return b;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Collects settings; every setter returns the builder. */
    public static final class Builder {
        private int initialStreamWindow = SPEC_INITIAL_WINDOW;
        private int maxStreamWindow = 16 * 1024 * 1024;
        private boolean windowAutoTuning = true;
        private int maxFrameSize = 64 * 1024;
        private int maxInboundStreams = 256;
        private int maxOutboundStreams = 1000;
        private int maxAckBacklog = 256;
        private Duration keepAliveInterval = Duration.ofSeconds(30);
        private Duration pingTimeout = Duration.ofSeconds(15);
        private Duration streamCloseTimeout = Duration.ofSeconds(10);
        private int maxQueuedControlFrames = 4096;
        private int maxOutstandingPings = 16;

        private Builder() {
        }

        public Builder initialStreamWindow(int bytes) {
            this.initialStreamWindow = bytes;
            return this;
        }

        public Builder maxStreamWindow(int bytes) {
            this.maxStreamWindow = bytes;
            return this;
        }

        public Builder windowAutoTuning(boolean enabled) {
            this.windowAutoTuning = enabled;
            return this;
        }

        public Builder maxFrameSize(int bytes) {
            this.maxFrameSize = bytes;
            return this;
        }

        public Builder maxInboundStreams(int streams) {
            this.maxInboundStreams = streams;
            return this;
        }

        public Builder maxOutboundStreams(int streams) {
            this.maxOutboundStreams = streams;
            return this;
        }

        public Builder maxAckBacklog(int streams) {
            this.maxAckBacklog = streams;
            return this;
        }

        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = interval;
            return this;
        }

        public Builder pingTimeout(Duration timeout) {
            this.pingTimeout = timeout;
            return this;
        }

        public Builder streamCloseTimeout(Duration timeout) {
            this.streamCloseTimeout = timeout;
            return this;
        }

        public Builder maxQueuedControlFrames(int frames) {
            this.maxQueuedControlFrames = frames;
            return this;
        }

        public Builder maxOutstandingPings(int pings) {
            this.maxOutstandingPings = pings;
            return this;
        }

        /** Builds the config; throws {@link IllegalArgumentException} naming the first invalid setting. */
        public YamuxConfig build() {
            return new YamuxConfig(initialStreamWindow, maxStreamWindow, windowAutoTuning, maxFrameSize,
                    maxInboundStreams, maxOutboundStreams, maxAckBacklog, keepAliveInterval, pingTimeout,
                    streamCloseTimeout, maxQueuedControlFrames, maxOutstandingPings);
        }
    }
}
