package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NAT-traversal commands and events of the control interface between three {@code node --json}
 * processes: relay R ({@code --enable-relay-server}), B reserving on R as its bootstrap peer, A
 * reserving on R as {@code --relay-address}; A reaches B with {@code connectViaRelay} and sends it a
 * direct message over the relayed connection; B's relay address goes away when R stops.
 */
class NodeNatControlTest {

    @Test
    void connectViaRelayRelayAddrsReachabilityAndRelayEvents() throws Exception {
        try (ControlClient relay = ControlClient.start("--enable-relay-server")) {
            String relayAddr = relay.address();
            try (ControlClient bob = ControlClient.start("--enable-relay", "--bootstrap-peer", relayAddr);
                 ControlClient alice = ControlClient.start("--enable-relay", "--relay-address", relayAddr)) {
                String bobViaRelay = relayAddr + "/p2p-circuit/p2p/" + bob.peerId();
                JsonNode reserved = bob.awaitEvent("relay:addresses-changed", e -> e.path("relayAddrs").size() > 0);
                assertThat(reserved.path("peerId").asText()).isEqualTo(bob.peerId());
                assertThat(reserved.path("relayAddrs").get(0).asText()).isEqualTo(bobViaRelay);
                alice.awaitEvent("relay:addresses-changed", e -> e.path("relayAddrs").size() > 0);

                JsonNode addrs = bob.ok(bob.command("relayAddrs"));
                assertThat(addrs.path("relay").asBoolean()).isTrue();
                assertThat(addrs.path("relayAddrs")).hasSize(1);
                assertThat(addrs.path("relayAddrs").get(0).asText()).isEqualTo(bobViaRelay);
                assertThat(addrs.path("reachableAddrs").get(0).asText()).as("relay first while reachability is unknown")
                        .isEqualTo(bobViaRelay);
                assertThat(addrs.path("reachableAddrs").get(1).asText()).isEqualTo(bob.address());
                JsonNode reach = bob.ok(bob.command("reachability"));
                assertThat(reach.path("reachability").asText()).isEqualTo("UNKNOWN");
                assertThat(reach.path("autonat").asBoolean()).isFalse();
                JsonNode stats = bob.ok(bob.command("stats"));
                assertThat(stats.path("reachability").asText()).isEqualTo("UNKNOWN");
                assertThat(stats.path("relayAddresses").get(0).asText()).isEqualTo(bobViaRelay);

                JsonNode reached = alice.ok(alice.command("connectViaRelay").put("relay", relayAddr).put("peerId", bob.peerId()));
                assertThat(reached.path("peerId").asText()).isEqualTo(bob.peerId());
                assertThat(reached.path("limited").asBoolean()).isTrue();
                alice.ok(alice.command("send").put("peer", bob.peerId()).put("type", "greeting")
                        .put("payload", "hello via the relay"));
                JsonNode message = bob.awaitEvent("message", e -> e.path("from").asText().equals(alice.peerId()));
                assertThat(message.path("message").path("payload").asText()).isEqualTo("hello via the relay");

                JsonNode bad = alice.call(alice.command("connectViaRelay").put("relay", relayAddr));
                assertThat(bad.path("ok").asBoolean()).isFalse();
                assertThat(bad.path("error").asText()).isEqualTo("missing \"peerId\"");

                relay.ok(relay.command("stop"));
                JsonNode lost = bob.awaitEvent("relay:addresses-changed", e -> e.path("relayAddrs").isEmpty());
                assertThat(lost.path("reachableAddrs")).hasSize(1);
                assertThat(bob.ok(bob.command("relayAddrs")).path("relayAddrs")).isEmpty();
            }
        }
    }

    @Test
    void connectViaRelayFailsClearlyWithoutTheRelayClient() throws Exception {
        try (ControlClient node = ControlClient.start()) {
            JsonNode reply = node.call(node.command("connectViaRelay").put("relay", node.address())
                    .put("peerId", node.peerId()));
            assertThat(reply.path("ok").asBoolean()).isFalse();
            assertThat(reply.path("error").asText()).contains("circuit relay not enabled");
            JsonNode addrs = node.ok(node.command("relayAddrs"));
            assertThat(addrs.path("relay").asBoolean()).isFalse();
            assertThat(addrs.path("relayAddrs")).isEmpty();
            assertThat(addrs.path("reachableAddrs").get(0).asText()).isEqualTo(node.address());
        }
    }
}
