package org.lotusia.libp2p.kad;

import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two daemon threads every {@link KadDht} of the process shares: one fires maintenance timers (refresh,
 * republish, sweep), whose tasks only start asynchronous work; the other delivers listener callbacks in order,
 * so a slow listener never delays timers or network threads. Shared so that hundreds of in-process nodes do
 * not cost hundreds of threads.
 */
final class KadScheduler {
    /** Fires maintenance timers. */
    static final ScheduledThreadPoolExecutor TIMERS = newThread("kad-timers");
    /** Runs listener callbacks, one at a time in submission order. */
    static final Executor EVENTS = newThread("kad-events");

    private KadScheduler() {
    }

    private static ScheduledThreadPoolExecutor newThread(String name) {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread thread = new Thread(r, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, factory);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
