package org.lotusia.p2p.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.BroadcastOptions;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.dht.AnnounceOptions;
import org.lotusia.p2p.dht.DhtStats;
import org.lotusia.p2p.dht.ResourceFilter;
import org.lotusia.p2p.message.MessageOptions;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;
import org.lotusia.p2p.pubsub.TopicSubscription;

import com.fasterxml.jackson.databind.node.ArrayNode;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.io.Reader;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * The command side of the control interface ({@code lotus-p2p node --json}; see
 * docs/control-interface.md): reads one JSON command per line, runs it on the coordinator and
 * writes {@code {"id":…,"ok":true,"result":…}} or {@code {"id":…,"ok":false,"error":"…"}}.
 *
 * <p>Commands run asynchronously: the reader only starts them, so a slow dial never holds up the
 * next command, and replies may come out of order (match them by {@code id}). A failing command
 * never stops the node. Events are printed by {@link NodeEvents}.
 */
final class ControlInterface {
    /** Longest accepted command line, in characters (1 MiB). */
    static final int MAX_LINE_CHARS = 1 << 20;

    private final P2PCoordinator node;
    private final JsonLines out;
    private final Runnable stop;
    private final P2PProtocol protocol = new P2PProtocol();
    private final Map<String, Function<JsonNode, CompletableFuture<JsonNode>>> commands = Map.ofEntries(
            Map.entry("connect", this::connect),
            Map.entry("disconnect", this::disconnect),
            Map.entry("send", this::send),
            Map.entry("broadcast", this::broadcast),
            Map.entry("peers", this::peers),
            Map.entry("stats", this::stats),
            Map.entry("ping", this::ping),
            Map.entry("ban", this::ban),
            Map.entry("unban", this::unban),
            Map.entry("subscribe", this::subscribe),
            Map.entry("unsubscribe", this::unsubscribe),
            Map.entry("publish", this::publish),
            Map.entry("topicPeers", this::topicPeers),
            Map.entry("topics", this::topics),
            Map.entry("meshHealth", this::meshHealth),
            Map.entry("announce", this::announce),
            Map.entry("discover", this::discover),
            Map.entry("discoverAll", this::discoverAll),
            Map.entry("dhtStats", this::dhtStats),
            Map.entry("findPeer", this::findPeer),
            Map.entry("reachability", this::reachability),
            Map.entry("relayAddrs", this::relayAddrs),
            Map.entry("connectViaRelay", this::connectViaRelay),
            Map.entry("stop", this::stop));
    private volatile boolean stopping;
    /** The control interface's own handler per subscribed topic (it prints topic:message events). */
    private final Map<String, TopicSubscription> topicSubscriptions = new ConcurrentHashMap<>();

    /**
     * @param stop called (once) by the {@code stop} command, after its reply is written
     */
    ControlInterface(P2PCoordinator node, JsonLines out, Runnable stop) {
        this.node = node;
        this.out = out;
        this.stop = stop;
    }

    /** Reads and starts commands until the input ends or a {@code stop} command arrives. */
    void run(Reader input) throws IOException {
        BoundedLineReader lines = new BoundedLineReader(input, MAX_LINE_CHARS);
        String line;
        while (!stopping && (line = lines.readLine()) != null) {
            if (line == BoundedLineReader.TOO_LONG) {
                reply(NullNode.instance, null, "command line longer than " + MAX_LINE_CHARS + " characters");
            } else if (!line.isBlank()) {
                handle(line);
            }
        }
    }

    /** Parses and starts one command line; its reply is written when the command completes. */
    void handle(String line) {
        JsonNode command;
        try {
            command = JsonLines.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            reply(NullNode.instance, null, "malformed JSON: " + e.getOriginalMessage());
            return;
        }
        if (command == null || !command.isObject()) {
            reply(NullNode.instance, null, "a command must be a JSON object");
            return;
        }
        JsonNode id = command.has("id") ? command.get("id") : NullNode.instance;
        CompletableFuture<JsonNode> result;
        try {
            result = execute(command);
        } catch (RuntimeException e) {
            result = CompletableFuture.failedFuture(e);
        }
        result.whenComplete((value, error) -> {
            if (error != null) {
                reply(id, null, CliErrors.describe(unwrap(error)));
            } else {
                reply(id, value == null ? NullNode.instance : value, null);
            }
            if ("stop".equals(command.path("cmd").asText()) && error == null) {
                stop.run();
            }
        });
    }

