package org.lotusia.libp2p.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for state that announces no event (routing tables, meshes, reservations running out) by
 * polling it. Prefer awaiting a future or an event where one exists.
 */
public final class Poll {
    private static final long INTERVAL_MILLIS = 20;

    private Poll() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @throws AssertionError "timed out waiting for {@code what}" when it does not within {@code timeout}
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + " (" + timeout + ")");
            }
            Thread.sleep(INTERVAL_MILLIS);
        }
    }
}
