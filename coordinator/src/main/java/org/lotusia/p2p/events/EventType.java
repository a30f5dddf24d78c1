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
    /** A resource was announced ({@code resource:announced}); reserved for the DHT work (planned). */
    public static final EventType<ResourceAnnouncedEvent> RESOURCE_ANNOUNCED =
            new EventType<>("resource:announced", ResourceAnnouncedEvent.class);
    /** Our relay addresses changed ({@code relay:addresses-changed}); reserved for the relay work (planned). */
    public static final EventType<RelayAddressesChangedEvent> RELAY_ADDRESSES_CHANGED =
            new EventType<>("relay:addresses-changed", RelayAddressesChangedEvent.class);
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

    private static final List<EventType<?>> VALUES = List.of(CONNECTED, DISCONNECTED, DISCOVERED, UPDATED, MESSAGE,
            ERROR, STATE_CHANGED, RESOURCE_ANNOUNCED, RELAY_ADDRESSES_CHANGED, BOOTSTRAP_CONNECTED,
            BOOTSTRAP_DISCONNECTED, BOOTSTRAP_RECONNECTING, BOOTSTRAP_FAILED);

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
