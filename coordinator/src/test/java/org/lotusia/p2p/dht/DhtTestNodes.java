package org.lotusia.p2p.dht;

import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.security.SecurityConfig;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** Coordinators with the DHT on 127.0.0.1 for the resource tests; closes them all. */
final class DhtTestNodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final List<P2PCoordinator> nodes = new ArrayList<>();

    /** A started coordinator with the DHT in server or client mode. */
    P2PCoordinator start(boolean server) {
        return start(server, c -> c);
    }

    /** A started coordinator with the DHT, its resource settings changed by {@code settings}. */
    P2PCoordinator start(boolean server, UnaryOperator<DhtResourceConfig> settings) {
        P2PConfig config = P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0")
                .enableDHT(true).enableDHTServer(server)
                .dhtResources(settings.apply(DhtResourceConfig.defaults().withMonitorInterval(Duration.ofMillis(100))))
                .securityConfig(SecurityConfig.defaults())
                .build();
        P2PCoordinator node = new P2PCoordinator(config);
        nodes.add(node);
        join(node.start());
        return node;
    }

    /** Connects {@code from} to {@code to}. */
    static void connect(P2PCoordinator from, P2PCoordinator to) {
        join(from.connectToPeer(to.getStats().multiaddrs().get(0)));
    }

    /** Waits until {@code node}'s routing table has at least {@code size} peers. */
    static void awaitRoutingTable(P2PCoordinator node, int size) {
        await(() -> node.getDHTStats().routingTableSize() >= size, "routing table of " + size);
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Polls {@code condition} (every 50 ms) until it holds, failing after {@link #WAIT}. */
    static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        nodes.forEach(P2PCoordinator::close);
        nodes.clear();
    }
}