    private CompletableFuture<JsonNode> execute(JsonNode command) {
        JsonNode name = command.get("cmd");
        if (name == null || !name.isTextual()) {
            throw new IllegalArgumentException("missing \"cmd\" (one of " + String.join(", ",
                    new TreeSet<>(commands.keySet())) + ")");
        }
        Function<JsonNode, CompletableFuture<JsonNode>> handler = commands.get(name.asText());
        if (handler == null) {
            throw new IllegalArgumentException("unknown command: " + name.asText());
        }
        return handler.apply(command);
    }

    // ------------------------------------------------------------------ commands

    private CompletableFuture<JsonNode> connect(JsonNode args) {
        String address = text(args, "addr");
        return node.connectToPeer(address).thenApply(ControlJson::peer);
    }

    private CompletableFuture<JsonNode> disconnect(JsonNode args) {
        PeerId peer = peer(args, "peer");
        if (!node.isConnected(peer)) {
            throw new IllegalArgumentException("not connected to " + peer);
        }
        return node.disconnectFromPeer(peer).thenApply(v -> peerResult(peer));
    }

    private CompletableFuture<JsonNode> send(JsonNode args) {
        String type = text(args, "type");
        String protocolName = optionalText(args, "protocol");
        PeerId peer = knownPeer(args);
        MessageOptions options = MessageOptions.to(peer.toString()).withProtocol(protocolName);
        P2PMessage message = protocol.createMessage(type, args.get("payload"), node.peerId().toString(), options);
        return node.sendTo(peer, message).thenApply(v -> messageResult(message));
    }

    private CompletableFuture<JsonNode> broadcast(JsonNode args) {
        Set<PeerId> exclude = peerSet(args, "exclude").orElse(Set.of());
        Optional<Set<PeerId>> only = peerSet(args, "includedOnly");
        MessageOptions options = MessageOptions.protocol(optionalText(args, "protocol"));
        P2PMessage message = protocol.createMessage(text(args, "type"), args.get("payload"),
                node.peerId().toString(), options);
        return node.broadcast(message, new BroadcastOptions(exclude, only)).thenApply(result -> {
            ObjectNode reply = ControlJson.broadcast(result);
            reply.put("messageId", message.messageId());
            return reply;
        });
    }

    private CompletableFuture<JsonNode> peers(JsonNode args) {
        var list = JsonLines.MAPPER.createArrayNode();
        node.getConnectedPeers().forEach(p -> list.add(ControlJson.peer(p)));
        return CompletableFuture.completedFuture(list);
    }

    private CompletableFuture<JsonNode> stats(JsonNode args) {
        return CompletableFuture.completedFuture(
                ControlJson.stats(node.getStats(), node.getSecurityManager().getMetrics()));
    }

    private CompletableFuture<JsonNode> ping(JsonNode args) {
        PeerId peer = knownPeer(args);
        return node.host().pingService().ping(peer).thenApply(rtt -> {
            ObjectNode reply = peerResult(peer);
            reply.put("rttMs", rtt.toNanos() / 1_000_000.0);
            return reply;
        });
    }

    private CompletableFuture<JsonNode> ban(JsonNode args) {
        PeerId peer = peer(args, "peer");
        String reason = Optional.ofNullable(optionalText(args, "reason")).orElse("banned via the control interface");
        boolean changed = node.getSecurityManager().banPeer(peer, reason);
        return CompletableFuture.completedFuture(peerResult(peer).put("changed", changed)
                .put("banned", node.getSecurityManager().isPeerBanned(peer)));
    }

    private CompletableFuture<JsonNode> unban(JsonNode args) {
        PeerId peer = peer(args, "peer");
        boolean changed = node.getSecurityManager().unbanPeer(peer);
        return CompletableFuture.completedFuture(peerResult(peer).put("changed", changed)
                .put("banned", node.getSecurityManager().isPeerBanned(peer)));
    }

    private CompletableFuture<JsonNode> subscribe(JsonNode args) {
        String topic = text(args, "topic");
        boolean[] created = {false};
        topicSubscriptions.computeIfAbsent(topic, t -> {
            created[0] = true;
            return node.subscribeToTopic(t, m -> out.emit(ControlJson.topicMessage(out.object(), m)));
        });
        return CompletableFuture.completedFuture(topicResult(topic).put("changed", created[0]));
    }

    private CompletableFuture<JsonNode> unsubscribe(JsonNode args) {
        String topic = text(args, "topic");
        topicSubscriptions.remove(topic);
        boolean changed = node.unsubscribeFromTopic(topic);
        return CompletableFuture.completedFuture(topicResult(topic).put("changed", changed));
    }

