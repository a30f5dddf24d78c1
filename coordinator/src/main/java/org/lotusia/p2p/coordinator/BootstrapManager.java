package org.lotusia.p2p.coordinator;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.function.DoubleSupplier;

/**
 * Keeps the configured bootstrap peers connected (reference {@code BootstrapManager}): dials them all
 * on {@link #start()}, and re-dials a peer with {@link BackoffPolicy jittered exponential backoff}
 * when a dial fails or its last connection closes, until {@link BackoffPolicy#maxAttempts()} re-dials
 * in a row have failed. A successful connection resets the count.
 *
 * <p>Unlike the reference there is no periodic health check: the owner reports connection changes
 * through {@link #peerConnected} and {@link #peerDisconnected} (the host's connection events are
 * reliable), and a bootstrap peer that was already connected, or that dialled us, counts as connected.
 * Thread-safe; the callbacks on {@link Listener} are made while holding this manager's lock and must
 * not block.
 */
public final class BootstrapManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapManager.class);

    /** Dials an address; the future completes when connected. */
    @FunctionalInterface
    public interface Dialer {
        /** Dials {@code address} (which ends in {@code /p2p/<id>}). */
        CompletableFuture<?> dial(Multiaddr address);
    }

    /** Runs a task after a delay. */
    @FunctionalInterface
    public interface Scheduler {
        /** Schedules {@code task} to run once after {@code delay}; the future cancels it. */
        Future<?> schedule(Runnable task, Duration delay);
    }

    /** Receives the manager's events (reference {@code bootstrap:*} events). All default to no-ops. */
    public interface Listener {
        /** A bootstrap peer is connected. */
        default void connected(PeerId peer, Multiaddr address) {
        }

        /** A connected bootstrap peer lost its last connection. */
        default void disconnected(PeerId peer, String reason) {
        }

        /** Re-dial number {@code attempt} is scheduled in {@code delay}. */
        default void reconnecting(PeerId peer, int attempt, Duration delay) {
        }

        /** {@code attempts} re-dials failed in a row; the peer is given up until it connects by itself. */
        default void failed(PeerId peer, int attempts, String error) {
        }
    }

    /**
     * The state of one bootstrap peer.
     *
     * @param address   its configured address
     * @param connected whether it is connected
     * @param attempts  failed re-dials since it was last connected
     * @param givenUp   whether the manager stopped re-dialling it
     */
    public record Status(Multiaddr address, boolean connected, int attempts, boolean givenUp) {
    }

    private static final class Entry {
        final PeerId peer;
        final Multiaddr address;
        boolean connected;
        boolean dialing;
        boolean givenUp;
        int attempts;
        Future<?> pending;

        Entry(PeerId peer, Multiaddr address) {
            this.peer = peer;
            this.address = address;
        }
    }

    private final Map<PeerId, Entry> peers = new LinkedHashMap<>();
    private final BackoffPolicy policy;
    private final Scheduler scheduler;
    private final DoubleSupplier random;
    private final Dialer dialer;
    private final Listener listener;
    private boolean started;
    private boolean closed;

    /**
     * @param addresses bootstrap addresses, each ending in {@code /p2p/<id>} (the last one wins per peer)
     * @param policy    the re-dial backoff
     * @param scheduler runs re-dials
     * @param random    uniform values in {@code [0, 1)} for the jitter
     * @param dialer    dials an address
     * @param listener  receives the events
     * @throws IllegalArgumentException if an address names no peer
     */
    public BootstrapManager(List<Multiaddr> addresses, BackoffPolicy policy, Scheduler scheduler,
                            DoubleSupplier random, Dialer dialer, Listener listener) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.random = Objects.requireNonNull(random, "random");
        this.dialer = Objects.requireNonNull(dialer, "dialer");
        this.listener = Objects.requireNonNull(listener, "listener");
        for (Multiaddr address : addresses) {
            PeerId peer = address.getPeerId().orElseThrow(() ->
                    new IllegalArgumentException("bootstrap peer address must end with /p2p/<peer id>: " + address));
            peers.put(peer, new Entry(peer, address));
        }
    }

    /** Dials every bootstrap peer that is not connected yet. Only the first call has an effect. */
    public synchronized void start() {
        if (started || closed) {
            return;
        }
        started = true;
        for (Entry entry : peers.values()) {
            if (!entry.connected) {
                dial(entry);
            }
        }
    }

    /** Reports that {@code peer} got a connection (a no-op for other peers). */
    public synchronized void peerConnected(PeerId peer) {
        Entry entry = peers.get(peer);
        if (entry != null && !closed) {
            markConnected(entry);
        }
    }

    /** Reports that {@code peer} lost its last connection; a bootstrap peer is re-dialled with backoff. */
    public synchronized void peerDisconnected(PeerId peer) {
        Entry entry = peers.get(peer);
        if (entry == null || closed || !entry.connected) {
            return;
        }
        entry.connected = false;
        listener.disconnected(peer, "peer disconnected");
        scheduleRedial(entry, "peer disconnected");
    }

    /** Whether {@code peer} is a bootstrap peer. */
    public synchronized boolean isBootstrapPeer(PeerId peer) {
        return peers.containsKey(peer);
    }

    /** How many bootstrap peers are connected. */
    public synchronized int connectedCount() {
        return (int) peers.values().stream().filter(e -> e.connected).count();
    }

    /** A snapshot of every bootstrap peer's state, in configuration order. */
    public synchronized Map<PeerId, Status> status() {
        Map<PeerId, Status> copy = new LinkedHashMap<>();
        peers.forEach((p, e) -> copy.put(p, new Status(e.address, e.connected, e.attempts, e.givenUp)));
        return copy;
    }

    /** Cancels every scheduled re-dial; later reports and dial results are ignored. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Entry entry : peers.values()) {
            if (entry.pending != null) {
                entry.pending.cancel(false);
                entry.pending = null;
            }
        }
    }

    private void markConnected(Entry entry) {
        if (entry.pending != null) {
            entry.pending.cancel(false);
            entry.pending = null;
        }
        entry.attempts = 0;
        entry.givenUp = false;
        if (!entry.connected) {
            entry.connected = true;
            listener.connected(entry.peer, entry.address);
        }
    }

    private void dial(Entry entry) {
        entry.dialing = true;
        CompletableFuture<?> dial;
        try {
            dial = dialer.dial(entry.address);
        } catch (RuntimeException e) {
            dial = CompletableFuture.failedFuture(e);
        }
        dial.whenComplete((connection, error) -> dialed(entry, error));
    }

    private synchronized void dialed(Entry entry, Throwable error) {
        entry.dialing = false;
        if (closed) {
            return;
        }
        if (error == null) {
            markConnected(entry);
            return;
        }
        LOG.debug("bootstrap dial to {} failed: {}", entry.address, error.toString());
        if (!entry.connected) {
            scheduleRedial(entry, String.valueOf(rootMessage(error)));
        }
    }

    private void scheduleRedial(Entry entry, String reason) {
        if (closed || entry.pending != null || entry.dialing || entry.givenUp) {
            return;
        }
        if (entry.attempts >= policy.maxAttempts()) {
            entry.givenUp = true;
            LOG.warn("giving up bootstrap peer {} after {} re-dials: {}", entry.address, entry.attempts, reason);
            listener.failed(entry.peer, entry.attempts, reason);
            return;
        }
        Duration delay = policy.delay(entry.attempts, random.getAsDouble());
        entry.attempts++;
        int attempt = entry.attempts;
        entry.pending = scheduler.schedule(() -> redial(entry), delay);
        listener.reconnecting(entry.peer, attempt, delay);
    }

    private synchronized void redial(Entry entry) {
        entry.pending = null;
        if (closed || entry.connected) {
            return;
        }
        dial(entry);
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
                || t instanceof java.util.concurrent.ExecutionException)) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }
}
