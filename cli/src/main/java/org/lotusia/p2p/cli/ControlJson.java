package org.lotusia.p2p.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.BroadcastResult;
import org.lotusia.p2p.P2PStats;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.security.SecurityMetrics;

import java.io.UncheckedIOException;
import java.util.Collection;

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
        node.set("security", JsonLines.MAPPER.valueToTree(security));
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

    static ArrayNode addresses(ArrayNode array, Collection<Multiaddr> addresses) {
        addresses.forEach(a -> array.add(a.toString()));
        return array;
    }
}
