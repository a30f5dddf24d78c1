package org.lotusia.p2p;

/**
 * The coordinator's connection state (reference {@code ConnectionState}).
 *
 * <p>The coordinator moves {@code DISCONNECTED → CONNECTING → CONNECTED} on
 * {@link P2PCoordinator#start()} ({@code → ERROR} if starting fails) and back to {@code DISCONNECTED}
 * on {@link P2PCoordinator#stop()}. With the DHT enabled, a monitor (every
 * {@link org.lotusia.p2p.dht.DhtResourceConfig#monitorInterval()}) then follows the reference's rules
 * (§2.2): no connected peer → {@code CONNECTED}; peers but an empty routing table →
 * {@code DHT_INITIALIZING}; one or two routing-table peers → {@code DHT_READY}; three or more →
 * {@code FULLY_OPERATIONAL}. Unlike the reference, the state also goes back down when peers leave.
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
