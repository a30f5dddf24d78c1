package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.testing.Poll;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsonLinesProcess;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.transport.TransportResources;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mixed network of 5 Java {@link KadDht} nodes and 5 js {@code @libp2p/kad-dht} 16.1.0 nodes
 * ({@code interop/js/kad/node.mjs --nodes=5}: five independent libp2p nodes in one Node process), all in server mode on {@code /lotus/kad/1.0.0}, alternating Java/js along a
 * chain with a few extra links, so each node is dialled to only one or two others. After one bootstrap round
 * every node puts its own {@code resource:mixed:<i>} record and every node must get all ten; provider records
 * announced on one side must be found from every node of the other.
 */
@ExtendWith(LeakDetectionExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KadMixedNetworkTest {
    private static final int NODES = 10;
    private static final Duration CALL = Duration.ofSeconds(30);

    /** One node of the network: Java (host and dht set) or js (jsIndex set). */
    private static final class Node {
        final int index;
        Host host;
        KadDht dht;
        int jsIndex = -1;
        PeerId peer;
        Multiaddr address;

        Node(int index) {
            this.index = index;
        }

        boolean isJava() {
            return dht != null;
        }

        @Override
        public String toString() {
            return (isJava() ? "java#" : "js#") + index;
        }
    }

    private TransportResources resources;
    private JsonLinesProcess js;
    private final List<Node> nodes = new ArrayList<>();

    /** Calls {@code cmd} on the js node {@code node}. */
    private JsonNode call(Node node, String cmd, Map<String, ?> args) {
        Map<String, Object> withNode = new java.util.HashMap<>(args);
        withNode.put("node", node.jsIndex);
        return js.call(cmd, withNode, CALL);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Poll.until(what, Duration.ofSeconds(20), condition);
    }

    private static String key(int i) {
        return "resource:mixed:node-" + i;
    }

    private static String value(int i) {
        return "{\"resourceId\":\"node-" + i + "\",\"n\":" + i + "}";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] sha256Multihash(String content) {
        byte[] digest = KadId.ofKey(utf8(content)).toBytes();
        byte[] multihash = new byte[34];
        multihash[0] = 0x12;
        multihash[1] = 0x20;
        System.arraycopy(digest, 0, multihash, 2, 32);
        return multihash;
    }

    private int routingTableSize(Node node) {
        return node.isJava() ? node.dht.routingTable().size()
                : call(node, "routingTable", Map.of()).path("result").path("size").asInt();
    }

    @BeforeAll
    void start() throws Exception {
        JsInterop.assumeEnabled();
        resources = TransportResources.create();
        // raw keys as Lotus nodes use them, plus the namespaced mode's /lotus/ namespace (registered on js too)
        KadConfig config = KadConfig.defaults().withProtocol(KadDht.LOTUS_PROTOCOL)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(15))
                .withValidation(KadKeys.acceptingNamespace(RecordValidation.lenient(), KadKeys.LOTUS_NAMESPACE));
        js = JsInterop.startJsonLines("kad/node.mjs", "--nodes=" + NODES / 2, "--debug=libp2p:kad-dht*:error");
        JsonNode started = js.awaitEvent("started", CALL);
        for (int i = 0; i < NODES; i++) {
            Node node = new Node(i);
            if (i % 2 == 1) {
                node.jsIndex = i / 2;
                JsonNode info = started.path("nodes").get(node.jsIndex);
                node.peer = PeerId.parse(info.path("peerId").asText());
                node.address = Multiaddr.parse(info.path("addrs").get(0).asText());
            } else {
                node.host = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).transportResources(resources).build();
                node.host.start().join();
                node.dht = new KadDht(node.host, config);
                node.peer = node.host.peerId();
                node.address = node.host.shareableAddresses().get(0);
            }
            nodes.add(node);
        }
        // sparse: a chain, plus a second link from every third node
        for (int i = 1; i < NODES; i++) {
            dial(nodes.get(i), nodes.get(i - 1));
            if (i % 3 == 0) {
                dial(nodes.get(i), nodes.get(i - 2));
            }
        }
        for (Node node : nodes) {
            await(() -> routingTableSize(node) >= 1, node + " to admit a neighbour");
        }
        List<CompletableFuture<?>> boots = new ArrayList<>();
        for (Node node : nodes) {
            boots.add(node.isJava() ? node.dht.bootstrap()
                    : CompletableFuture.supplyAsync(() -> call(node, "bootstrap", Map.of())));
        }
        CompletableFuture.allOf(boots.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
    }

    private void dial(Node from, Node to) throws Exception {
        if (from.isJava()) {
            from.host.connect(to.address).get(10, TimeUnit.SECONDS);
        } else {
            call(from, "dial", Map.of("addr", to.address.toString()));
        }
    }

    @AfterAll
    void stop() {
        for (Node node : nodes) {
            if (node.dht != null) {
                node.dht.close();
            }
            if (node.host != null) {
                node.host.close();
            }
        }
        if (js != null) {
            js.close();
        }
        if (resources != null) {
            resources.close();
        }
    }

    @Test
    void everyNodeGetsEveryNodesRecord() throws Exception {
        List<CompletableFuture<?>> puts = new ArrayList<>();
        for (Node node : nodes) {
            if (node.isJava()) {
                puts.add(node.dht.putValue(utf8(key(node.index)), utf8(value(node.index)))
                        .thenAccept(confirmed -> assertThat(confirmed).as(node + " put confirmations").isPositive()));
            } else {
                puts.add(CompletableFuture.runAsync(() -> {
                    JsonNode put = call(node, "put", Map.of("key", key(node.index), "value", value(node.index)));
                    assertThat(put.path("result").path("events").asInt()).as(node + " put events").isPositive();
                }));
            }
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);

        List<String> keys = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            keys.add(key(i));
        }
        List<CompletableFuture<Map<Integer, String>>> reads = new ArrayList<>();
        for (Node node : nodes) {
            if (node.isJava()) {
                List<CompletableFuture<Optional<byte[]>>> gets = new ArrayList<>();
                for (String key : keys) {
                    gets.add(node.dht.getValue(utf8(key)));
                }
                reads.add(CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new)).thenApply(v -> {
                    Map<Integer, String> values = new java.util.TreeMap<>();
                    for (int i = 0; i < NODES; i++) {
                        Optional<byte[]> got = gets.get(i).join();
                        values.put(i, got.map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null));
                    }
                    return values;
                }));
            } else {
                reads.add(CompletableFuture.supplyAsync(() -> {
                    JsonNode got = call(node, "getMany", Map.of("keys", keys)).path("result").path("values");
                    Map<Integer, String> values = new java.util.TreeMap<>();
                    for (int i = 0; i < NODES; i++) {
                        JsonNode v = got.path(key(i));
                        values.put(i, v.isTextual() ? v.asText() : null);
                    }
                    return values;
                }));
            }
        }
        Map<Integer, String> expected = new java.util.TreeMap<>();
        for (int i = 0; i < NODES; i++) {
            expected.put(i, value(i));
        }
        for (int n = 0; n < NODES; n++) {
            assertThat(reads.get(n).get(40, TimeUnit.SECONDS)).as("records got by " + nodes.get(n)).isEqualTo(expected);
        }
    }

    @Test
    void namespacedKeysWorkBothWays() throws Exception {
        byte[] fromJava = KadKeys.namespaced(KadKeys.LOTUS_NAMESPACE, "resource:mixed:ns-java");
        byte[] fromJs = KadKeys.namespaced(KadKeys.LOTUS_NAMESPACE, "resource:mixed:ns-js");
        assertThat(nodes.get(2).dht.putValue(fromJava, utf8("java-ns")).get(30, TimeUnit.SECONDS)).isPositive();
        call(nodes.get(5), "put", Map.of("key", new String(fromJs, StandardCharsets.UTF_8), "value", "js-ns"));
        JsonNode got = call(nodes.get(9), "get", Map.of("key", new String(fromJava, StandardCharsets.UTF_8)));
        assertThat(got.path("result").path("value").asText()).isEqualTo("java-ns");
        assertThat(nodes.get(8).dht.getValue(fromJs).get(30, TimeUnit.SECONDS)).contains(utf8("js-ns"));
    }

    @Test
    void providersAreFoundAcrossImplementations() throws Exception {
        Node javaProvider = nodes.get(4);
        Node jsProvider = nodes.get(7);
        byte[] fromJava = sha256Multihash("mixed content provided by java");
        byte[] fromJs = sha256Multihash("mixed content provided by js");
        assertThat(javaProvider.dht.provide(fromJava).get(30, TimeUnit.SECONDS)).isPositive();
        call(jsProvider, "provide", Map.of("mh", HexFormat.of().formatHex(fromJs)));

        List<CompletableFuture<?>> finds = new ArrayList<>();
        for (Node node : nodes) {
            if (node.isJava()) {
                finds.add(node.dht.findProviders(fromJs, 1).thenAccept(found ->
                        assertThat(found).as("providers of the js content seen by " + node).contains(jsProvider.peer)));
            } else {
                finds.add(CompletableFuture.runAsync(() -> {
                    JsonNode found = call(node, "findProvidersMany", Map.of("mhs", List.of(HexFormat.of().formatHex(fromJava))))
                            .path("result").path("providers").path(HexFormat.of().formatHex(fromJava));
                    assertThat(found.toString()).as("providers of the java content seen by " + node)
                            .contains(javaProvider.peer.toString());
                }));
            }
        }
        CompletableFuture.allOf(finds.toArray(CompletableFuture[]::new)).get(40, TimeUnit.SECONDS);
    }
}
