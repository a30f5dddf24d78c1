package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.events.ErrorEvent;
import org.lotusia.p2p.dht.ResourceRecord;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.MeshHealthEvent;
import org.lotusia.p2p.events.MessageEvent;
import org.lotusia.p2p.events.PeerConnectedEvent;
import org.lotusia.p2p.events.PeerDisconnectedEvent;
import org.lotusia.p2p.events.PeerUpdatedEvent;
import org.lotusia.p2p.events.ReachabilityChangedEvent;
import org.lotusia.p2p.events.RelayAddressesChangedEvent;
import org.lotusia.p2p.events.StateChangedEvent;
import org.lotusia.p2p.events.Subscription;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Prints a node's events on stdout: JSON lines for {@code --json} (the control interface's events),
 * readable lines otherwise. Subscribe before the node starts; events are held back until
 * {@link #open()}, so the {@code started} line always comes first.
 */
final class NodeEvents implements AutoCloseable {
    private final P2PCoordinator node;
    private final JsonLines json;
    private final PrintWriter text;
    private final List<Subscription> subscriptions = new ArrayList<>();
    private List<Runnable> held = new ArrayList<>();

    /**
     * @param json where JSON events go, or null for readable text on {@code text}
     */
    NodeEvents(P2PCoordinator node, JsonLines json, PrintWriter text) {
        this.node = node;
        this.json = json;
        this.text = text;
    }

    /** Listens to the coordinator's events. */
    void subscribe() {
        subscriptions.add(node.on(EventType.CONNECTED, this::connected));
        subscriptions.add(node.on(EventType.DISCONNECTED, this::disconnected));
        subscriptions.add(node.on(EventType.UPDATED, this::identified));
        subscriptions.add(node.on(EventType.MESSAGE, this::message));
        subscriptions.add(node.on(EventType.ERROR, this::error));
        subscriptions.add(node.on(EventType.STATE_CHANGED, this::state));
        subscriptions.add(node.on(EventType.MESH_HEALTHY, this::meshHealth));
        subscriptions.add(node.on(EventType.MESH_UNHEALTHY, this::meshHealth));
        subscriptions.add(node.on(EventType.MESH_RECOVERED, this::meshHealth));
        subscriptions.add(node.on(EventType.RELAY_ADDRESSES_CHANGED, this::relayAddresses));
        subscriptions.add(node.on(EventType.REACHABILITY_CHANGED, this::reachability));
        subscriptions.add(node.on(EventType.RESOURCE_ANNOUNCED, e -> resource(e.type().name(), e.resourceType(),
                e.resourceId(), e.creatorPeerId().toString(), null)));
        subscriptions.add(node.on(EventType.RESOURCE_DISCOVERED, e -> resource(e.type().name(), e.resourceType(),
                e.resourceId(), e.creatorPeerId(), null)));
        subscriptions.add(node.on(EventType.RESOURCE_REJECTED, e -> resource(e.type().name(), null, null, e.source(),
                e.key() + ": " + e.reason())));
        subscriptions.add(node.on(EventType.DHT_READY, e -> resource(e.type().name(), null, null, null,
                e.mode() + " mode, " + e.routingTableSize() + " routing-table peers")));
    }

    /** Prints the events held so far and every later one as it comes. */
    synchronized void open() {
        if (held != null) {
            held.forEach(Runnable::run);
            held = null;
        }
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
    }

    private void connected(PeerConnectedEvent e) {
        Optional<Connection> connection = connection(e.peerId());
        if (json != null) {
            ObjectNode event = json.object().put("event", "peer:connect").put("peerId", e.peerId().toString());
            connection.ifPresent(c -> event.put("direction", c.direction().name().toLowerCase(Locale.ROOT))
                    .put("addr", c.remoteAddress().toString()));
            ControlJson.addresses(event.putArray("addrs"), e.multiaddrs());
            emit(event);
        } else {
            say("peer:connect " + e.peerId() + " " + connection.map(c -> c.remoteAddress().toString())
                    .orElse(e.multiaddrs().isEmpty() ? "" : e.multiaddrs().get(0).toString()));
        }
    }

    private void disconnected(PeerDisconnectedEvent e) {
        if (json != null) {
            emit(json.object().put("event", "peer:disconnect").put("peerId", e.peerId().toString()));
        } else {
            say("peer:disconnect " + e.peerId());
        }
    }

    private void identified(PeerUpdatedEvent e) {
        PeerId peer = e.peerInfo().peerId();
        Optional<PeerRecordView> record = peerRecord(peer);
        if (json != null) {
            ObjectNode event = json.object().put("event", "peer:identify").put("peerId", peer.toString());
            record.flatMap(PeerRecordView::agentVersion).ifPresent(a -> event.put("agentVersion", a));
            ArrayNode protocols = event.putArray("protocols");
            record.ifPresent(r -> r.protocols().forEach(protocols::add));
            ControlJson.addresses(event.putArray("addrs"), e.peerInfo().multiaddrs());
            emit(event);
        } else {
            say("identified " + peer + " ("
                    + record.flatMap(PeerRecordView::agentVersion).orElse("unknown agent") + ")");
        }
    }

    private void message(MessageEvent e) {
        if (json != null) {
            ObjectNode event = json.object().put("event", "message");
            event.set("message", ControlJson.message(e.message()));
            event.put("from", e.from().peerId().toString());
            emit(event);
        } else {
            say("message from " + e.from().peerId() + ": " + e.message().toJson());
        }
    }

    private void error(ErrorEvent e) {
        if (json != null) {
            emit(json.object().put("event", "error").put("error", CliErrors.describe(e.error()))
                    .put("context", e.context()));
        } else {
            say("error in " + e.context() + ": " + CliErrors.describe(e.error()));
        }
    }

    private void state(StateChangedEvent e) {
        if (json != null) {
            ObjectNode event = json.object().put("event", "state").put("state", e.currentState().name())
                    .put("previous", e.previousState().name());
            e.error().ifPresent(reason -> event.put("error", reason));
            emit(event);
        }
    }

    /** {@code {"event":"resource:announced"|"resource:discovered","type","id","creator"}}, {@code resource:rejected} / {@code dht:ready} with {@code detail}. */
    private void resource(String name, String type, String id, String creator, String detail) {
        if (json != null) {
            ObjectNode event = json.object().put("event", name);
            if (type != null) {
                event.put("type", type).put("id", id);
            }
            if (creator != null) {
                event.put(name.equals("resource:rejected") ? "source" : "creator", creator);
            }
            if (detail != null) {
                event.put("detail", detail);
            }
            emit(event);
        } else {
            say(name + (type != null ? " " + ResourceRecord.keyOf(type, id) : "")
                    + (creator != null ? " from " + creator : "") + (detail != null ? " (" + detail + ")" : ""));
        }
    }

    private void meshHealth(MeshHealthEvent e) {
        if (json != null) {
            emit(ControlJson.meshHealthEvent(json.object(), e));
        } else {
            say(e.type().name() + " " + e.topic() + " (mesh " + e.meshPeers() + ", need " + e.required() + ")");
        }
    }

    private void relayAddresses(RelayAddressesChangedEvent e) {
        if (json != null) {
            ObjectNode event = json.object().put("event", e.type().name()).put("peerId", e.peerId().toString());
            ControlJson.addresses(event.putArray("relayAddrs"), e.relayAddresses());
            ControlJson.addresses(event.putArray("reachableAddrs"), e.reachableAddresses());
            emit(event);
        } else {
            say(e.type().name() + " " + e.relayAddresses());
        }
    }

    private void reachability(ReachabilityChangedEvent e) {
        if (json != null) {
            emit(json.object().put("event", e.type().name()).put("reachability", e.reachability().name())
                    .put("previous", e.previous().name()));
        } else {
            say(e.type().name() + " " + e.reachability());
        }
    }

    private Optional<Connection> connection(PeerId peer) {
        try {
            return node.host().connection(peer);
        } catch (IllegalStateException notRunning) {
            return Optional.empty();
        }
    }

    private Optional<PeerRecordView> peerRecord(PeerId peer) {
        try {
            return node.host().peerStore().get(peer);
        } catch (IllegalStateException notRunning) {
            return Optional.empty();
        }
    }

    private void emit(ObjectNode event) {
        print(() -> json.emit(event));
    }

    private void say(String line) {
        print(() -> {
            synchronized (text) {
                text.println(line);
                text.flush();
            }
        });
    }

    private void print(Runnable printing) {
        synchronized (this) {
            if (held != null) {
                held.add(printing);
                return;
            }
        }
        printing.run();
    }
}
