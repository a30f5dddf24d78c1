package org.lotusia.p2p.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Delivers events to typed listeners on one executor. The executor must run tasks one at a time in
 * submission order (a single-thread executor); then every listener sees events in emission order.
 *
 * <p>A listener that throws is logged and reported as an {@link ErrorEvent} (queued after the
 * current event); the other listeners of the event still receive it. A throwing {@link ErrorEvent}
 * listener is only logged, so errors cannot loop. Thread-safe.
 */
public final class EventBus implements EventSource {
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    private final Executor executor;
    private final Map<EventType<?>, List<Registration<?>>> listeners = new ConcurrentHashMap<>();

    /**
     * @param executor runs every listener; must be sequential (see the class comment)
     */
    public EventBus(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    @Override
    public <T extends P2PEvent> Subscription on(EventType<T> type, Consumer<? super T> listener) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(listener, "listener");
        Registration<T> registration = new Registration<>(type, listener);
        listeners.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(registration);
        return registration;
    }

    /** How many listeners are registered for {@code type}. */
    public int listenerCount(EventType<?> type) {
        List<Registration<?>> list = listeners.get(type);
        return list == null ? 0 : list.size();
    }

    /** Removes every listener. */
    public void clear() {
        listeners.values().forEach(list -> list.forEach(r -> r.active.set(false)));
        listeners.clear();
    }

    /**
     * Queues {@code event} for delivery to the listeners of its type. Returns at once; if the
     * executor no longer accepts tasks the event is dropped (logged at debug level).
     */
    public void emit(P2PEvent event) {
        Objects.requireNonNull(event, "event");
        run(() -> deliver(event));
    }

    /**
     * Runs {@code task} on the event executor, in order with events; a throwing task is reported
     * like a throwing listener, with {@code context} naming it.
     */
    public void execute(String context, Runnable task) {
        run(() -> {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                failed(context, e, false);
            }
        });
    }

    private void run(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("event executor closed; dropping task");
        }
    }

    private void deliver(P2PEvent event) {
        List<Registration<?>> list = listeners.get(event.type());
        if (list == null) {
            return;
        }
        boolean isError = event instanceof ErrorEvent;
        for (Registration<?> registration : list) {
            try {
                registration.accept(event);
            } catch (RuntimeException | Error e) {
                if (e instanceof VirtualMachineError vme) {
                    throw vme;
                }
                failed("listener for " + event.type().name(), e, isError);
            }
        }
    }

    private void failed(String context, Throwable e, boolean duringError) {
        if (duringError) {
            LOG.warn("{} threw; not reported again", context, e);
            return;
        }
        LOG.warn("{} threw", context, e);
        emit(new ErrorEvent(e, context, Instant.now()));
    }

    private final class Registration<T extends P2PEvent> implements Subscription {
        private final EventType<T> type;
        private final Consumer<? super T> listener;
        private final AtomicBoolean active = new AtomicBoolean(true);

        Registration(EventType<T> type, Consumer<? super T> listener) {
            this.type = type;
            this.listener = listener;
        }

        void accept(P2PEvent event) {
            if (active.get()) {
                listener.accept(type.payloadType().cast(event));
            }
        }

        @Override
        public void close() {
            if (active.compareAndSet(true, false)) {
                List<Registration<?>> list = listeners.get(type);
                if (list != null) {
                    list.remove(this);
                }
            }
        }

        @Override
        public boolean isActive() {
            return active.get();
        }
    }
}
