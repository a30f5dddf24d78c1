package org.lotusia.p2p.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.BroadcastResult;
import org.lotusia.p2p.P2PStats;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.dht.ResourceRecord;
import org.lotusia.p2p.events.MeshHealthEvent;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.pubsub.TopicMeshHealth;
import org.lotusia.p2p.pubsub.TopicMessage;
import org.lotusia.p2p.security.SecurityMetrics;

import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Collection;
import java.util.Optional;

/**
 * The JSON shapes of coordinator values on the control interface (see docs/control-interface.md):
 * messages, peers, stats and broadcast results.
 */
final class ControlJson {
    private ControlJson() {
    }

    /** The full message, exactly as it travels on the wire ({@link P2PMessage#toJson()}). */
    static JsonNode message(P2PMessage message) {
        try {
            return JsonLines.MAPPER.readTree(message.toJson());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code {"peerId":…,"addrs":[…],"lastSeen":millis}}. */
    static ObjectNode peer(PeerInfo info) {
        ObjectNode node = JsonLines.MAPPER.createObjectNode().put("peerId", info.peerId().toString());
        addresses(node.putArray("addrs"), info.multiaddrs());
        node.put("lastSeen", info.lastSeen().toEpochMilli());
        return node;
    }

    /** The node snapshot plus the security manager's counters. */
    static ObjectNode stats(P2PStats stats, SecurityMetrics security) {
        ObjectNode node = JsonLines.MAPPER.createObjectNode();
        node.put("peerId", stats.peerId().map(PeerId::toString).orElse(null));
        node.put("state", stats.state().name());
        node.putObject("peers").put("total", stats.peers().total()).put("connected", stats.peers().connected());
        node.putObject("dht").put("enabled", stats.dht().enabled()).put("mode", stats.dht().mode())
                .put("routingTableSize", stats.dht().routingTableSize())
                .put("localRecords", stats.dht().localRecords());
        addresses(node.putArray("multiaddrs"), stats.multiaddrs());
        addresses(node.putArray("relayAddresses"), stats.relayAddresses());
        node.put("reachability", stats.reachability().name());
        node.set("security", JsonLines.MAPPER.valueToTree(security));
        return node;
    }

    /** A resource record as stored in the DHT ({@code resourceId, resourceType, creatorPeerId, data, createdAt, expiresAt?, signature?}) plus its {@code key}. */
    static ObjectNode resource(ResourceRecord record) {
        ObjectNode node = record.toJson();
        node.put("key", record.key());
        return node;
    }

    /** {@code {"sent":[peer…],"failed":{peer:error}}}. */
    static ObjectNode broadcast(BroadcastResult result) {
        ObjectNode node = JsonLines.MAPPER.createObjectNode();
        ArrayNode sent = node.putArray("sent");
        result.sent().forEach(p -> sent.add(p.toString()));
        ObjectNode failed = node.putObject("failed");
        result.failed().forEach((peer, error) -> failed.put(peer.toString(), CliErrors.describe(error)));
        return node;
    }

    /**
     * {@code {"event":"topic:message","topic":…,"from":…,"data":…,"messageId":…,"receivedFrom":…}}:
     * {@code data} is the payload parsed as JSON; a payload that is not JSON gives {@code "data":null}
     * and {@code "dataBase64"}.
     */
    static ObjectNode topicMessage(ObjectNode event, TopicMessage message) {
        event.put("event", "topic:message").put("topic", message.topic()).put("from", message.from().toString());
        Optional<JsonNode> json = message.jsonIfValid();
        event.set("data", json.orElse(NullNode.instance));
        if (json.isEmpty()) {
            event.put("dataBase64", Base64.getEncoder().encodeToString(message.data()));
        }
        event.put("messageId", message.messageId());
        message.receivedFrom().ifPresent(p -> event.put("receivedFrom", p.toString()));
        return event;
    }

    /** {@code {"topic":…,"meshPeers":n,"topicPeers":n,"required":n,"healthy":bool}}. */
    static ObjectNode meshHealth(ObjectNode node, TopicMeshHealth health) {
        return node.put("topic", health.topic()).put("meshPeers", health.meshPeers())
                .put("topicPeers", health.topicPeers()).put("required", health.required())
                .put("healthy", health.isHealthy());
    }

    /** {@code {"event":"mesh:…","topic":…,"meshPeers":n,"topicPeers":n,"required":n}}. */
    static ObjectNode meshHealthEvent(ObjectNode event, MeshHealthEvent e) {
        return event.put("event", e.type().name()).put("topic", e.topic()).put("meshPeers", e.meshPeers())
                .put("topicPeers", e.topicPeers()).put("required", e.required());
    }

    static ArrayNode peerIds(ArrayNode array, Collection<PeerId> peers) {
        peers.stream().map(PeerId::toString).sorted().forEach(array::add);
        return array;
    }

    static ArrayNode addresses(ArrayNode array, Collection<Multiaddr> addresses) {
        addresses.forEach(a -> array.add(a.toString()));
        return array;
    }
}
