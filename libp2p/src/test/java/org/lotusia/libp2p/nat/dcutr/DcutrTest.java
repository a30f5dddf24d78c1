package org.lotusia.libp2p.nat.dcutr;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.nat.NatAddresses;
import org.lotusia.libp2p.relay.RelayClient;
import org.lotusia.libp2p.relay.RelayClientConfig;
import org.lotusia.libp2p.relay.RelayServer;
import org.lotusia.libp2p.relay.RelayServerConfig;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DCUtR over loopback: A dials B through an in-process relay; B (inbound side) upgrades the
 * relayed connection by itself once identify shows A speaks DCUtR. Without NATs one side's dial
 * lands on the other's listener, which DCUtR accepts as the direct connection. The real
 * simultaneous open through NATs is {@code NatTraversalNetnsTest}.
 */
@ExtendWith(LeakDetectionExtension.class)
class DcutrTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        resources.add(resource);
        return resource;
    }

    private Host host() {
        Host host = keep(Host.builder().listen(LOOPBACK).reusePort(true).build());
        host.start().join();
        return host;
    }

    @Test
    void theInboundSideUpgradesARelayedConnectionAndTheRelayedOneCloses() throws Exception {
        Host relay = host();
        Host a = host();
        Host b = host();
        keep(RelayServer.start(relay, RelayServerConfig.defaults()));
        RelayClient aRelay = keep(RelayClient.start(a, RelayClientConfig.defaults()));
        RelayClient bRelay = keep(RelayClient.start(b, RelayClientConfig.defaults()));
        DcutrConfig config = DcutrConfig.defaults().withAllowPrivateAddresses(true);
        keep(Dcutr.start(a, config));
        Dcutr bDcutr = keep(Dcutr.start(b, config));
        CompletableFuture<Connection> upgraded = new CompletableFuture<>();
        bDcutr.addListener(new Dcutr.Listener() {
            @Override
            public void upgraded(PeerId peer, Connection direct) {
                upgraded.complete(direct);
            }

            @Override
            public void failed(PeerId peer, Throwable cause) {
                upgraded.completeExceptionally(cause);
            }
        });

        Multiaddr relayAddress = relay.shareableAddresses().get(0);
        bRelay.reserve(relayAddress).get(10, TimeUnit.SECONDS);
        Connection relayed = aRelay.dial(relayAddress.encapsulate(Multiaddr.parse("/p2p-circuit/p2p/" + b.peerId())))
                .get(10, TimeUnit.SECONDS);
        assertThat(NatAddresses.isRelayed(relayed.remoteAddress())).isTrue();

        Connection direct = upgraded.get(20, TimeUnit.SECONDS);
        assertThat(NatAddresses.isRelayed(direct.remoteAddress())).isFalse();
        assertThat(direct.remotePeer()).isEqualTo(a.peerId());
        relayed.closeFuture().get(10, TimeUnit.SECONDS);
        assertThat(a.connections()).anyMatch(c -> c.remotePeer().equals(b.peerId()) && !c.isLimited()
                && !NatAddresses.isRelayed(c.remoteAddress()));
        assertThat(a.connections()).noneMatch(c -> c.remotePeer().equals(b.peerId()) && NatAddresses.isRelayed(c.remoteAddress()));
    }

    @Test
    void aConnectWithoutDialableAddressesFailsEveryAttempt() throws Exception {
        Host relay = host();
        Host a = host();
        Host b = host();
        keep(RelayServer.start(relay, RelayServerConfig.defaults()));
        RelayClient aRelay = keep(RelayClient.start(a, RelayClientConfig.defaults()));
        RelayClient bRelay = keep(RelayClient.start(b, RelayClientConfig.defaults()));
        // public addresses only (the default): loopback addresses are not exchanged, so nothing can be punched
        DcutrConfig publicOnly = DcutrConfig.defaults().withAutoUpgrade(false)
                .withAttempts(3, java.time.Duration.ofSeconds(2), java.time.Duration.ofSeconds(2));
        keep(Dcutr.start(a, publicOnly));
        Dcutr bDcutr = keep(Dcutr.start(b, publicOnly));
        CompletableFuture<Connection> relayedAtB = new CompletableFuture<>();
        b.addListener(new org.lotusia.libp2p.host.HostListener() {
            @Override
            public void connectionOpened(Connection connection) {
                if (NatAddresses.isRelayed(connection.remoteAddress())) {
                    relayedAtB.complete(connection);
                }
            }
        });
        Multiaddr relayAddress = relay.shareableAddresses().get(0);
        bRelay.reserve(relayAddress).get(10, TimeUnit.SECONDS);
        aRelay.dial(relayAddress.encapsulate(Multiaddr.parse("/p2p-circuit/p2p/" + b.peerId()))).get(10, TimeUnit.SECONDS);
        Connection inbound = relayedAtB.get(10, TimeUnit.SECONDS);
        CompletableFuture<Connection> result = bDcutr.upgrade(inbound);
        assertThat(result).failsWithin(20, TimeUnit.SECONDS).withThrowableThat()
                .withMessageContaining("after 3 attempt(s)");
        assertThat(inbound.isOpen()).isTrue();
    }
}
