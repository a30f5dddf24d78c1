package org.lotusia.p2p.dht;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Announcements waiting to be put into the network (reference {@code DHTAnnouncementQueue}, §1.7):
 * while the routing table is empty, and after a failed put, with exponential backoff between attempts
 * (the reference's unused {@code retryDelay}, here honoured). Bounded: beyond the capacity the oldest
 * entry is dropped and its futures fail with a {@link RejectedExecutionException}; an entry waiting
 * longer than the timeout fails with a {@link TimeoutException}, and one whose record expired is
 * dropped the same way. Re-announcing a queued key replaces its record and keeps its futures.
 * Thread-safe; the owner drives it ({@link #due}, {@link #succeeded}, {@link #failed}, {@link #expire}).
 */
public final class ResourceAnnouncementQueue {
    private final int capacity;
    private final Duration timeout;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();

    /** One queued announcement. */
    private static final class Entry {
        ResourceRecord record;
        final Instant queuedAt;
        Instant nextAttempt;
        int attempts;
        boolean inFlight;
        final List<CompletableFuture<ResourceRecord>> waiters = new ArrayList<>();

        Entry(ResourceRecord record, Instant now) {
            this.record = record;
            this.queuedAt = now;
            this.nextAttempt = now;
        }
    }

    /** Creates an empty queue. */
    public ResourceAnnouncementQueue(int capacity, Duration timeout, Duration baseDelay, Duration maxDelay) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        this.capacity = capacity;
        this.timeout = timeout;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
    }

    /**
     * Queues {@code record} (or replaces the queued record of its key); {@code waiter}, if not null,
     * completes with the record once it is put, or fails when it is dropped.
     */
    public void enqueue(ResourceRecord record, CompletableFuture<ResourceRecord> waiter, Instant now) {
        List<CompletableFuture<ResourceRecord>> dropped = List.of();
        synchronized (this) {
            Entry entry = entries.get(record.key());
            if (entry == null) {
                entry = new Entry(record, now);
                entries.put(record.key(), entry);
                if (entries.size() > capacity) {
                    Iterator<Entry> oldest = entries.values().iterator();
                    dropped = new ArrayList<>(oldest.next().waiters);
                    oldest.remove();
                }
            } else {
                entry.record = record;
            }
            if (waiter != null) {
                entry.waiters.add(waiter);
            }
        }
        dropped.forEach(f -> f.completeExceptionally(new RejectedExecutionException("announcement queue full")));
    }

    /** Whether a record is queued under {@code key}. */
    public synchronized boolean isQueued(String key) {
        return entries.containsKey(key);
    }

    /** How many announcements wait. */
    public synchronized int size() {
        return entries.size();
    }

    /** The queued keys, oldest first. */
    public synchronized List<String> keys() {
        return List.copyOf(entries.keySet());
    }

    /** The records whose next attempt is due at {@code now}, marked in flight (oldest first). */
    public synchronized List<ResourceRecord> due(Instant now) {
        List<ResourceRecord> due = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.inFlight && !e.nextAttempt.isAfter(now)) {
                e.inFlight = true;
                e.attempts++;
                due.add(e.record);
            }
        }
        return due;
    }

    /** The put of {@code record} succeeded: removes it (unless replaced meanwhile) and completes its futures. */
    public void succeeded(ResourceRecord record) {
        List<CompletableFuture<ResourceRecord>> done;
        synchronized (this) {
            Entry e = entries.get(record.key());
            if (e == null) {
                return;
            }
            if (!e.record.equals(record)) {
                e.inFlight = false;
                e.nextAttempt = Instant.MIN;
                return;
            }
            entries.remove(record.key());
            done = e.waiters;
        }
        done.forEach(f -> f.complete(record));
    }

    /** The put of {@code record} failed: the next attempt waits base × 2^(attempts−1), at most the maximum. */
    public synchronized void failed(ResourceRecord record, Instant now) {
        Entry e = entries.get(record.key());
        if (e == null) {
            return;
        }
        e.inFlight = false;
        e.nextAttempt = now.plus(backoff(e.attempts));
    }

    /** The delay after {@code attempts} failed attempts. */
    public Duration backoff(int attempts) {
        int shift = Math.min(Math.max(attempts - 1, 0), 20);
        Duration delay = baseDelay.multipliedBy(1L << shift);
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    /** Drops entries queued longer than the timeout or whose record expired; returns how many. */
    public int expire(Instant now) {
        List<CompletableFuture<ResourceRecord>> timedOut = new ArrayList<>();
        List<CompletableFuture<ResourceRecord>> expired = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.record.isExpired(now.toEpochMilli())) {
                    expired.addAll(e.waiters);
                    it.remove();
                } else if (!e.inFlight && !now.isBefore(e.queuedAt.plus(timeout))) {
                    timedOut.addAll(e.waiters);
                    it.remove();
                }
            }
        }
        timedOut.forEach(f -> f.completeExceptionally(new TimeoutException(
                "announcement not put into the network within " + timeout)));
        expired.forEach(f -> f.completeExceptionally(new TimeoutException("record expired before it was put")));
        return timedOut.size() + expired.size();
    }

    /** Removes the entry of {@code key} (the resource was withdrawn); its futures fail with {@code reason}. */
    public void remove(String key, Throwable reason) {
        Entry e;
        synchronized (this) {
            e = entries.remove(key);
        }
        if (e != null) {
            e.waiters.forEach(f -> f.completeExceptionally(reason));
        }
    }

    /** Empties the queue; every future fails with {@code reason}. */
    public void clear(Throwable reason) {
        List<CompletableFuture<ResourceRecord>> all = new ArrayList<>();
        synchronized (this) {
            entries.values().forEach(e -> all.addAll(e.waiters));
            entries.clear();
        }
        all.forEach(f -> f.completeExceptionally(reason));
    }

    /** Snapshot for diagnostics: key → attempts. */
    public synchronized Map<String, Integer> attempts() {
        Map<String, Integer> out = new LinkedHashMap<>();
        entries.forEach((k, e) -> out.put(k, e.attempts));
        return out;
    }
}
