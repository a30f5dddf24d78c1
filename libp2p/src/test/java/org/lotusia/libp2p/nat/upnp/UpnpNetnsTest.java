package org.lotusia.libp2p.nat.upnp;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.lotusia.libp2p.nat.NatNodeMain;
import org.lotusia.libp2p.testing.netns.NatTopology;
import org.lotusia.libp2p.testing.netns.NetNs;
import org.lotusia.libp2p.testing.netns.NsProcess;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * UPnP IGD port mapping against miniupnpd on the NAT router: the node behind the NAT discovers
 * the gateway, maps its listen port, reports the router's WAN address, renews the lease, becomes
 * reachable from the public segment through the mapping, and removes the mapping on stop.
 * (miniupnpd refuses private WAN addresses, so this topology's public segment is 11.99.0.0/24;
 * its namespaces have no link to the machine's network, so nothing leaves them.)
 */
@Timeout(60)
class UpnpNetnsTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void mapsTheListenPortIsReachableThroughItRenewsAndRemovesItOnStop() throws Exception {
        try (NatTopology net = NatTopology.create("11.99.0.")) {
            NetNs outside = net.addPublicHost("pub");
            NatTopology.NatNetwork home = net.addNatNetwork("h");
            try (Miniupnpd igd = Miniupnpd.start(home.router(), "192.168.1.")) {
                igd.await(l -> l.contains("HTTP listening on port"), WAIT, "HTTP listener");
                String config = "{\"listen\":\"/ip4/0.0.0.0/tcp/4001\"}";
                try (NsProcess node = NsProcess.startJava("home", home.host(), NatNodeMain.class, config);
                     NsProcess peer = NsProcess.startJava("outside", outside, NatNodeMain.class, config)) {
                    String nodeId = node.awaitEvent("ready", WAIT).path("peerId").asText();
                    peer.awaitEvent("ready", WAIT);

                    JsonNode mapped = node.call("upnpStart", Map.of("leaseSeconds", 4), WAIT);
                    String external = "/ip4/" + home.publicAddress() + "/tcp/4001";
                    assertThat(mapped.path("externalAddr").asText()).as(igd::log).isEqualTo(external);
                    assertThat(mapped.path("gateway").asText()).contains("WANIPConnection");
                    igd.await(l -> l.contains("AddPortMapping") && l.contains("4001"), WAIT, "AddPortMapping");
                    assertThat(home.router().exec("nft", "list", "chain", "inet", "filter", "prerouting_miniupnpd"))
                            .contains("dnat").contains(home.privateAddress()).contains("4001");
                    assertThat(node.call("addresses", Map.of(), WAIT).path("addrs").toString()).contains(external);

                    // reachable from the public segment through the mapping (the router drops unsolicited SYNs otherwise)
                    JsonNode in = peer.call("dialNew", Map.of("addr", external + "/p2p/" + nodeId), WAIT);
                    assertThat(in.path("remoteAddr").asText()).isEqualTo(external);
                    assertThat(peer.call("echo", Map.of("peer", nodeId, "text", "through the mapping"), WAIT)
                            .path("reply").asText()).isEqualTo("through the mapping");

                    // renewed at half the lease
                    igd.await(l -> l.contains("AddPortMapping") && l.contains("4001"), Duration.ofSeconds(10), "renewal");

                    node.call("upnpStop", Map.of(), WAIT);
                    igd.await(l -> l.contains("DeletePortMapping"), WAIT, "DeletePortMapping");
                    assertThat(home.router().exec("nft", "list", "chain", "inet", "filter", "prerouting_miniupnpd"))
                            .doesNotContain(home.privateAddress());
                    assertThat(node.call("addresses", Map.of(), WAIT).path("addrs").toString()).doesNotContain(external);
                }
            }
        }
    }
}
