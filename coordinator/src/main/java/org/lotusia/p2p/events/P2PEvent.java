package org.lotusia.p2p.events;

import java.time.Instant;

/**
 * An event the {@link org.lotusia.p2p.P2PCoordinator} emits. Each event is an immutable record
 * whose {@link #type()} is one of the {@link EventType} constants; listen with
 * {@link EventSource#on(EventType, java.util.function.Consumer)}.
 */
public sealed interface P2PEvent permits PeerConnectedEvent, PeerDisconnectedEvent, PeerDiscoveredEvent,
        PeerUpdatedEvent, MessageEvent, ErrorEvent, StateChangedEvent, ResourceAnnouncedEvent,
        ResourceDiscoveredEvent, ResourceRejectedEvent, DhtReadyEvent, DhtPeerAddedEvent, DhtPeerRemovedEvent,
        RelayAddressesChangedEvent, ReachabilityChangedEvent, BootstrapConnectedEvent, BootstrapDisconnectedEvent,
        BootstrapReconnectingEvent, BootstrapFailedEvent, MeshHealthEvent {

    /** The type of this event (its name is the reference's event string, e.g. {@code peer:connect}). */
    EventType<?> type();

    /** When the event happened. */
    Instant timestamp();
}
