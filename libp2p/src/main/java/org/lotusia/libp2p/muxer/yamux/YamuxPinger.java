// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.FLAG_SYN;
import static org.lotusia.libp2p.muxer.yamux.YamuxFrameHeader.TYPE_PING;

import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.lotusia.libp2p.muxer.MuxerException;

/**
 * Outgoing pings of a session: the round-trip ping at start, keep-alives, pings requested through
 * {@code ping()}, their timeouts and the RTT estimates. Answering the peer's pings stays in the handler.
 *
 * <p>A ping counts as lost only if nothing at all arrived from the peer during {@code pingTimeout}: an
 * answer queued behind megabytes of data is late, not lost. A lost ping ends the session.
 *
 * <p>Event-loop only.
 */
final class YamuxPinger {
    private final YamuxHandler session;
    private final EventExecutor executor;
    private final YamuxConfig config;
    private final IntObjectHashMap<PendingPing> pending = new IntObjectHashMap<>();
    private int nextId;
    private int userPings;
    private boolean keepAliveInFlight;
    private long rttNanos;
    private long minRttNanos;
    private ScheduledFuture<?> keepAliveTimer;
    private boolean closed;

    YamuxPinger(YamuxHandler session, EventExecutor executor) {
        this.session = session;
        this.executor = executor;
        this.config = session.config();
    }

    /** Sends the first ping (js does the same; its answer gives the RTT) and starts keep-alives. */
    void start() {
        keepAliveInFlight = true;
        send(null, true);
        long interval = config.keepAliveInterval().toNanos();
        if (interval > 0) {
            keepAliveTimer = executor.scheduleAtFixedRate(this::keepAlive, interval, interval, TimeUnit.NANOSECONDS);
        }
    }

    /** Sends a ping for {@code ping()}; the caller flushes. */
    void userPing(CompletableFuture<Duration> future) {
        if (userPings >= config.maxOutstandingPings()) {
            future.completeExceptionally(new MuxerException("too many pings in flight ("
                    + config.maxOutstandingPings() + ")"));
            return;
        }
        userPings++;
        send(future, false);
    }

    /** Handles a ping answer; returns false if no ping with that value is outstanding. */
    boolean onAnswer(int value) {
        PendingPing p = pending.remove(value);
        if (p == null) {
            return false;
        }
        p.finish();
        long sample = Math.max(1, session.nanoTime() - p.sentNanos);
        rttNanos = rttNanos == 0 ? sample : (rttNanos * 7 + sample) / 8;
        minRttNanos = minRttNanos == 0 ? sample : Math.min(minRttNanos, sample);
        if (p.future != null) {
            p.future.complete(Duration.ofNanos(sample));
        }
        return true;
    }

    long rttNanos() {
        return rttNanos;
    }

    long minRttNanos() {
        return minRttNanos;
    }

    void setRttForTest(long rtt) {
        rttNanos = rtt;
        minRttNanos = rtt;
    }

    /** Cancels timers and fails outstanding pings. Idempotent. */
    void close(Throwable cause) {
        closed = true;
        if (keepAliveTimer != null) {
            keepAliveTimer.cancel(false);
        }
        for (PendingPing p : new ArrayList<>(pending.values())) {
            p.finish();
            if (p.future != null) {
                p.future.completeExceptionally(cause);
            }
        }
        pending.clear();
    }

    private void keepAlive() {
        if (closed || keepAliveInFlight) {
            return;
        }
        keepAliveInFlight = true;
        send(null, true);
        session.requestFlush();
    }

    private void send(CompletableFuture<Duration> future, boolean keepAlive) {
        int id = nextId++;
        PendingPing p = new PendingPing(id, future, keepAlive, session.nanoTime(), session.bytesRead());
        pending.put(id, p);
        session.writeControl(TYPE_PING, FLAG_SYN, 0, id);
        p.arm();
    }

    private void timedOut(PendingPing p) {
        if (closed || pending.get(p.id) != p) {
            return;
        }
        long read = session.bytesRead();
        if (read != p.bytesReadMark) {
            p.bytesReadMark = read;
            p.arm();
            return;
        }
        pending.remove(p.id);
        p.finish();
        if (p.future != null) {
            p.future.completeExceptionally(new MuxerException("ping timed out"));
        }
        session.pingLost();
    }

    private final class PendingPing {
        final int id;
        final CompletableFuture<Duration> future;
        final boolean keepAlive;
        final long sentNanos;
        long bytesReadMark;
        ScheduledFuture<?> timeout;

        PendingPing(int id, CompletableFuture<Duration> future, boolean keepAlive, long sentNanos, long mark) {
            this.id = id;
            this.future = future;
            this.keepAlive = keepAlive;
            this.sentNanos = sentNanos;
            this.bytesReadMark = mark;
        }

        void arm() {
            timeout = executor.schedule(() -> timedOut(this), config.pingTimeout().toNanos(), TimeUnit.NANOSECONDS);
        }

        void finish() {
            if (timeout != null) {
                timeout.cancel(false);
            }
            if (keepAlive) {
                keepAliveInFlight = false;
            } else {
                userPings--;
            }
        }
    }
}
