package org.lotusia.p2p.patterns;

import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Local coordinators on 127.0.0.1 for pattern tests; close() shuts them all down. */
final class TestNodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private final List<P2PCoordinator> nodes = new ArrayList<>();

    P2PCoordinator started() {
        P2PCoordinator node = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
        nodes.add(node);
        join(node.start());
        return node;
    }

    /** Connects {@code a} to {@code b} and waits until both see the connection. */
    static void connect(P2PCoordinator a, P2PCoordinator b) {
        CompletableFuture<?> seen = Events.waitForEvent(b, EventType.CONNECTED,
                e -> e.peerId().equals(a.peerId()), WAIT);
        join(a.connectToPeer(b.getStats().multiaddrs().get(0)));
        if (!b.isConnected(a.peerId())) {
            join(seen);
        } else {
            seen.cancel(false);
        }
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        nodes.forEach(P2PCoordinator::close);
    }
}
