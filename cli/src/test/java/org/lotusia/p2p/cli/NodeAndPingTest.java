package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lotusia.libp2p.crypto.IdentityFile;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class NodeAndPingTest {

    @TempDir
    Path dir;

    @Test
    void nodeAnnouncesItselfAnswersPingsAndStopsWhenStdinCloses() throws Exception {
        Path key = dir.resolve("node.key");
        try (CliProcess node = CliProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--key", key.toString(), "--json")) {
            JsonNode started = node.nextJson(30);
            assertThat(started.path("event").asText()).isEqualTo("started");
            String peerId = started.path("peerId").asText();
            assertThat(IdentityFile.load(key).publicKey().peerId().toString()).isEqualTo(peerId);
            String address = started.path("addrs").get(0).asText();
            assertThat(Multiaddr.parse(address).getPeerId().orElseThrow().toString()).isEqualTo(peerId);

            CliRun ping = CliRun.of("ping", address, "--count", "3");
            assertThat(ping.exitCode()).as(ping.err()).isZero();
            assertThat(ping.out()).contains("connected to " + peerId).contains("ping 1: ").contains("ping 3: ");

            JsonNode connected = node.awaitEvent("peer:connect", 10);
            assertThat(connected.path("direction").asText()).isEqualTo("inbound");

            node.stdin().close();
            node.awaitEvent("stopped", 15);
            assertThat(node.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(node.process().exitValue()).isZero();
        }
    }

    @Test
    void nodeKeepsItsIdentityAcrossRestarts() throws Exception {
        Path key = dir.resolve("node.key");
        String first;
        try (CliProcess node = CliProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--key", key.toString(), "--json")) {
            first = node.nextJson(30).path("peerId").asText();
        }
        try (CliProcess node = CliProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--key", key.toString(), "--json")) {
            assertThat(node.nextJson(30).path("peerId").asText()).isEqualTo(first);
        }
    }

    @Test
    void nodeStopsOnSigterm() throws Exception {
        try (CliProcess node = CliProcess.start("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--json")) {
            node.nextJson(30);
            node.process().destroy();
            assertThat(node.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void pingExplainsWhyItFailed() {
        CliRun refused = CliRun.of("ping", "/ip4/127.0.0.1/tcp/1", "--count", "1", "--timeout", "3");
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).startsWith("error: ping /ip4/127.0.0.1/tcp/1 failed").contains("refused");

        CliRun malformed = CliRun.of("ping", "/ip4/999.1.1.1/tcp/1");
        assertThat(malformed.exitCode()).isEqualTo(1);
        assertThat(malformed.err()).contains("999.1.1.1");
    }

    @Test
    void perfClientAndServerFollowTheTestPlansContract() throws Exception {
        try (CliProcess server = CliProcess.start("perf", "--run-server", "--server-address", "127.0.0.1:0")) {
            // The server logs where it listens on stderr (stdout is reserved for measurements).
            String address = awaitListenAddress(server);
            CliRun client = CliRun.of("perf", "--server-address", address, "--transport", "tcp",
                    "--upload-bytes", String.valueOf(4 << 20), "--download-bytes", String.valueOf(8 << 20));
            assertThat(client.exitCode()).as(client.err()).isZero();
            String last = client.out().strip().lines().reduce((a, b) -> b).orElseThrow();
            JsonNode result = JsonLines.MAPPER.readTree(last);
            assertThat(result.path("type").asText()).isEqualTo("final");
            assertThat(result.path("uploadBytes").asLong()).isEqualTo(4 << 20);
            assertThat(result.path("downloadBytes").asLong()).isEqualTo(8 << 20);
            assertThat(result.path("timeSeconds").asDouble()).isPositive();
        }
    }

    private static String awaitListenAddress(CliProcess server) throws InterruptedException {
        String line = server.awaitStderr("/ip4/127.0.0.1/tcp/", 30);
        String rest = line.substring(line.indexOf("/ip4/127.0.0.1/tcp/") + "/ip4/127.0.0.1/tcp/".length());
        return "127.0.0.1:" + rest.substring(0, rest.indexOf('/'));
    }
}
