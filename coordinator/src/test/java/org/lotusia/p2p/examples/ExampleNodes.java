package org.lotusia.p2p.examples;

import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Starts local coordinators on 127.0.0.1 (random ports) for the examples and shuts them all down on
 * {@link #close()}.
 */
public final class ExampleNodes implements AutoCloseable {
    /** Bound on every wait in the examples. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private final List<P2PCoordinator> nodes = new ArrayList<>();
    private final PrintStream out;

    public ExampleNodes(PrintStream out) {
        this.out = out;
    }

    /** Starts a coordinator listening on 127.0.0.1 and prints its id as {@code name}. */
    public P2PCoordinator start(String name) {
        P2PCoordinator node = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
        nodes.add(node);
        join(node.start());
        out.printf("started %s = %s%n", name, shortId(node));
        return node;
    }

    /** Connects {@code a} to {@code b} and waits until both sides see the connection. */
    public static void connect(P2PCoordinator a, P2PCoordinator b) {
        CompletableFuture<?> seen = Events.waitForEvent(b, EventType.CONNECTED, e -> e.peerId().equals(a.peerId()), WAIT);
        join(a.connectToPeer(b.getStats().multiaddrs().get(0)));
        if (b.isConnected(a.peerId())) {
            seen.cancel(false);
        } else {
            join(seen);
        }
    }

    /** The last 6 characters of the node's peer id, for readable output. */
    public static String shortId(P2PCoordinator node) {
        String id = node.peerId().toString();
        return "…" + id.substring(id.length() - 6);
    }

    /** Waits (bounded by {@link #WAIT}) for a future. */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@code condition} every 20 ms until true; throws after {@link #WAIT}. */
    public static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        nodes.forEach(P2PCoordinator::close);
    }
}
