package org.lotusia.p2p.events;

import java.util.function.Consumer;

/** Something that emits {@link P2PEvent}s to typed listeners (the coordinator). */
public interface EventSource {
    /**
     * Adds a listener for events of {@code type}. Listeners run one at a time, in emission order
     * and in registration order, on the source's event executor (never on a network I/O thread).
     * A listener that throws is reported as an {@link EventType#ERROR} event and does not stop
     * delivery to other listeners.
     *
     * @return the registration; close it to remove the listener
     */
    <T extends P2PEvent> Subscription on(EventType<T> type, Consumer<? super T> listener);
}
