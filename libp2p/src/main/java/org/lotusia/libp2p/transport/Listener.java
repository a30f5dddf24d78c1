package org.lotusia.libp2p.transport;

import org.lotusia.libp2p.multiformats.Multiaddr;

import java.util.concurrent.CompletableFuture;

/**
 * A bound listening socket (or its equivalent) created by {@link Transport#listen}. Closing it stops
 * accepting and releases the address; connections already accepted stay open.
 */
public interface Listener extends AutoCloseable {

    /** The address actually bound, e.g. with the real port when port 0 was requested. */
    Multiaddr localAddress();

    /** Whether the listener still accepts connections. */
    boolean isOpen();

    /** Stops listening; the future completes once the address is released. Idempotent. */
    CompletableFuture<Void> closeAsync();

    /**
     * Stops listening and waits until the address is released. When called on an event loop thread it
     * does not wait (that would deadlock); use {@link #closeAsync()} there. Never throws.
     */
    @Override
    void close();
}
