package org.lotusia.p2p.events;

/**
 * A registered listener. {@link #close()} removes it: it receives no event delivered after that.
 * Idempotent.
 */
public interface Subscription extends AutoCloseable {
    /** Removes the listener. Idempotent. */
    @Override
    void close();

    /** Same as {@link #close()}. */
    default void remove() {
        close();
    }

    /** Whether the listener is still registered. */
    boolean isActive();
}
