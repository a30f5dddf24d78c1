package org.lotusia.libp2p.nat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.testing.netns.NatTopology;
import org.lotusia.libp2p.testing.netns.NetNs;
import org.lotusia.libp2p.testing.netns.NsProcess;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Relay interop through real NATs: a js-libp2p circuit relay v2 server ({@code interop/js/nat/node.mjs
 * --server}) on the public segment, Java Alice and Java Bob ({@link NatNodeMain}) behind MASQUERADE
 * NATs that drop unsolicited inbound connections. Both reserve a slot on the js relay and Alice
 * reaches Bob only through it. Then DCUtR between a js peer behind a NAT and a Java peer (see the
 * second test for the roles and the limit). Skips when network namespaces cannot be created or
 * Node is missing.
 */
@Timeout(60)
class NatJsInteropNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void javaPeersBehindNatsMeetThroughJsRelay() {
        NetNs.assumeAvailable();
        String node = JsInterop.nodeBinary().toString();
        String script = JsInterop.jsDir().resolve("nat/node.mjs").toString();
        try (NatTopology net = NatTopology.create()) {
            NetNs relayNs = net.addPublicHost("relay");
            NatTopology.NatNetwork a = net.addNatNetwork("a");
            NatTopology.NatNetwork b = net.addNatNetwork("b");
            String peerConfig = "{\"listen\":\"/ip4/0.0.0.0/tcp/4001\",\"relayClient\":true}";
            try (NsProcess relay = NsProcess.start("js-relay", relayNs, List.of(node, script, "--server"));
                 NsProcess alice = NsProcess.startJava("alice", a.host(), NatNodeMain.class, peerConfig);
                 NsProcess bob = NsProcess.startJava("bob", b.host(), NatNodeMain.class, peerConfig)) {
                String relayId = relay.awaitEvent("started", WAIT).path("peerId").asText();
                String aliceId = alice.awaitEvent("ready", WAIT).path("peerId").asText();
                String bobId = bob.awaitEvent("ready", WAIT).path("peerId").asText();
                String relayAddr = "/ip4/10.99.0.10/tcp/4001/p2p/" + relayId;

                // Bob cannot be reached directly: his NAT drops Alice's unsolicited dial
                JsonNode directAttempt = alice.callAllowingError("connect",
                        Map.of("addr", "/ip4/" + b.publicAddress() + "/tcp/4001/p2p/" + bobId), WAIT);
                assertThat(directAttempt.path("event").asText()).as(directAttempt::toString).isEqualTo("error");

                // both reserve a slot on the js relay, which sees them at their NATs' public addresses
                JsonNode aliceReservation = alice.call("reserve", Map.of("relay", relayAddr), WAIT);
                JsonNode bobReservation = bob.call("reserve", Map.of("relay", relayAddr), WAIT);
                assertThat(aliceReservation.path("relayAddrs").toString()).contains("/p2p/" + relayId + "/p2p-circuit");
                assertThat(bobReservation.path("relayAddrs").toString()).contains("/p2p/" + relayId + "/p2p-circuit");
                JsonNode reservations = relay.call("reservations", Map.of(), WAIT).path("result").path("peers");
                assertThat(reservations.toString()).contains(aliceId).contains(bobId);
                JsonNode relayToBob = relay.call("connections", Map.of("peer", bobId), WAIT).path("result");
                assertThat(relayToBob.toString()).contains("/ip4/" + b.publicAddress() + "/tcp/4001");

                // Alice reaches Bob through the js relay: a limited connection, and messages flow both ways over it
                String circuit = relayAddr + "/p2p-circuit/p2p/" + bobId;
                JsonNode relayed = alice.call("dialRelayed", Map.of("addr", circuit), WAIT);
                assertThat(relayed.path("relayed").asBoolean()).isTrue();
                assertThat(relayed.path("limited").asBoolean()).isTrue();
                JsonNode viaRelay = alice.call("echo", Map.of("peer", bobId, "text", "hello Bob, via the js relay"), WAIT);
                assertThat(viaRelay.path("reply").asText()).isEqualTo("hello Bob, via the js relay");
                assertThat(viaRelay.path("relayed").asBoolean()).isTrue();
                JsonNode bobSide = bob.await(e -> "connection".equals(e.path("event").asText())
                        && aliceId.equals(e.path("peer").asText()) && e.path("relayed").asBoolean(), WAIT, "relayed connection");
                assertThat(bobSide.path("direction").asText()).isEqualTo("INBOUND");
                assertThat(bobSide.path("limited").asBoolean()).isTrue();
                assertThat(bobSide.path("remoteAddr").asText()).contains("/p2p/" + relayId + "/p2p-circuit");
                JsonNode back = bob.call("echo", Map.of("peer", aliceId, "text", "hello Alice, via the js relay"), WAIT);
                assertThat(back.path("reply").asText()).isEqualTo("hello Alice, via the js relay");
            }
        }
    }

    /**
     * DCUtR between js Alice behind a MASQUERADE NAT (js is A: it dialled the relayed connection and
     * answers the upgrade) and Java Bob (B: he received the relayed connection and starts DCUtR) on a
     * public host that Alice reaches through a Java relay. The public segment uses a non-private
     * prefix because js DCUtR only dials public addresses. Both peers behind NATs is not tested: js
     * TCP dials from an ephemeral source port, so a Linux NAT's 5-tuple filter drops the punch.
     */
    @Test
    void jsPeerBehindNatUpgradesRelayedConnectionToJavaPeerWithDcutr() {
        NetNs.assumeAvailable();
        String node = JsInterop.nodeBinary().toString();
        String script = JsInterop.jsDir().resolve("nat/node.mjs").toString();
        try (NatTopology net = NatTopology.create("11.99.0.")) {
            NetNs relayNs = net.addPublicHost("relay");
            NetNs bobNs = net.addPublicHost("bob");
            String bobAddress = "11.99.0.11";
            NatTopology.NatNetwork a = net.addNatNetwork("a");
            String relayConfig = "{\"listen\":\"/ip4/0.0.0.0/tcp/4001\",\"relayServer\":true}";
            String peerConfig = "{\"listen\":\"/ip4/0.0.0.0/tcp/4001\",\"relayClient\":true,\"dcutr\":true,\"dcutrAuto\":false}";
            try (NsProcess relay = NsProcess.startJava("relay", relayNs, NatNodeMain.class, relayConfig);
                 NsProcess alice = NsProcess.start("js-alice", a.host(), List.of(node, script, "--dcutr",
                         "--announce=/ip4/" + a.publicAddress() + "/tcp/4001"));
                 NsProcess bob = NsProcess.startJava("bob", bobNs, NatNodeMain.class, peerConfig)) {
                String relayId = relay.awaitEvent("ready", WAIT).path("peerId").asText();
                String aliceId = alice.awaitEvent("started", WAIT).path("peerId").asText();
                String bobId = bob.awaitEvent("ready", WAIT).path("peerId").asText();
                String relayAddr = "/ip4/11.99.0.10/tcp/4001/p2p/" + relayId;
                bob.call("reserve", Map.of("relay", relayAddr), WAIT);

                // js Alice (behind NAT A) reaches Java Bob through the Java relay: a limited connection
                JsonNode relayed = alice.call("dial", Map.of("addr", relayAddr + "/p2p-circuit/p2p/" + bobId), WAIT)
                        .path("result");
                assertThat(relayed.path("limited").asBoolean()).as(relayed::toString).isTrue();
                assertThat(relayed.path("remoteAddr").asText()).contains("/p2p-circuit/p2p/" + bobId);
                JsonNode bobRelayed = bob.await(e -> "connection".equals(e.path("event").asText())
                        && aliceId.equals(e.path("peer").asText()) && e.path("relayed").asBoolean(), WAIT, "relayed connection");
                assertThat(bobRelayed.path("direction").asText()).isEqualTo("INBOUND");
                JsonNode viaRelay = alice.call("echo", Map.of("peer", bobId, "text", "hello Bob, via R"), WAIT).path("result");
                assertThat(viaRelay.path("text").asText()).isEqualTo("hello Bob, via R");
                assertThat(viaRelay.path("limited").asBoolean()).isTrue();

                // Bob starts DCUtR; js Alice answers CONNECT, gets SYNC and dials Bob out through NAT A
                JsonNode direct = bob.call("dcutrUpgrade", Map.of("peer", aliceId), Duration.ofSeconds(40));
                assertThat(direct.path("relayed").asBoolean()).as(bob::diagnostics).isFalse();
                assertThat(direct.path("limited").asBoolean()).isFalse();
                assertThat(direct.path("remoteAddr").asText()).startsWith("/ip4/" + a.publicAddress() + "/tcp/");
                assertThat(direct.path("localAddr").asText()).isEqualTo("/ip4/" + bobAddress + "/tcp/4001");
                // the relayed connection is closed on both sides
                bob.await(e -> "connection".equals(e.path("event").asText()) && "closed".equals(e.path("state").asText())
                        && aliceId.equals(e.path("peer").asText()) && e.path("relayed").asBoolean(), WAIT, "relayed connection closed");
                alice.await(e -> "connection:close".equals(e.path("event").asText()) && bobId.equals(e.path("peer").asText())
                        && e.path("limited").asBoolean(), WAIT, "js relayed connection closed");
                JsonNode jsConnections = alice.call("connections", Map.of("peer", bobId), WAIT).path("result");
                assertThat(jsConnections).as(jsConnections::toString).isNotEmpty();
                jsConnections.forEach(c -> {
                    assertThat(c.path("limited").asBoolean()).as(jsConnections::toString).isFalse();
                    assertThat(c.path("remoteAddr").asText()).startsWith("/ip4/" + bobAddress + "/tcp/4001");
                });
                JsonNode overDirect = alice.call("echo", Map.of("peer", bobId, "text", "hello Bob, directly"), WAIT).path("result");
                assertThat(overDirect.path("text").asText()).isEqualTo("hello Bob, directly");
                assertThat(overDirect.path("limited").asBoolean()).isFalse();
                assertThat(overDirect.path("remoteAddr").asText()).startsWith("/ip4/" + bobAddress + "/tcp/4001");
            }
        }
    }
}
