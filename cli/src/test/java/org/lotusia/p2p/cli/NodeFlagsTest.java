package org.lotusia.p2p.cli;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.p2p.P2PConfig;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code lotus-p2p node}: every P2PConfig option is a flag, and the coordinator's errors are one line. */
class NodeFlagsTest {

    @Test
    void helpListsEveryP2PConfigFlag() {
        CliRun run = CliRun.of("node", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--listen", "--announce", "--bootstrap-peer", "--bootstrap-max-attempts",
                "--key", "--[no-]enable-dht", "--dht-protocol", "--[no-]enable-dht-server",
                "--[no-]enable-gossipsub", "--[no-]enable-relay", "--[no-]enable-relay-server",
                "--[no-]enable-autonat", "--[no-]enable-dcutr", "--[no-]enable-upnp", "--max-connections",
                "--metadata", "--[no-]disable-rate-limiting", "--security-limit", "--json", "--perf");
    }

    @Test
    void flagsBecomeTheCoordinatorConfiguration() {
        String peer = Keys.generateEd25519().publicKey().peerId().toString();
        NodeCommand command = new NodeCommand();
        new CommandLine(command).parseArgs("--listen", "/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/tcp/4001",
                "--announce", "/ip4/203.0.113.7/tcp/4001",
                "--bootstrap-peer", "/ip4/127.0.0.1/tcp/4002/p2p/" + peer,
                "--bootstrap-max-attempts", "3", "--key", "node.key", "--no-enable-dht", "--no-enable-gossipsub",
                "--max-connections", "7", "--metadata", "role=signer", "--no-disable-rate-limiting",
                "--security-limit", "MAX_P2P_MESSAGE_SIZE=65536");

        P2PConfig config = command.config();

        assertThat(config.listen()).hasSize(2);
        assertThat(config.announce()).hasToString("[/ip4/203.0.113.7/tcp/4001]");
        assertThat(config.bootstrapPeers().get(0).getPeerId().orElseThrow()).hasToString(peer);
        assertThat(config.bootstrapBackoff().maxAttempts()).isEqualTo(3);
        assertThat(config.identityFile()).contains(Path.of("node.key"));
        assertThat(config.enableDHT()).isFalse();
        assertThat(config.maxConnections()).isEqualTo(7);
        assertThat(config.metadata()).containsEntry("role", "signer");
        assertThat(config.securityConfig().limits().maxP2pMessageSize()).isEqualTo(65536);
    }

    @Test
    void omittedFlagsKeepTheCoordinatorDefaults() {
        NodeCommand command = new NodeCommand();
        new CommandLine(command).parseArgs();

        P2PConfig config = command.config();
        P2PConfig defaults = P2PConfig.defaults();

        assertThat(config.listen()).isEqualTo(defaults.listen());
        assertThat(config.maxConnections()).isEqualTo(defaults.maxConnections());
        assertThat(config.dhtProtocol()).isEqualTo(defaults.dhtProtocol());
        assertThat(config.enableGossipSub()).isEqualTo(defaults.enableGossipSub());
    }

    @Test
    void anInconsistentOptionIsAOneLineError() {
        CliRun run = CliRun.of("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--enable-dcutr");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("error: enableDCUTR requires enableRelay");
        assertThat(run.err().lines().count()).isEqualTo(1);
    }

    @Test
    void invalidValuesAreOneLineErrors() {
        CliRun zero = CliRun.of("node", "--max-connections", "0");
        assertThat(zero.exitCode()).isEqualTo(1);
        assertThat(zero.err()).isEqualToIgnoringNewLines("error: maxConnections must be positive: 0");

        CliRun anonymous = CliRun.of("node", "--bootstrap-peer", "/ip4/127.0.0.1/tcp/4001");
        assertThat(anonymous.exitCode()).isEqualTo(1);
        assertThat(anonymous.err()).startsWith("error: bootstrap peer address must end with /p2p/");

        CliRun malformed = CliRun.of("node", "--listen", "/ip4/999.1.1.1/tcp/0");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).startsWith("error: invalid listen address").contains("999.1.1.1");
    }
}
