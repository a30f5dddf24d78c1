package org.lotusia.p2p.events;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Helpers for waiting on events (the reference {@code waitForEvent}). */
public final class Events {
    private Events() {
    }

    /**
     * Completes with the next event of {@code type} that {@code source} emits after this call.
     *
     * <p>The future fails with a {@link TimeoutException} ("Timeout waiting for event: peer:connect")
     * after {@code timeout}. The listener is removed as soon as the future completes in any way:
     * event, timeout or {@code cancel}. Dependent stages run on the source's event executor when
     * an event completes the future.
     */
    public static <T extends P2PEvent> CompletableFuture<T> waitForEvent(EventSource source, EventType<T> type,
                                                                          Duration timeout) {
        return waitForEvent(source, type, e -> true, timeout);
    }

    /**
     * Like {@link #waitForEvent(EventSource, EventType, Duration)}, for the next event that matches
     * {@code filter} (e.g. a given peer id). A filter that throws fails the future.
     */
    public static <T extends P2PEvent> CompletableFuture<T> waitForEvent(EventSource source, EventType<T> type,
                                                                          Predicate<? super T> filter,
                                                                          Duration timeout) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(filter, "filter");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        // The outcome is decided on an internal future; the caller's future completes only after the
        // listener is gone, so a caller woken by it never sees the listener still registered.
        CompletableFuture<T> outcome = new CompletableFuture<>();
        CompletableFuture<T> result = new CompletableFuture<>();
        Subscription subscription = source.on(type, event -> {
            if (outcome.isDone()) {
                return;
            }
            try {
                if (filter.test(event)) {
                    outcome.complete(event);
                }
            } catch (RuntimeException e) {
                outcome.completeExceptionally(e);
            }
        });
        outcome.whenComplete((event, error) -> {
            subscription.close();
            if (error != null) {
                result.completeExceptionally(error);
            } else {
                result.complete(event);
            }
        });
        // A caller's cancel() removes the listener too.
        result.whenComplete((event, error) -> subscription.close());
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() ->
                outcome.completeExceptionally(new TimeoutException("Timeout waiting for event: " + type.name())));
        return result;
    }
}
