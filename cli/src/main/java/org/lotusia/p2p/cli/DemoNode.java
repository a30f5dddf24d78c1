package org.lotusia.p2p.cli;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.MessageEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * One named node of {@code lotus-p2p demo}: a coordinator on 127.0.0.1 plus what it has seen
 * (connected peers, received messages with their arrival time), with waits on both.
 */
final class DemoNode implements AutoCloseable {
    /** A received message and when it arrived ({@link System#nanoTime()}). */
    record Received(MessageEvent event, long atNanos) {
    }

    final String name;
    final P2PCoordinator coordinator;
    private final Set<PeerId> connected = new HashSet<>();
    private final List<Received> inbox = new ArrayList<>();

    DemoNode(String name) {
        this.name = name;
        this.coordinator = new P2PCoordinator(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").build());
        coordinator.on(EventType.CONNECTED, e -> update(() -> connected.add(e.peerId())));
        coordinator.on(EventType.DISCONNECTED, e -> update(() -> connected.remove(e.peerId())));
        coordinator.on(EventType.MESSAGE, e -> update(() -> inbox.add(new Received(e, System.nanoTime()))));
    }

    PeerId peerId() {
        return coordinator.peerId();
    }

    /** The first shareable address (with {@code /p2p/<id>}). */
    Multiaddr address() {
        return coordinator.getStats().multiaddrs().get(0);
    }

    /** Waits until this node's connection to {@code peer} is open ({@code true}) or closed. */
    void awaitConnected(PeerId peer, boolean open, Duration timeout) throws TimeoutException, InterruptedException {
        await(() -> connected.contains(peer) == open, timeout,
                name + (open ? " never saw a connection to " : " kept its connection to ") + peer);
    }

    /** Waits for the first received message matching {@code filter}. */
    Received awaitMessage(Predicate<MessageEvent> filter, Duration timeout, String what)
            throws TimeoutException, InterruptedException {
        Received[] found = new Received[1];
        await(() -> {
            found[0] = inbox.stream().filter(r -> filter.test(r.event())).findFirst().orElse(null);
            return found[0] != null;
        }, timeout, name + " did not receive " + what);
        return found[0];
    }

    /** Messages received so far. */
    synchronized int receivedCount() {
        return inbox.size();
    }

    synchronized Optional<Received> lastMessage() {
        return inbox.isEmpty() ? Optional.empty() : Optional.of(inbox.get(inbox.size() - 1));
    }

    private synchronized void update(Runnable change) {
        change.run();
        notifyAll();
    }

    private synchronized void await(BooleanSupplier condition, Duration timeout, String failure)
            throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException(failure + " within " + timeout.toMillis() + " ms");
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public void close() {
        coordinator.close();
    }
}
