package org.lotusia.libp2p.testing.netns;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lotusia.libp2p.nat.NatNodeMain;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The namespace harness itself: two hosts behind NAT routers and one public host, a Java node in
 * each; the public node sees the NAT routers' addresses, not the private ones, and the private
 * networks are unreachable from the public segment. Every namespace is gone afterwards.
 */
@Timeout(60)
class NetNsTopologyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void publicNodeSeesTheNatedSourceAddressesAndEverythingIsCleanedUp() {
        String prefix;
        try (NatTopology net = NatTopology.create()) {
            prefix = net.prefix();
            NetNs server = net.addPublicHost("pub");
            NatTopology.NatNetwork a = net.addNatNetwork("a");
            NatTopology.NatNetwork b = net.addNatNetwork("b");
            assertThat(a.publicAddress()).isEqualTo("10.99.0.2");
            assertThat(b.privateAddress()).isEqualTo("192.168.2.2");

            String config = "{\"listen\":\"/ip4/0.0.0.0/tcp/4001\",\"reusePort\":true}";
            try (NsProcess publicNode = NsProcess.startJava("pub", server, NatNodeMain.class, config);
                 NsProcess alice = NsProcess.startJava("alice", a.host(), NatNodeMain.class, config);
                 NsProcess bob = NsProcess.startJava("bob", b.host(), NatNodeMain.class, config)) {
                String serverId = publicNode.awaitEvent("ready", WAIT).path("peerId").asText();
                String aliceId = alice.awaitEvent("ready", WAIT).path("peerId").asText();
                bob.awaitEvent("ready", WAIT);
                String serverAddr = "/ip4/10.99.0.10/tcp/4001/p2p/" + serverId;

                JsonNode fromAlice = alice.call("connect", Map.of("addr", serverAddr), WAIT);
                assertThat(fromAlice.path("localAddr").asText()).as(alice::diagnostics).isEqualTo("/ip4/192.168.1.2/tcp/4001");
                JsonNode seen = publicNode.await(e -> "connection".equals(e.path("event").asText())
                        && "open".equals(e.path("state").asText()), WAIT, "alice's connection");
                // MASQUERADE rewrote the source; reusePort kept the port
                assertThat(seen.path("remoteAddr").asText()).isEqualTo("/ip4/10.99.0.2/tcp/4001");

                bob.call("connect", Map.of("addr", serverAddr), WAIT);
                JsonNode seenBob = publicNode.await(e -> "connection".equals(e.path("event").asText())
                        && "open".equals(e.path("state").asText()), WAIT, "bob's connection");
                assertThat(seenBob.path("remoteAddr").asText()).isEqualTo("/ip4/10.99.0.3/tcp/4001");

                // the private networks cannot be reached from the public segment
                JsonNode inward = publicNode.callAllowingError("dialNew",
                        Map.of("addr", "/ip4/192.168.1.2/tcp/4001/p2p/" + aliceId), WAIT);
                assertThat(inward.path("event").asText()).isEqualTo("error");

                // the echo protocol works across the NAT
                JsonNode echo = alice.call("echo", Map.of("peer", serverId, "text", "through the NAT"), WAIT);
                assertThat(echo.path("reply").asText()).isEqualTo("through the NAT");
            }
        }
        assertThat(NetNs.runUnchecked(java.util.List.of("ip", "netns", "list")).output()).doesNotContain(prefix);
    }
}
