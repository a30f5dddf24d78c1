// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.util.List;

class YamuxReceiveWindowTest {
    private static final int W = 256 * 1024;
    private static final int MAX = 16 << 20;
    private static final long MS = 1_000_000;

    @Test
    void refusesMoreThanTheCredit() {
        YamuxReceiveWindow w = new YamuxReceiveWindow(W, 0);
        assertThat(w.receive(W)).isTrue();
        assertThat(w.receive(1)).isFalse();
        assertThat(w.credit()).isZero();
    }

    @Test
    void returnsCreditOnceHalfTheWindowIsConsumed() {
        YamuxReceiveWindow w = new YamuxReceiveWindow(W, 0);
        w.receive(W);
        assertThat(w.consumed(W / 2 - 1, 0, 0, MAX)).isZero();
        assertThat(w.consumed(1, 0, 0, MAX)).isEqualTo(W / 2);
        assertThat(w.credit()).isEqualTo(W / 2);
        assertThat(w.window()).isEqualTo(W);
    }

    @Test
    void doublesWhenConsumedWithinFourRoundTripsOnly() {
        YamuxReceiveWindow w = new YamuxReceiveWindow(W, 0);
        w.receive(W / 2);
        // Consumed 3.9 ms after the last update with a 1 ms RTT: fast, so grow.
        assertThat(w.consumed(W / 2, 39 * MS / 10, MS, MAX)).isEqualTo(W / 2 + W);
        assertThat(w.window()).isEqualTo(2 * W);
        w.receive(W);
        // 4.1 ms later: the reader, not the window, is the limit.
        assertThat(w.consumed(W, 80 * MS / 10, MS, MAX)).isEqualTo(W);
        assertThat(w.window()).isEqualTo(2 * W);
    }

    @Test
    void neverGrowsBeyondTheMaximumOrWithoutRtt() {
        YamuxReceiveWindow w = new YamuxReceiveWindow(W, 0);
        w.receive(W);
        assertThat(w.consumed(W, 0, 0, MAX)).isEqualTo(W); // RTT unknown
        for (int i = 0; i < 20; i++) {
            long credit = w.credit();
            w.receive(credit);
            w.consumed(credit, 0, MS, MAX);
        }
        assertThat(w.window()).isEqualTo(MAX);
        assertThat(w.credit()).isEqualTo(MAX);
    }

    /** credit + buffered + unreturned == window, whatever arrives and is consumed. */
    @Property(tries = 200)
    void accountingInvariantHolds(@ForAll @Size(max = 200) List<@IntRange(min = 0, max = 300_000) Integer> ops) {
        YamuxReceiveWindow w = new YamuxReceiveWindow(W, 0);
        long buffered = 0;
        long now = 0;
        for (int op : ops) {
            now += op * 10L;
            if (op % 2 == 0) {
                if (w.receive(op)) {
                    buffered += op;
                }
            } else {
                long n = Math.min(buffered, op);
                buffered -= n;
                w.consumed(n, now, op % 3 == 0 ? 0 : MS, MAX);
            }
            assertThat(w.credit() + buffered + w.unreturned()).isEqualTo(w.window());
            assertThat(w.window()).isBetween(W, MAX);
        }
    }
}
