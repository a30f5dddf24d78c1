package org.lotusia.p2p.examples;

import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.PeerInfo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Guide "Pattern 3: Connection Pool Manager": every interval, if fewer than {@code target} peers are
 * connected, dial up to 5 candidates that are not connected. The guide takes candidates from
 * {@code discoverResources('peer')} (DHT, not in this version); here they come from an address book
 * supplier (e.g. fed by the discovery service of Pattern 2).
 */
public final class ConnectionPoolExample {
    /** Connected counts seen by the example. */
    public record Outcome(int target, int connectedAtFirst, int connectedAfterLoss, int dials) {
    }

    private ConnectionPoolExample() {
    }

    /** The guide's ConnectionPoolManager. */
    public static final class PoolManager implements AutoCloseable {
        private final P2PCoordinator coordinator;
        private final int targetConnections;
        private final Supplier<List<Multiaddr>> candidates;
        private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pool-manager");
            t.setDaemon(true);
            return t;
        });
        private final AtomicInteger dials = new AtomicInteger();
        private final PrintStream out;

        public PoolManager(P2PCoordinator coordinator, int targetConnections, Supplier<List<Multiaddr>> candidates,
                           PrintStream out) {
            this.coordinator = coordinator;
            this.targetConnections = targetConnections;
            this.candidates = candidates;
            this.out = out;
        }

        /** Checks every {@code interval} (the guide: 30 s). */
        public void start(Duration interval) {
            timer.scheduleWithFixedDelay(this::maintainConnections, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Stops checking. */
        public void stop() {
            timer.shutdownNow();
        }

        private void maintainConnections() {
            try {
                List<PeerInfo> current = coordinator.getConnectedPeers();
                int missing = targetConnections - current.size();
                if (missing <= 0) {
                    return;
                }
                Set<String> connected = current.stream().map(p -> p.peerId().toString()).collect(Collectors.toSet());
                List<Multiaddr> unconnected = candidates.get().stream()
                        .filter(a -> a.getPeerId().map(id -> !connected.contains(id.toString())).orElse(true))
                        .limit(Math.min(5, missing))
                        .toList();
                for (Multiaddr address : unconnected) {
                    dials.incrementAndGet();
                    try {
                        coordinator.connectToPeer(address).get(5, TimeUnit.SECONDS);
                        out.printf("pool: connected %s (%d/%d)%n", address, coordinator.getConnectedPeers().size(),
                                targetConnections);
                    } catch (Exception e) {
                        out.printf("pool: failed to connect to %s: %s%n", address, e.getMessage());
                    }
                }
            } catch (RuntimeException e) {
                out.printf("pool: check failed: %s%n", e);
            }
        }

        /** How many dials were attempted. */
        public int dials() {
            return dials.get();
        }

        @Override
        public void close() {
            stop();
        }
    }

    public static void main(String[] args) {
        run(System.out);
        System.exit(0);
    }

    public static Outcome run(PrintStream out) {
        try (ExampleNodes nodes = new ExampleNodes(out)) {
            P2PCoordinator self = nodes.start("self");
            List<P2PCoordinator> others = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                others.add(nodes.start("peer" + i));
            }
            List<Multiaddr> addressBook = others.stream().map(n -> n.getStats().multiaddrs().get(0)).toList();
            int target = 3;
            try (PoolManager pool = new PoolManager(self, target, () -> addressBook, out)) {
                pool.start(Duration.ofMillis(200));
                ExampleNodes.await(() -> self.getConnectedPeers().size() >= target, "the pool to reach its target");
                int first = self.getConnectedPeers().size();
                int dialsBefore = pool.dials();
                out.printf("pool: %d connected (target %d)%n", first, target);

                // lose one peer: the next check replaces it
                PeerInfo lost = self.getConnectedPeers().get(0);
                ExampleNodes.join(self.disconnectFromPeer(lost.peerId()));
                out.printf("pool: lost %s%n", lost.peerId());
                ExampleNodes.await(() -> pool.dials() > dialsBefore && self.getConnectedPeers().size() >= target,
                        "the pool to refill");
                int after = self.getConnectedPeers().size();
                out.printf("pool: %d connected again after %d dials%n", after, pool.dials());
                return new Outcome(target, first, after, pool.dials());
            }
        }
    }
}
