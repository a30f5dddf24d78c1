// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

/** Proves that {@link LeakDetectionExtension} sees a leak, so a green muxer suite means leak-free. */
class LeakDetectionSelfTest {

    @Test
    void reportsAnUnreleasedBuffer() throws InterruptedException {
        LeakDetectionExtension.collect();
        // On a fresh thread, so the (expected) LEAK log has a short allocation stack.
        Thread t = new Thread(LeakDetectionSelfTest::leak, "intentional-leak");
        t.start();
        t.join();
        assertThat(LeakDetectionExtension.collect()).anySatisfy(l -> assertThat(l).contains("leak"));
    }

    private static void leak() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(42);
        // dropped without release()
    }
}
