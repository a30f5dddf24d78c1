package org.lotusia.p2p;

/**
 * The coordinator's connection state (reference {@code ConnectionState}).
 *
 * <p>In this version (no DHT yet) the coordinator moves {@code DISCONNECTED → CONNECTING →
 * CONNECTED} on {@link P2PCoordinator#start()} ({@code → ERROR} if starting fails) and back to
 * {@code DISCONNECTED} on {@link P2PCoordinator#stop()}. {@code DHT_INITIALIZING}, {@code DHT_READY}
 * and {@code FULLY_OPERATIONAL} are reserved for the DHT work (planned).
 */
public enum ConnectionState {
    /** Not running. */
    DISCONNECTED,
    /** Starting: the libp2p host is being created and bound. */
    CONNECTING,
    /** Running and listening. */
    CONNECTED,
    /** Running, connected to peers, DHT routing table still empty (DHT only). */
    DHT_INITIALIZING,
    /** Running with one or two DHT routing-table peers (DHT only). */
    DHT_READY,
    /** Running with three or more DHT routing-table peers (DHT only). */
    FULLY_OPERATIONAL,
    /** Starting failed; see the {@link org.lotusia.p2p.events.StateChangedEvent#error()} and {@link P2PCoordinator#connectionStateError()}. */
    ERROR
}
