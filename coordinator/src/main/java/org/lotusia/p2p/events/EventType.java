package org.lotusia.p2p.events;

import java.util.List;
import java.util.Objects;

/**
 * A kind of {@link P2PEvent}, typed by its payload record so listeners need no casts:
 * {@code coordinator.on(EventType.CONNECTED, e -> log(e.peerId()))}.
 *
 * <p>{@link #name()} is the event string the TypeScript reference uses ({@code peer:connect},
 * {@code connection:state-changed}, …), for logs and interop documentation.
 *
 * @param <T> the payload record delivered to listeners
 */
public final class EventType<T extends P2PEvent> {
    /** A peer got its first open connection ({@code peer:connect}). */
    public static final EventType<PeerConnectedEvent> CONNECTED =
            new EventType<>("peer:connect", PeerConnectedEvent.class);
    /** A peer lost its last open connection ({@code peer:disconnect}). */
    public static final EventType<PeerDisconnectedEvent> DISCONNECTED =
            new EventType<>("peer:disconnect", PeerDisconnectedEvent.class);
    /** A peer became known for the first time ({@code peer:discovery}). */
    public static final EventType<PeerDiscoveredEvent> DISCOVERED =
            new EventType<>("peer:discovery", PeerDiscoveredEvent.class);
    /** What is known about a peer changed, e.g. after identify ({@code peer:update}). */
    public static final EventType<PeerUpdatedEvent> UPDATED =
            new EventType<>("peer:update", PeerUpdatedEvent.class);
    /** A valid, non-duplicate direct message arrived ({@code message}). */
    public static final EventType<MessageEvent> MESSAGE = new EventType<>("message", MessageEvent.class);
    /** Something failed asynchronously, including a listener or protocol handler that threw ({@code error}). */
    public static final EventType<ErrorEvent> ERROR = new EventType<>("error", ErrorEvent.class);
    /** The connection state changed ({@code connection:state-changed}). */
    public static final EventType<StateChangedEvent> STATE_CHANGED =
            new EventType<>("connection:state-changed", StateChangedEvent.class);
    /** We announced a resource: it is in the local cache and on its way into the DHT ({@code resource:announced}). */
    public static final EventType<ResourceAnnouncedEvent> RESOURCE_ANNOUNCED =
            new EventType<>("resource:announced", ResourceAnnouncedEvent.class);
    /** Another peer's resource record was fetched, checked and cached ({@code resource:discovered}; not in the reference). */
    public static final EventType<ResourceDiscoveredEvent> RESOURCE_DISCOVERED =
            new EventType<>("resource:discovered", ResourceDiscoveredEvent.class);
    /** A resource record from the network failed its checks and was dropped ({@code resource:rejected}; not in the reference). */
    public static final EventType<ResourceRejectedEvent> RESOURCE_REJECTED =
            new EventType<>("resource:rejected", ResourceRejectedEvent.class);
    /** The DHT routing table got its first peer ({@code dht:ready}). */
    public static final EventType<DhtReadyEvent> DHT_READY = new EventType<>("dht:ready", DhtReadyEvent.class);
    /** A peer entered the DHT routing table ({@code dht:peer-added}). */
    public static final EventType<DhtPeerAddedEvent> DHT_PEER_ADDED =
            new EventType<>("dht:peer-added", DhtPeerAddedEvent.class);
    /** A peer left the DHT routing table ({@code dht:peer-removed}). */
    public static final EventType<DhtPeerRemovedEvent> DHT_PEER_REMOVED =
            new EventType<>("dht:peer-removed", DhtPeerRemovedEvent.class);
    /** Our relay addresses changed: a reservation was granted or ended ({@code relay:addresses-changed}). */
    public static final EventType<RelayAddressesChangedEvent> RELAY_ADDRESSES_CHANGED =
            new EventType<>("relay:addresses-changed", RelayAddressesChangedEvent.class);
    /** AutoNAT changed its verdict on our reachability ({@code nat:reachability-changed}; not in the reference). */
    public static final EventType<ReachabilityChangedEvent> REACHABILITY_CHANGED =
            new EventType<>("nat:reachability-changed", ReachabilityChangedEvent.class);
    /** A bootstrap peer is connected ({@code bootstrap:connected}). */
    public static final EventType<BootstrapConnectedEvent> BOOTSTRAP_CONNECTED =
            new EventType<>("bootstrap:connected", BootstrapConnectedEvent.class);
    /** A bootstrap peer disconnected ({@code bootstrap:disconnected}). */
    public static final EventType<BootstrapDisconnectedEvent> BOOTSTRAP_DISCONNECTED =
            new EventType<>("bootstrap:disconnected", BootstrapDisconnectedEvent.class);
    /** A re-dial of a bootstrap peer was scheduled ({@code bootstrap:reconnecting}). */
    public static final EventType<BootstrapReconnectingEvent> BOOTSTRAP_RECONNECTING =
            new EventType<>("bootstrap:reconnecting", BootstrapReconnectingEvent.class);
    /** A bootstrap peer was given up after the configured number of attempts ({@code bootstrap:failed}). */
    public static final EventType<BootstrapFailedEvent> BOOTSTRAP_FAILED =
            new EventType<>("bootstrap:failed", BootstrapFailedEvent.class);

    /** A subscribed topic's GossipSub mesh was first found healthy ({@code mesh:healthy}). */
    public static final EventType<MeshHealthEvent> MESH_HEALTHY =
            new EventType<>("mesh:healthy", MeshHealthEvent.class);
    /** A subscribed topic's GossipSub mesh is below the health threshold ({@code mesh:unhealthy}). */
    public static final EventType<MeshHealthEvent> MESH_UNHEALTHY =
            new EventType<>("mesh:unhealthy", MeshHealthEvent.class);
    /** A subscribed topic's GossipSub mesh is healthy again after being unhealthy ({@code mesh:recovered}). */
    public static final EventType<MeshHealthEvent> MESH_RECOVERED =
            new EventType<>("mesh:recovered", MeshHealthEvent.class);

    private static final List<EventType<?>> VALUES = List.of(CONNECTED, DISCONNECTED, DISCOVERED, UPDATED, MESSAGE,
            ERROR, STATE_CHANGED, RESOURCE_ANNOUNCED, RESOURCE_DISCOVERED,
            RESOURCE_REJECTED, DHT_READY, DHT_PEER_ADDED, DHT_PEER_REMOVED, RELAY_ADDRESSES_CHANGED, REACHABILITY_CHANGED, BOOTSTRAP_CONNECTED,
            BOOTSTRAP_DISCONNECTED, BOOTSTRAP_RECONNECTING, BOOTSTRAP_FAILED,
            MESH_HEALTHY, MESH_UNHEALTHY, MESH_RECOVERED);

    private final String name;
    private final Class<T> payloadType;

    private EventType(String name, Class<T> payloadType) {
        this.name = name;
        this.payloadType = payloadType;
    }

    /** Every event type, in declaration order. */
    public static List<EventType<?>> values() {
        return VALUES;
    }

    /** The event type with the reference event string {@code name}, e.g. {@code peer:connect}. */
    public static EventType<?> forName(String name) {
        Objects.requireNonNull(name, "name");
        for (EventType<?> type : VALUES) {
            if (type.name.equals(name)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown event type: " + name);
    }

    /** The reference event string, e.g. {@code peer:connect}. */
    public String name() {
        return name;
    }

    /** The payload record class. */
    public Class<T> payloadType() {
        return payloadType;
    }

    @Override
    public String toString() {
        return name;
    }
}
