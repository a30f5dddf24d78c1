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
    void plannedSubsystemsCannotBeEnabledYet() {
        Map<String, UnaryOperator<P2PConfig.Builder>> options = Map.of(
                "enableDHT", b -> b.enableDHT(true),
                "enableDHTServer", b -> b.enableDHTServer(true),
                "enableGossipSub", b -> b.enableGossipSub(true),
                "enableRelay", b -> b.enableRelay(true),
                "enableRelayServer", b -> b.enableRelayServer(true),
                "enableAutoNAT", b -> b.enableAutoNAT(true),
                "enableDCUTR", b -> b.enableDCUTR(true),
                "enableUPnP", b -> b.enableUPnP(true));
        options.forEach((name, option) -> assertThatThrownBy(() -> option.apply(P2PConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(name + " is not supported yet (planned)"));
        assertThatThrownBy(() -> P2PConfig.builder().dhtProtocol("/ipfs/kad/1.0.0").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("dhtProtocol /ipfs/kad/1.0.0 has no effect");
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
