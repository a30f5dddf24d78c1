package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Two {@code lotus-p2p node --json} child processes driven over the control interface. */
class NodeControlInterfaceTest {

    @Test
    void twoNodesConnectMessageBroadcastPingBanUnbanDisconnectAndStop() throws Exception {
        try (ControlClient alice = ControlClient.start(); ControlClient bob = ControlClient.start()) {
            JsonNode connected = alice.ok(alice.command("connect").put("addr", bob.address()));
            assertThat(connected.path("peerId").asText()).isEqualTo(bob.peerId());
            JsonNode inbound = bob.awaitEvent("peer:connect", e -> e.path("peerId").asText().equals(alice.peerId()));
            assertThat(inbound.path("direction").asText()).isEqualTo("inbound");
            alice.awaitEvent("peer:connect", e -> e.path("peerId").asText().equals(bob.peerId()));

            JsonNode peers = alice.ok(alice.command("peers"));
            assertThat(peers).hasSize(1);
            assertThat(peers.get(0).path("peerId").asText()).isEqualTo(bob.peerId());

            ObjectNode send = alice.command("send").put("peer", bob.peerId()).put("type", "greeting");
            send.putObject("payload").put("text", "hello bob").put("n", 42);
            String messageId = alice.ok(send).path("messageId").asText();
            JsonNode received = bob.awaitEvent("message", e -> e.path("message").path("type").asText().equals("greeting"));
            assertThat(received.path("from").asText()).isEqualTo(alice.peerId());
            assertThat(received.path("message").path("from").asText()).isEqualTo(alice.peerId());
            assertThat(received.path("message").path("to").asText()).isEqualTo(bob.peerId());
            assertThat(received.path("message").path("messageId").asText()).isEqualTo(messageId);
            assertThat(received.path("message").path("payload")).isEqualTo(send.get("payload"));
            assertThat(received.path("message").path("timestamp").asLong()).isPositive();

            ObjectNode broadcast = alice.command("broadcast").put("type", "news");
            broadcast.putArray("payload").add(1).add("two");
            JsonNode sent = alice.ok(broadcast);
            assertThat(sent.path("sent")).hasSize(1);
            assertThat(sent.path("sent").get(0).asText()).isEqualTo(bob.peerId());
            JsonNode news = bob.awaitEvent("message", e -> e.path("message").path("type").asText().equals("news"));
            assertThat(news.path("message").path("payload")).isEqualTo(broadcast.get("payload"));
            ObjectNode excluding = alice.command("broadcast").put("type", "quiet");
            excluding.putArray("exclude").add(bob.peerId());
            assertThat(alice.ok(excluding).path("sent")).isEmpty();

            JsonNode stats = alice.ok(alice.command("stats"));
            assertThat(stats.path("peerId").asText()).isEqualTo(alice.peerId());
            assertThat(stats.path("peers").path("connected").asInt()).isEqualTo(1);
            assertThat(stats.path("multiaddrs").get(0).asText()).endsWith("/p2p/" + alice.peerId());
            assertThat(stats.path("security").has("blockedPeers")).isTrue();
            assertThat(bob.ok(bob.command("stats")).path("security").path("validMessages").asLong()).isEqualTo(2);

            JsonNode ping = alice.ok(alice.command("ping").put("peer", bob.peerId()));
            assertThat(ping.path("peer").asText()).isEqualTo(bob.peerId());
            assertThat(ping.path("rttMs").asDouble()).isGreaterThanOrEqualTo(0);

            // Bob bans Alice: the connection closes on both sides and Bob refuses to dial her.
            JsonNode ban = bob.ok(bob.command("ban").put("peer", alice.peerId()).put("reason", "test"));
            assertThat(ban.path("banned").asBoolean()).isTrue();
            bob.awaitEvent("peer:disconnect", e -> e.path("peerId").asText().equals(alice.peerId()));
            alice.awaitEvent("peer:disconnect", e -> e.path("peerId").asText().equals(bob.peerId()));
            JsonNode refused = bob.call(bob.command("connect").put("addr", alice.address()));
            assertThat(refused.path("ok").asBoolean()).isFalse();
            assertThat(refused.path("error").asText()).contains("gater");
            assertThat(bob.ok(bob.command("peers"))).isEmpty();

            JsonNode unban = bob.ok(bob.command("unban").put("peer", alice.peerId()));
            assertThat(unban.path("banned").asBoolean()).isFalse();
            bob.ok(bob.command("connect").put("addr", alice.address()));
            alice.awaitEvent("peer:connect", e -> e.path("peerId").asText().equals(bob.peerId()));

            alice.ok(alice.command("disconnect").put("peer", bob.peerId()));
            bob.awaitEvent("peer:disconnect", e -> e.path("peerId").asText().equals(alice.peerId()));

            JsonNode stop = alice.call(alice.command("stop"));
            assertThat(stop.path("ok").asBoolean()).isTrue();
            alice.awaitEvent("stopped", e -> true);
            assertThat(alice.process.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(alice.process.process().exitValue()).isZero();

            bob.process.stdin().close();
            bob.awaitEvent("stopped", e -> true);
            assertThat(bob.process.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(bob.process.process().exitValue()).isZero();
        }
    }

    @Test
    void badCommandsGetErrorRepliesAndTheNodeKeepsRunning() throws Exception {
        String stranger = Keys.generateEd25519().publicKey().peerId().toString();
        try (ControlClient node = ControlClient.start()) {
            node.writeLine("this is not json");
            assertThat(error(node.awaitReply(com.fasterxml.jackson.databind.node.NullNode.instance)))
                    .startsWith("malformed JSON");
            node.writeLine("[1,2]");
            assertThat(error(node.awaitReply(com.fasterxml.jackson.databind.node.NullNode.instance)))
                    .contains("JSON object");
            node.writeLine("x".repeat(ControlInterface.MAX_LINE_CHARS + 10));
            assertThat(error(node.awaitReply(com.fasterxml.jackson.databind.node.NullNode.instance)))
                    .contains("longer than");

            assertThat(error(node.call(node.command("fly")))).isEqualTo("unknown command: fly");
            node.writeLine("{\"id\":\"no-cmd\"}");
            assertThat(error(node.awaitReply(com.fasterxml.jackson.databind.node.TextNode.valueOf("no-cmd"))))
                    .contains("missing \"cmd\"");
            assertThat(error(node.call(node.command("connect")))).isEqualTo("missing \"addr\"");
            assertThat(error(node.call(node.command("connect").put("addr", "/ip4/999.1.1.1/tcp/1"))))
                    .contains("999.1.1.1");
            assertThat(error(node.call(node.command("send").put("peer", "not-a-peer").put("type", "x"))))
                    .contains("invalid peer id");
            assertThat(error(node.call(node.command("send").put("peer", stranger)))).isEqualTo("missing \"type\"");
            assertThat(error(node.call(node.command("send").put("peer", stranger).put("type", "x"))))
                    .isEqualTo("unknown peer: " + stranger);
            assertThat(error(node.call(node.command("ping").put("peer", stranger))))
                    .isEqualTo("unknown peer: " + stranger);
            assertThat(error(node.call(node.command("disconnect").put("peer", stranger))))
                    .isEqualTo("not connected to " + stranger);
            ObjectNode badExclude = node.command("broadcast").put("type", "x").put("exclude", "everyone");
            assertThat(error(node.call(badExclude))).contains("exclude");

            assertThat(node.ok(node.command("stats")).path("peerId").asText()).isEqualTo(node.peerId());
            node.process.stdin().close();
            node.awaitEvent("stopped", e -> true);
            assertThat(node.process.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(node.process.process().exitValue()).isZero();
        }
    }

    @Test
    void aSlowDialDoesNotHoldUpLaterCommands() throws Exception {
        String stranger = Keys.generateEd25519().publicKey().peerId().toString();
        // Accepts TCP connections (kernel backlog) but never speaks: a dial to it hangs in negotiation.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ControlClient node = ControlClient.start()) {
            ObjectNode slow = node.command("connect")
                    .put("addr", "/ip4/127.0.0.1/tcp/" + silent.getLocalPort() + "/p2p/" + stranger);
            node.writeLine(JsonLines.MAPPER.writeValueAsString(slow));
            JsonNode peers = node.ok(node.command("peers"));
            assertThat(peers).isEmpty();
            assertThat(node.unread()).noneMatch(line -> line.path("id").equals(slow.get("id")));
            assertThat(slow.get("id")).isEqualTo(IntNode.valueOf(1));
        }
    }

    @Test
    void sigtermStopsGracefully() throws Exception {
        try (ControlClient node = ControlClient.start()) {
            // Process.destroy() would also close our end of its stdout; send the signal with kill instead.
            Process kill = new ProcessBuilder("kill", "-TERM", String.valueOf(node.process.process().pid())).start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            node.awaitEvent("stopped", e -> true);
            assertThat(node.process.process().waitFor(15, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static String error(JsonNode reply) {
        assertThat(reply.path("ok").asBoolean()).as(reply.toString()).isFalse();
        return reply.path("error").asText();
    }
}
