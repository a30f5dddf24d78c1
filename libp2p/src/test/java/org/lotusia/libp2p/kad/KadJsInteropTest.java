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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Java {@link KadDht} nodes and a js {@code @libp2p/kad-dht} 16.1.0 node ({@code interop/js/kad/node.mjs}) on
 * {@code /lotus/kad/1.0.0}: records put on one side are found on the other, with the reference's
 * un-namespaced {@code resource:<type>:<id>} keys.
 */
@ExtendWith(LeakDetectionExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KadJsInteropTest {
    private static final Duration CALL = Duration.ofSeconds(30);

    private TransportResources resources;
    private final List<Host> hosts = new ArrayList<>();
    private final List<KadDht> dhts = new ArrayList<>();
    private JsonLinesProcess js;
    private PeerId jsPeer;

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Poll.until(what, Duration.ofSeconds(15), condition);
    }

    @BeforeAll
    void start() throws Exception {
        JsInterop.assumeEnabled();
        js = JsInterop.startJsonLines("kad/node.mjs", "--debug=libp2p:*:error");
        JsonNode started = js.awaitEvent("started", CALL);
        jsPeer = PeerId.parse(started.path("peerId").asText());
        Multiaddr jsAddress = Multiaddr.parse(started.path("addrs").get(0).asText());
        resources = TransportResources.create();
        KadConfig config = KadConfig.defaults().withProtocol(KadDht.LOTUS_PROTOCOL)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(15));
        for (int i = 0; i < 3; i++) {
            Host host = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).transportResources(resources).build();
            host.start().join();
            hosts.add(host);
            dhts.add(new KadDht(host, config));
        }
        for (int i = 1; i < hosts.size(); i++) {
            hosts.get(i).connect(hosts.get(0).shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
        }
        hosts.get(0).connect(jsAddress).get(10, TimeUnit.SECONDS);
        await(() -> dhts.get(0).routingTable().contains(jsPeer), "java to admit the js node");
        await(() -> js.call("routingTable", Map.of(), CALL).path("result").path("size").asInt() >= 1,
                "js to admit a java node");
        for (KadDht dht : dhts) {
            dht.bootstrap().get(20, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    void stop() {
        for (KadDht dht : dhts) {
            dht.close();
        }
        for (Host host : hosts) {
            host.close();
        }
        if (resources != null) {
            resources.close();
        }
        if (js != null) {
            js.close();
        }
    }

    @Test
    void aRecordPutInJsIsFoundInJava() throws Exception {
        JsonNode put = js.call("put", Map.of("key", "resource:session:from-js", "value", "{\"v\":\"js\"}"), CALL);
        assertThat(put.path("result").path("events").asInt()).isPositive();
        Optional<byte[]> value = dhts.get(2).getValue("resource:session:from-js".getBytes(StandardCharsets.UTF_8))
                .get(30, TimeUnit.SECONDS);
        assertThat(value).hasValueSatisfying(v -> assertThat(new String(v, StandardCharsets.UTF_8)).isEqualTo("{\"v\":\"js\"}"));
    }

    @Test
    void aRecordPutInJavaIsFoundInJs() throws Exception {
        byte[] key = "resource:session:from-java".getBytes(StandardCharsets.UTF_8);
        int confirmed = dhts.get(1).putValue(key, "{\"v\":\"java\"}".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        assertThat(confirmed).isGreaterThanOrEqualTo(2);
        JsonNode get = js.call("get", Map.of("key", "resource:session:from-java"), CALL);
        assertThat(get.path("result").path("value").asText()).isEqualTo("{\"v\":\"java\"}");
    }

    private static byte[] sha256Multihash(String content) {
        byte[] digest = KadId.ofKey(content.getBytes(StandardCharsets.UTF_8)).toBytes();
        byte[] multihash = new byte[34];
        multihash[0] = 0x12;
        multihash[1] = 0x20;
        System.arraycopy(digest, 0, multihash, 2, 32);
        return multihash;
    }

    @Test
    void providersAnnouncedOnOneSideAreFoundOnTheOther() throws Exception {
        byte[] fromJava = sha256Multihash("provided by java");
        assertThat(dhts.get(1).provide(fromJava).get(30, TimeUnit.SECONDS)).isGreaterThanOrEqualTo(2);
        JsonNode found = js.call("findProviders", Map.of("mh", HexFormat.of().formatHex(fromJava)), CALL);
        assertThat(found.path("result").path("providers").toString()).contains(hosts.get(1).peerId().toString());

        byte[] fromJs = sha256Multihash("provided by js");
        js.call("provide", Map.of("mh", HexFormat.of().formatHex(fromJs)), CALL);
        List<PeerId> providers = dhts.get(2).findProviders(fromJs, 1).get(30, TimeUnit.SECONDS);
        assertThat(providers).containsExactly(jsPeer);
    }

    @Test
    void jsAnswersJavaLookupsAndPings() throws Exception {
        assertThat(dhts.get(0).ping(jsPeer).get(10, TimeUnit.SECONDS)).isTrue();
        List<PeerId> closest = dhts.get(2).findClosestPeers("anything".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS);
        assertThat(closest).contains(jsPeer, hosts.get(0).peerId(), hosts.get(1).peerId());
    }
}
