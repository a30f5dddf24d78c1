package org.lotusia.p2p.dht;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsonLinesProcess;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.p2p.P2PCoordinator;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.lotusia.p2p.dht.DhtTestNodes.await;
import static org.lotusia.p2p.dht.DhtTestNodes.join;

/**
 * Resource records between a Java coordinator and a js-libp2p kad-dht 16 node (interop/js/kad/node.mjs)
 * on /lotus/kad/1.0.0: each reads what the other announced, and js finds the Java announcer as a
 * provider of the type key.
 */
@ExtendWith(LeakDetectionExtension.class)
class DhtResourceJsInteropTest {
    private static final Duration CALL = Duration.ofSeconds(30);

    private final DhtTestNodes nodes = new DhtTestNodes();
    private JsonLinesProcess js;

    @AfterEach
    void close() {
        nodes.close();
        if (js != null) {
            js.close();
        }
    }

    @Test
    void recordsAnnouncedOnEitherSideAreReadOnTheOther() throws Exception {
        JsInterop.assumeEnabled();
        js = JsInterop.startJsonLines("kad/node.mjs", "--debug=libp2p:*:error");
        JsonNode started = js.awaitEvent("started", CALL);
        PeerId jsPeer = PeerId.parse(started.path("peerId").asText());
        String jsAddress = started.path("addrs").get(0).asText();

        P2PCoordinator java = nodes.start(true);
        P2PCoordinator javaClient = nodes.start(false);
        join(java.connectToPeer(jsAddress));
        DhtTestNodes.connect(javaClient, java);
        await(() -> java.dht().routingTable().contains(jsPeer), "java to admit the js node");
        await(() -> js.call("routingTable", Map.of(), CALL).path("result").path("size").asInt() >= 1,
                "js to admit the java node");

        // Java → js: the record JSON read by kad-dht is the reference's record.
        ResourceRecord announced = join(javaClient.announceResource("session", "from-java",
                Map.of("status", "active")));
        JsonNode got = js.call("get", Map.of("key", "resource:session:from-java"), CALL);
        String value = got.path("result").path("value").asText();
        assertThat(value).isEqualTo(new String(announced.toBytes(), StandardCharsets.UTF_8));
        JsonNode providers = js.call("findProviders",
                Map.of("mh", HexFormat.of().formatHex(ResourceService.providerKey("session"))), CALL);
        assertThat(providers.path("result").path("providers").toString()).contains(javaClient.peerId().toString());

        // js → Java: a record written as the TypeScript reference writes it.
        String jsRecord = "{\"resourceId\":\"from-js\",\"resourceType\":\"session\",\"creatorPeerId\":\"" + jsPeer
                + "\",\"data\":{\"status\":\"open\",\"n\":1},\"createdAt\":" + System.currentTimeMillis() + "}";
        JsonNode put = js.call("put", Map.of("key", "resource:session:from-js", "value", jsRecord), CALL);
        assertThat(put.path("result").path("events").asInt()).isPositive();
        Optional<ResourceRecord> found = join(javaClient.discoverResource("session", "from-js", CALL));
        assertThat(found).hasValueSatisfying(r -> {
            assertThat(r.creatorPeerId()).isEqualTo(jsPeer.toString());
            assertThat(r.data().path("status").asText()).isEqualTo("open");
            assertThat(r.isSigned()).isFalse();
        });
    }
}
