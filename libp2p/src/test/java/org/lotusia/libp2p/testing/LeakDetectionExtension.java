// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.testing;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a {@link ByteBuf} that was garbage-collected without
 * being released.
 *
 * <p>Use with {@code @ExtendWith(LeakDetectionExtension.class)}. The build runs tests with
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked; this extension sets that
 * level too unless the property chooses another one (e.g. {@code disabled} for a quick timing run). It subscribes to the ByteBuf leak detector (a listener, so normal leak logging still
 * happens) and after each test forces a few GC rounds, makes the detector drain its reference queue, and
 * fails the test with the access records of any leak found.
 *
 * <p>Tests must have released everything and shut their event loops down (in {@code @AfterEach}, which
 * runs before this check). A leak that the GC only notices later is blamed on a later test; the leak
 * records name the allocation site, which is what matters.
 */
public final class LeakDetectionExtension implements BeforeEachCallback, AfterEachCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final boolean INSTALLED = install();
    private static final int GC_ROUNDS = 4;

    private static boolean install() {
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        try {
            Field f = AbstractByteBuf.class.getDeclaredField("leakDetector");
            f.setAccessible(true);
            ResourceLeakDetector<?> detector = (ResourceLeakDetector<?>) f.get(null);
            detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:" + records));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            System.err.println("LeakDetectionExtension: cannot subscribe to Netty's leak detector: " + e);
            return false;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!INSTALLED) {
            return;
        }
        // Leaks of earlier, unrelated tests must not be blamed on this one.
        collect();
        LEAKS.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!INSTALLED) {
            return;
        }
        List<String> leaks = collect();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) detected in or before "
                    + context.getDisplayName() + ":\n" + String.join("\n----\n", leaks));
        }
    }

    /** Runs GC and lets the detector poll its reference queue; returns and clears the leaks seen. */
    public static List<String> collect() {
        for (int i = 0; i < GC_ROUNDS; i++) {
            System.gc();
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            // Tracking a new buffer makes the detector report what the GC has enqueued (unpooled heap
            // buffers are not tracked, so the probe must be pooled).
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.heapBuffer(1);
            probe.release();
        }
        List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null) {
            leaks.add(leak);
        }
        return leaks;
    }
}