    private CompletableFuture<JsonNode> publish(JsonNode args) {
        String topic = text(args, "topic");
        boolean json = args.has("data");
        boolean raw = args.has("dataBase64") && !args.get("dataBase64").isNull();
        if (json == raw) {
            throw new IllegalArgumentException("give exactly one of \"data\" (any JSON value) and \"dataBase64\"");
        }
        CompletableFuture<Integer> sent;
        if (json) {
            sent = node.publishToTopic(topic, (Object) args.get("data"));
        } else {
            JsonNode encoded = args.get("dataBase64");
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(encoded.isTextual() ? encoded.asText() : "?");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"dataBase64\" must be a base64 string");
            }
            sent = node.publishToTopic(topic, bytes);
        }
        return sent.thenApply(n -> topicResult(topic).put("recipients", n));
    }

    private CompletableFuture<JsonNode> topicPeers(JsonNode args) {
        String topic = text(args, "topic");
        return node.getTopicPeers(topic).thenCombine(node.getMeshPeers(topic), (peers, mesh) -> {
            ObjectNode reply = topicResult(topic);
            ControlJson.peerIds(reply.putArray("peers"), peers);
            ControlJson.peerIds(reply.putArray("meshPeers"), mesh);
            return reply;
        });
    }

    private CompletableFuture<JsonNode> topics(JsonNode args) {
        var list = JsonLines.MAPPER.createArrayNode();
        new TreeSet<>(node.getSubscribedTopics()).forEach(list::add);
        return CompletableFuture.completedFuture(list);
    }

    private CompletableFuture<JsonNode> meshHealth(JsonNode args) {
        return node.checkMeshHealth().thenApply(results -> {
            var list = JsonLines.MAPPER.createArrayNode();
            results.forEach(r -> list.add(ControlJson.meshHealth(JsonLines.MAPPER.createObjectNode(), r)));
            return list;
        });
    }

    // DHT resources (docs/control-interface.md, "DHT commands").

    private CompletableFuture<JsonNode> announce(JsonNode args) {
        String type = text(args, "type");
        String id = text(args, "id");
        Optional<Duration> ttl = optionalPositive(args, "ttl").map(s -> Duration.ofNanos((long) (s * 1e9)));
        Optional<Instant> expiresAt = optionalPositive(args, "expiresAt").map(ms -> Instant.ofEpochMilli(ms.longValue()));
        JsonNode data = args.has("data") ? args.get("data") : NullNode.instance;
        return node.announceResource(type, id, data, new AnnounceOptions(ttl, expiresAt)).thenApply(ControlJson::resource);
    }

    private CompletableFuture<JsonNode> discover(JsonNode args) {
        String type = text(args, "type");
        String id = text(args, "id");
        Duration timeout = timeout(args).orElse(node.config().dhtResources().discoverTimeout());
        return node.discoverResource(type, id, timeout).thenApply(found -> {
            ObjectNode reply = JsonLines.MAPPER.createObjectNode().put("found", found.isPresent());
            reply.set("record", found.<JsonNode>map(ControlJson::resource).orElse(NullNode.instance));
            return reply;
        });
    }

    private CompletableFuture<JsonNode> discoverAll(JsonNode args) {
        String type = text(args, "type");
        ResourceFilter filter = ResourceFilter.fromJson(args.get("filters"));
        Duration timeout = timeout(args).orElse(node.config().dhtResources().discoverTimeout());
        return node.discoverResources(type, filter, timeout).thenApply(records -> {
            ObjectNode reply = JsonLines.MAPPER.createObjectNode().put("count", records.size());
            ArrayNode list = reply.putArray("records");
            records.forEach(r -> list.add(ControlJson.resource(r)));
            return reply;
        });
    }

    private CompletableFuture<JsonNode> dhtStats(JsonNode args) {
        DhtStats d = node.getDHTStats();
        return CompletableFuture.completedFuture(JsonLines.MAPPER.createObjectNode().put("enabled", d.enabled())
                .put("mode", d.mode()).put("routingTableSize", d.routingTableSize()).put("isReady", d.isReady())
                .put("localRecords", d.localRecords()).put("ownRecords", d.ownRecords())
                .put("queuedAnnouncements", d.queuedAnnouncements()));
    }

    private CompletableFuture<JsonNode> findPeer(JsonNode args) {
        PeerId peer = peer(args, "peerId");
        Duration timeout = timeout(args).orElse(node.config().dhtResources().discoverTimeout());
        return node.findPeer(peer, timeout).thenApply(found -> {
            ObjectNode reply = JsonLines.MAPPER.createObjectNode().put("peerId", peer.toString())
                    .put("found", found.found()).put("connected", found.connected());
            ControlJson.addresses(reply.putArray("addrs"), found.addresses());
            return reply;
        });
    }

    private static Optional<Double> optionalPositive(JsonNode args, String field) {
        JsonNode value = args.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isNumber() || !(value.asDouble() > 0) || Double.isInfinite(value.asDouble())) {
            throw new IllegalArgumentException("\"" + field + "\" must be a positive number");
        }
        return Optional.of(value.asDouble());
    }

    private static Optional<Duration> timeout(JsonNode args) {
        return optionalPositive(args, "timeoutMs").map(ms -> Duration.ofMillis(Math.max(1, ms.longValue())));
    }

    // NAT traversal: AutoNAT verdict, relay addresses (live reservations only), dialling through a relay.

    private CompletableFuture<JsonNode> reachability(JsonNode args) {
        ObjectNode reply = JsonLines.MAPPER.createObjectNode()
                .put("reachability", node.getReachability().name())
                .put("autonat", node.config().enableAutoNAT());
        ControlJson.addresses(reply.putArray("reachableAddrs"), node.getReachableAddresses());
        return CompletableFuture.completedFuture(reply);
    }

    private CompletableFuture<JsonNode> relayAddrs(JsonNode args) {
        ObjectNode reply = JsonLines.MAPPER.createObjectNode().put("relay", node.config().enableRelay());
        ControlJson.addresses(reply.putArray("relayAddrs"), node.getRelayAddresses());
        ControlJson.addresses(reply.putArray("reachableAddrs"), node.getReachableAddresses());
        return CompletableFuture.completedFuture(reply);
    }

    private CompletableFuture<JsonNode> connectViaRelay(JsonNode args) {
        String relay = text(args, "relay");
        String target = args.hasNonNull("peerId") || !args.hasNonNull("peer") ? text(args, "peerId") : text(args, "peer");
        parsePeer(target, "peerId");
        return node.connectToPeerViaRelay(relay, target).thenApply(info -> {
            ObjectNode reply = ControlJson.peer(info);
            reply.put("limited", node.host().connection(info.peerId()).map(c -> c.isLimited()).orElse(false));
            return reply;
        });
    }

    private CompletableFuture<JsonNode> stop(JsonNode args) {
        stopping = true;
        return CompletableFuture.completedFuture(NullNode.instance);
    }

    // ------------------------------------------------------------------ arguments

    private static String text(JsonNode args, String field) {
        JsonNode value = args.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("missing \"" + field + "\"");
        }
        if (!value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a non-empty string");
        }
        return value.asText();
    }

    private static String optionalText(JsonNode args, String field) {
        JsonNode value = args.get(field);
        return value == null || value.isNull() ? null : text(args, field);
    }

    private static PeerId peer(JsonNode args, String field) {
        return parsePeer(text(args, field), field);
    }

    private static PeerId parsePeer(String text, String field) {
        try {
            return PeerId.parse(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid peer id in \"" + field + "\": " + text);
        }
    }

    /** The {@code peer} argument, which must be connected or seen since start. */
    private PeerId knownPeer(JsonNode args) {
        PeerId peer = peer(args, "peer");
        if (!node.isConnected(peer) && node.getPeer(peer).isEmpty()) {
            throw new IllegalArgumentException("unknown peer: " + peer);
        }
        return peer;
    }

    private static Optional<Set<PeerId>> peerSet(JsonNode args, String field) {
        JsonNode value = args.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an array of peer ids");
        }
        Set<PeerId> peers = new HashSet<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("\"" + field + "\" must be an array of peer ids");
            }
            peers.add(parsePeer(item.asText(), field));
        }
        return Optional.of(peers);
    }

    // ------------------------------------------------------------------ replies

    private static ObjectNode peerResult(PeerId peer) {
        return JsonLines.MAPPER.createObjectNode().put("peer", peer.toString());
    }

    private static ObjectNode topicResult(String topic) {
        return JsonLines.MAPPER.createObjectNode().put("topic", topic);
    }

    private static ObjectNode messageResult(P2PMessage message) {
        return JsonLines.MAPPER.createObjectNode().put("messageId", message.messageId());
    }

    private void reply(JsonNode id, JsonNode result, String error) {
        ObjectNode reply = out.object();
        reply.set("id", id);
        reply.put("ok", error == null);
        if (error == null) {
            reply.set("result", result);
        } else {
            reply.put("error", error);
        }
        out.emit(reply);
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
