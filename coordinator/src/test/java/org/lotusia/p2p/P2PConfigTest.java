package org.lotusia.p2p;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.coordinator.BackoffPolicy;
import org.lotusia.p2p.security.SecurityConfig;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class P2PConfigTest {
    private static final String PEER = Keys.generateEd25519().publicKey().peerId().toString();

    @Test
    void defaults() {
        P2PConfig config = P2PConfig.defaults();
        assertThat(config.listen()).containsExactly(Multiaddr.parse("/ip4/0.0.0.0/tcp/0"));
        assertThat(config.announce()).isEmpty();
        assertThat(config.bootstrapPeers()).isEmpty();
        assertThat(config.bootstrapBackoff()).isEqualTo(BackoffPolicy.defaults());
        assertThat(config.dhtProtocol()).isEqualTo("/lotus/kad/1.0.0");
        assertThat(config.enableDHT()).isFalse();
        assertThat(config.enableDHTServer()).isFalse();
        assertThat(config.enableGossipSub()).isFalse();
        assertThat(config.enableRelay()).isFalse();
        assertThat(config.enableRelayServer()).isFalse();
        assertThat(config.enableAutoNAT()).isFalse();
        assertThat(config.enableDCUTR()).isFalse();
        assertThat(config.enableUPnP()).isFalse();
        assertThat(config.maxConnections()).isEqualTo(50);
        assertThat(config.privateKey()).isEmpty();
        assertThat(config.identityFile()).isEmpty();
        assertThat(config.metadata()).isEmpty();
        assertThat(config.securityConfig()).isEqualTo(SecurityConfig.defaults());
    }

    @Test
    void keepsEveryOptionAndRoundTripsThroughToBuilder() {
        PrivateKey key = Keys.generateEd25519();
        P2PConfig config = P2PConfig.builder()
                .listen("/ip4/127.0.0.1/tcp/4001", "/ip6/::1/tcp/4001")
                .announce("/dns4/node.example.com/tcp/4001")
                .bootstrapPeers("/ip4/10.0.0.1/tcp/4001/p2p/" + PEER)
                .bootstrapBackoff(BackoffPolicy.defaults().withMaxAttempts(5))
                .maxConnections(10)
                .privateKey(key)
                .metadata("role", "wallet")
                .metadata(Map.of("region", "eu"))
                .securityConfig(SecurityConfig.builder().disableRateLimiting(true).build())
                .enableGossipSub(false)
                .build();
        assertThat(config.listen()).hasSize(2);
        assertThat(config.announce()).containsExactly(Multiaddr.parse("/dns4/node.example.com/tcp/4001"));
        assertThat(config.bootstrapPeers()).hasSize(1);
        assertThat(config.bootstrapBackoff().maxAttempts()).isEqualTo(5);
        assertThat(config.maxConnections()).isEqualTo(10);
        assertThat(config.privateKey()).contains(key);
        assertThat(config.metadata()).containsExactly(Map.entry("region", "eu"));
        assertThat(config.securityConfig().disableRateLimiting()).isTrue();
        P2PConfig copy = config.toBuilder().build();
        assertThat(copy.toString()).isEqualTo(config.toString());
        assertThat(copy.metadata()).isEqualTo(config.metadata());
        assertThatThrownBy(() -> config.metadata().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theDhtOptionsAreKeptAndChecked() {
        org.lotusia.p2p.dht.DhtResourceConfig resources = org.lotusia.p2p.dht.DhtResourceConfig.defaults()
                .withSignatures(true, false);
        P2PConfig config = P2PConfig.builder().enableDHT(true).enableDHTServer(true).dhtProtocol("/ipfs/kad/1.0.0")
                .dhtResources(resources).build();
        assertThat(config.enableDHT()).isTrue();
        assertThat(config.enableDHTServer()).isTrue();
        assertThat(config.dhtProtocol()).isEqualTo("/ipfs/kad/1.0.0");
        assertThat(config.dhtResources()).isEqualTo(resources);
        assertThat(config.toBuilder().build().dhtResources().signRecords()).isTrue();
        assertThat(P2PConfig.defaults().dhtResources()).isEqualTo(org.lotusia.p2p.dht.DhtResourceConfig.defaults());
        assertThatThrownBy(() -> P2PConfig.builder().enableDHTServer(true).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("enableDHTServer requires enableDHT");
        assertThatThrownBy(() -> P2PConfig.builder().enableDHT(true).dhtProtocol("lotus/kad").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with '/'");
    }

    @Test
    void natTraversalCanBeEnabledAndDcutrNeedsTheRelayClient() {
        var nat = org.lotusia.p2p.nat.NatTraversalConfig.builder()
                .relayAddresses("/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWGzBoDp6TpGSeVaCbvBuWDtP3nY1PuCVJnSvVTP3Rffz9")
                .maxBootstrapReservations(1).build();
        P2PConfig config = P2PConfig.builder().enableRelay(true).enableRelayServer(true).enableAutoNAT(true)
                .enableDCUTR(true).enableUPnP(true).natTraversal(nat).build();
        assertThat(config.enableRelay()).isTrue();
        assertThat(config.enableRelayServer()).isTrue();
        assertThat(config.enableAutoNAT()).isTrue();
        assertThat(config.enableDCUTR()).isTrue();
        assertThat(config.enableUPnP()).isTrue();
        assertThat(config.natTraversal()).isSameAs(nat);
        assertThat(config.toBuilder().build().natTraversal()).isSameAs(nat);
        assertThat(P2PConfig.defaults().natTraversal().relayAddresses()).isEmpty();
        assertThatThrownBy(() -> P2PConfig.builder().enableDCUTR(true).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("enableDCUTR requires enableRelay (hole punching upgrades relayed connections)");
        assertThatThrownBy(() -> org.lotusia.p2p.nat.NatTraversalConfig.builder().relayAddresses("/ip4/127.0.0.1/tcp/4001"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must end with /p2p/<relay id>");
        assertThatThrownBy(() -> org.lotusia.p2p.nat.NatTraversalConfig.builder().relayAddresses("nonsense"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid relay address 'nonsense'");
        assertThatThrownBy(() -> org.lotusia.p2p.nat.NatTraversalConfig.builder().maxBootstrapReservations(0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gossipSubCanBeEnabledWithTheReferenceRouterSettings() {
        P2PConfig defaults = P2PConfig.defaults();
        assertThat(defaults.gossipSubConfig().allowPublishToZeroPeers()).as("as the reference configures gossipsub").isTrue();
        assertThat(defaults.gossipSubConfig().dlo()).isEqualTo(4);
        assertThat(defaults.meshHealth()).isEqualTo(org.lotusia.p2p.pubsub.MeshHealthConfig.defaults());
        var health = new org.lotusia.p2p.pubsub.MeshHealthConfig(true, java.time.Duration.ofMillis(200), 2);
        P2PConfig config = P2PConfig.builder().enableGossipSub(true)
                .gossipSubConfig(org.lotusia.libp2p.pubsub.GossipSubConfig.builder().mesh(3, 2, 5).build())
                .meshHealth(health).build();
        assertThat(config.enableGossipSub()).isTrue();
        assertThat(config.gossipSubConfig().d()).isEqualTo(3);
        assertThat(config.meshHealth()).isEqualTo(health);
        P2PConfig copy = config.toBuilder().build();
        assertThat(copy.gossipSubConfig()).isEqualTo(config.gossipSubConfig());
        assertThat(copy.meshHealth()).isEqualTo(health);
        assertThat(copy.enableGossipSub()).isTrue();
    }

    @Test
    void malformedAddressesAreRejectedNamingTheAddress() {
        assertThatThrownBy(() -> P2PConfig.builder().listen("/ip4/300.1.1.1/tcp/1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid listen address '/ip4/300.1.1.1/tcp/1'");
        assertThatThrownBy(() -> P2PConfig.builder().announce("not-a-multiaddr"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid announce address 'not-a-multiaddr'");
        assertThatThrownBy(() -> P2PConfig.builder().bootstrapPeers("/ip4/1.2.3.4/tcp/x/p2p/" + PEER))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid bootstrap peer address '/ip4/1.2.3.4/tcp/x/p2p/");
        assertThatThrownBy(() -> P2PConfig.builder().bootstrapPeers("/ip4/1.2.3.4/tcp/4001"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bootstrap peer address must end with /p2p/<peer id>: /ip4/1.2.3.4/tcp/4001");
    }

    @Test
    void rejectsConflictingIdentityAndBadLimits(@TempDir Path dir) {
        assertThatThrownBy(() -> P2PConfig.builder().privateKey(Keys.generateEd25519())
                .identityFile(dir.resolve("key")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("privateKey and identityFile are mutually exclusive");
        assertThatThrownBy(() -> P2PConfig.builder().maxConnections(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections must be positive: 0");
    }

    @Test
    void identityFileIsCreatedOnceAndReused(@TempDir Path dir) {
        P2PConfig config = P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/0").identityFile(dir.resolve("node.key")).build();
        try (P2PCoordinator first = new P2PCoordinator(config);
             P2PCoordinator second = new P2PCoordinator(config)) {
            first.start().join();
            second.start().join();
            assertThat(first.peerId()).isEqualTo(second.peerId());
        }
    }
}
