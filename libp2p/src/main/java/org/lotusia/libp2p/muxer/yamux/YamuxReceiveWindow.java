// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

/**
 * Receive-side flow control of one stream: how much the peer may still send ({@link #credit()}), how
 * much has been consumed but not yet returned, and the window size, which auto-tuning may double.
 *
 * <p>Invariant: {@code credit + buffered + unreturned == window}, where {@code buffered} is what the
 * stream holds unread. Credit goes back in one WindowUpdate once half the window has been consumed
 * (rather than one per frame as js does). If that half was consumed within four round trips of the
 * previous update, the sender is limited by the window rather than by the reader, so the window
 * doubles (up to the maximum) and the growth rides on the same update, as in go-yamux and js.
 *
 * <p>Not thread-safe; used on the stream's event loop.
 */
final class YamuxReceiveWindow {
    private int window;
    private long credit;
    private long unreturned;
    private long lastUpdateNanos;

    YamuxReceiveWindow(int initialWindow, long nowNanos) {
        this.window = initialWindow;
        this.credit = initialWindow;
        this.lastUpdateNanos = nowNanos;
    }

    /**
     * Accounts for an incoming Data frame; false means the peer sent more than it was allowed to (the
     * window is then left unchanged).
     */
    boolean receive(long length) {
        if (length > credit) {
            return false;
        }
        credit -= length;
        return true;
    }

    /**
     * Records {@code bytes} handed to the reader and returns the WindowUpdate delta to send now, or 0.
     *
     * @param rttNanos   round-trip estimate, 0 if unknown (no auto-tuning then)
     * @param maxWindow  auto-tuning ceiling; pass the current window to disable growth
     */
    long consumed(long bytes, long nowNanos, long rttNanos, int maxWindow) {
        unreturned += bytes;
        if (unreturned < window >>> 1) {
            return 0;
        }
        long grow = 0;
        if (window < maxWindow && rttNanos > 0 && nowNanos - lastUpdateNanos < 4 * rttNanos) {
            int grown = (int) Math.min(2L * window, maxWindow);
            grow = grown - window;
            window = grown;
        }
        lastUpdateNanos = nowNanos;
        long delta = unreturned + grow;
        unreturned = 0;
        credit += delta;
        return delta;
    }

    /** Returns the bytes the peer may still send. */
    long credit() {
        return credit;
    }

    /** Returns the current window size. */
    int window() {
        return window;
    }

    /** Returns consumed bytes not yet returned to the peer. */
    long unreturned() {
        return unreturned;
    }
}
