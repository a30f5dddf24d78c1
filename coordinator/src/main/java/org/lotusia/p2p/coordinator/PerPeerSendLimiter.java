package org.lotusia.p2p.coordinator;

import org.lotusia.libp2p.crypto.PeerId;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Keeps at most {@code maxInFlight} sends to one peer open at a time and queues the rest (up to
 * {@code maxQueued} per peer), so a burst of direct messages never exceeds the receiver's limit on
 * concurrent inbound message streams (js and we allow 32), which would reset the excess streams.
 * Thread-safe; a peer's entry disappears when it has nothing in flight.
 */
public final class PerPeerSendLimiter {
    /** Default concurrent sends per peer: half the receivers' inbound stream limit. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 16;
    /** Default queued sends per peer before new ones are refused. */
    public static final int DEFAULT_MAX_QUEUED = 10_000;

    private final int maxInFlight;
    private final int maxQueued;
    private final Map<PeerId, Lane> lanes = new ConcurrentHashMap<>();

    /** A limiter with the default limits. */
    public PerPeerSendLimiter() {
        this(DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_QUEUED);
    }

    /** A limiter with the given limits (both positive). */
    public PerPeerSendLimiter(int maxInFlight, int maxQueued) {
        if (maxInFlight < 1 || maxQueued < 1) {
            throw new IllegalArgumentException("limits must be positive");
        }
        this.maxInFlight = maxInFlight;
        this.maxQueued = maxQueued;
    }

    /**
     * Runs {@code send} now if fewer than {@code maxInFlight} sends to {@code peer} are open, else
     * when one finishes. The returned future completes as the send's does; it fails at once with
     * {@link RejectedExecutionException} when the peer's queue is full.
     */
    public CompletableFuture<Void> submit(PeerId peer, Supplier<CompletableFuture<Void>> send) {
        Task task = new Task(send, new CompletableFuture<>());
        while (true) {
            Lane lane = lanes.computeIfAbsent(peer, Lane::new);
            Boolean startNow = lane.offer(task);
            if (startNow == null) {
                continue; // the lane retired between lookup and offer; take a fresh one
            }
            if (startNow) {
                lane.run(task);
            }
            return task.done();
        }
    }

    /** Sends to {@code peer} open or queued right now. */
    public int pending(PeerId peer) {
        Lane lane = lanes.get(peer);
        return lane == null ? 0 : lane.size();
    }

    private record Task(Supplier<CompletableFuture<Void>> send, CompletableFuture<Void> done) {
        CompletableFuture<Void> start() {
            CompletableFuture<Void> sent;
            try {
                sent = send.get();
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            return sent.whenComplete((v, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    done.complete(null);
                }
            });
        }
    }

    private final class Lane {
        private final PeerId peer;
        private final ArrayDeque<Task> waiting = new ArrayDeque<>();
        private int inFlight;
        private boolean retired;

        Lane(PeerId peer) {
            this.peer = peer;
        }

        /** True: start it now; false: queued; null: this lane is retired. Throws when full. */
        synchronized Boolean offer(Task task) {
            if (retired) {
                return null;
            }
            if (inFlight < maxInFlight) {
                inFlight++;
                return true;
            }
            if (waiting.size() >= maxQueued) {
                throw new RejectedExecutionException("send queue to " + peer + " is full ("
                        + maxQueued + " messages waiting)");
            }
            waiting.add(task);
            return false;
        }

        synchronized int size() {
            return inFlight + waiting.size();
        }

        /** Runs {@code first}, then (without recursion) whatever the freed slot lets through. */
        void run(Task first) {
            Task next = first;
            while (next != null) {
                CompletableFuture<Void> over = next.start();
                if (!over.isDone()) {
                    over.whenComplete((v, e) -> run(next()));
                    return;
                }
                next = next();
            }
        }

        /** The next queued task for the slot that just freed, or null after releasing the slot. */
        private Task next() {
            synchronized (this) {
                Task task = waiting.poll();
                if (task == null && --inFlight == 0) {
                    retired = true;
                    lanes.remove(peer, this);
                }
                return task;
            }
        }
    }
}
