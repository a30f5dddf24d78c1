package org.lotusia.libp2p.nat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lotusia.libp2p.testing.netns.NatTopology;
import org.lotusia.libp2p.testing.netns.NetNs;
import org.lotusia.libp2p.testing.netns.NsProcess;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NAT traversal scenario through real NATs: relay R on the public segment, Alice behind NAT A,
 * Bob behind NAT B (iptables MASQUERADE, unsolicited inbound connections dropped). Both reserve on
 * R; Alice reaches Bob through R and messages flow over the limited relayed connection; DCUtR
 * punches a direct TCP connection through both NATs and the relayed one is closed; AutoNAT finds
 * Alice and Bob private and R public. Each node is its own JVM inside its namespace.
 */
@Timeout(90)
class NatTraversalNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void relayThenHolePunchThroughTwoNatsAndAutoNatVerdicts() {
        try (NatTopology net = NatTopology.create()) {
            NetNs relayNs = net.addPublicHost("relay");
            NatTopology.NatNetwork a = net.addNatNetwork("a");
            NatTopology.NatNetwork b = net.addNatNetwork("b");
            String autonat = "\"autonat\":{\"server\":true,\"client\":true,\"minConfirmations\":2,\"probeSeconds\":3}";
            String relayConfig = "{\"listen\":\"/ip4/0.0.0.0/tcp/4001\",\"relayServer\":true," + autonat + "}";
            String peerConfig = "{\"listen\":\"/ip4/0.0.0.0/tcp/4001\",\"relayClient\":true,\"dcutr\":true,"
                    + "\"dcutrAuto\":false," + autonat + "}";
            try (NsProcess relay = NsProcess.startJava("relay", relayNs, NatNodeMain.class, relayConfig);
                 NsProcess alice = NsProcess.startJava("alice", a.host(), NatNodeMain.class, peerConfig);
                 NsProcess bob = NsProcess.startJava("bob", b.host(), NatNodeMain.class, peerConfig)) {
                String relayId = relay.awaitEvent("ready", WAIT).path("peerId").asText();
                String aliceId = alice.awaitEvent("ready", WAIT).path("peerId").asText();
                String bobId = bob.awaitEvent("ready", WAIT).path("peerId").asText();
                String relayAddr = "/ip4/10.99.0.10/tcp/4001/p2p/" + relayId;

                // both reserve a slot on R
                JsonNode aliceReservation = alice.call("reserve", Map.of("relay", relayAddr), WAIT);
                JsonNode bobReservation = bob.call("reserve", Map.of("relay", relayAddr), WAIT);
                assertThat(aliceReservation.path("relayAddrs").toString()).contains("/p2p-circuit");
                assertThat(bobReservation.path("relayAddrs").toString()).contains("/p2p/" + relayId + "/p2p-circuit");

                // Alice reaches Bob through R: a limited connection, and messages flow over it
                String circuit = relayAddr + "/p2p-circuit/p2p/" + bobId;
                JsonNode relayed = alice.call("dialRelayed", Map.of("addr", circuit), WAIT);
                assertThat(relayed.path("relayed").asBoolean()).isTrue();
                assertThat(relayed.path("limited").asBoolean()).isTrue();
                JsonNode viaRelay = alice.call("echo", Map.of("peer", bobId, "text", "hello Bob, via R"), WAIT);
                assertThat(viaRelay.path("reply").asText()).isEqualTo("hello Bob, via R");
                assertThat(viaRelay.path("relayed").asBoolean()).isTrue();
                JsonNode bobSide = bob.await(e -> "connection".equals(e.path("event").asText())
                        && aliceId.equals(e.path("peer").asText()) && e.path("relayed").asBoolean(), WAIT, "relayed connection");
                assertThat(bobSide.path("direction").asText()).isEqualTo("INBOUND");

                // Bob (inbound side of the relayed connection) starts DCUtR: the hole is punched through both NATs
                JsonNode direct = bob.call("dcutrUpgrade", Map.of("peer", aliceId), Duration.ofSeconds(45));
                assertThat(direct.path("relayed").asBoolean()).as(bob::diagnostics).isFalse();
                // Bob sees Alice at NAT A's public address, on Alice's listen port (kept by MASQUERADE)
                assertThat(direct.path("remoteAddr").asText()).isEqualTo("/ip4/" + a.publicAddress() + "/tcp/4001");
                assertThat(direct.path("localAddr").asText()).isEqualTo("/ip4/" + b.privateAddress() + "/tcp/4001");
                JsonNode aliceDirect = alice.await(e -> "connection".equals(e.path("event").asText())
                        && "open".equals(e.path("state").asText()) && bobId.equals(e.path("peer").asText())
                        && !e.path("relayed").asBoolean(), WAIT, "direct connection to Bob");
                assertThat(aliceDirect.path("remoteAddr").asText()).isEqualTo("/ip4/" + b.publicAddress() + "/tcp/4001");
                // the relayed connection is closed on both sides
                alice.await(e -> "connection".equals(e.path("event").asText()) && "closed".equals(e.path("state").asText())
                        && bobId.equals(e.path("peer").asText()) && e.path("relayed").asBoolean(), WAIT, "relayed connection closed");
                bob.await(e -> "connection".equals(e.path("event").asText()) && "closed".equals(e.path("state").asText())
                        && aliceId.equals(e.path("peer").asText()) && e.path("relayed").asBoolean(), WAIT, "relayed connection closed");
                JsonNode overDirect = alice.call("echo", Map.of("peer", bobId, "text", "hello Bob, directly", "direct", true), WAIT);
                assertThat(overDirect.path("reply").asText()).isEqualTo("hello Bob, directly");
                assertThat(overDirect.path("relayed").asBoolean()).isFalse();

                // AutoNAT: R was dialled back by Alice and Bob; dial-backs to Alice and Bob die at their NATs
                assertThat(awaitStatus(relay, "PUBLIC")).isEqualTo("PUBLIC");
                assertThat(awaitStatus(alice, "PRIVATE")).isEqualTo("PRIVATE");
                assertThat(awaitStatus(bob, "PRIVATE")).isEqualTo("PRIVATE");
            }
        }
    }

    /** Waits for a reachability event with {@code wanted}, or returns the status the node reports at the end. */
    private static String awaitStatus(NsProcess node, String wanted) {
        JsonNode now = node.call("reachability", Map.of(), WAIT);
        if (wanted.equals(now.path("status").asText())) {
            return wanted;
        }
        try {
            return node.await(e -> "reachability".equals(e.path("event").asText())
                    && wanted.equals(e.path("status").asText()), WAIT, "reachability " + wanted).path("status").asText();
        } catch (AssertionError e) {
            return node.call("reachability", Map.of(), WAIT).toString();
        }
    }
}
