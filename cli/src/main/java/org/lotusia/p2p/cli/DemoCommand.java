package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.BroadcastOptions;
import org.lotusia.p2p.BroadcastResult;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;
import org.lotusia.p2p.security.SecurityMetrics;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code lotus-p2p demo}: starts three coordinators (alice, bob, carol) on 127.0.0.1 in this process,
 * connects them, sends a direct message, broadcasts, runs a custom request-response protocol
 * ({@link ChatProtocol}), bans a peer, and prints a readable report ({@link DemoReport}). Exits 0 when
 * every step worked, 1 with the failed step otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start three local nodes in this process, connect them, exchange direct, broadcast and"
                + " custom-protocol messages, show a ban, and print a report of what happened.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--step-timeout", paramLabel = "SECONDS", defaultValue = "5",
            description = "How long one step may take before the demo fails (default: ${DEFAULT-VALUE}).")
    int stepTimeoutSeconds;

    @Option(names = "--verbose", description = "Keep the nodes' informational log lines on stderr.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final P2PProtocol protocol = new P2PProtocol();
    private Duration timeout;
    private DemoReport report;

    /** A step that did not do what it should. */
    private static final class StepFailed extends Exception {
        StepFailed(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        timeout = Duration.ofSeconds(stepTimeoutSeconds);
        if (!verbose) {
            quietLogs();
        }
        report = new DemoReport(spec.commandLine().getOut());
        long begin = System.nanoTime();
        report.title("Lotus P2P demo: three nodes in one process");
        List<DemoNode> nodes = new ArrayList<>();
        try {
            DemoNode alice = new DemoNode("alice");
            nodes.add(alice);
            DemoNode bob = new DemoNode("bob");
            nodes.add(bob);
            DemoNode carol = new DemoNode("carol");
            nodes.add(carol);
            start(nodes);
            connect(alice, bob, carol);
            direct(alice, bob);
            broadcast(alice, bob, carol);
            customProtocol(alice, bob, carol);
            ban(alice, carol);
            summary(nodes);
            report.blank();
            report.line("Demo finished in " + DemoReport.ms(begin, System.nanoTime()) + ": every step succeeded.");
            return 0;
        } catch (Exception e) {
            String reason = CliErrors.describe(e);
            report.failed(reason);
            spec.commandLine().getErr().println("error: demo failed: " + reason);
            spec.commandLine().getErr().flush();
            return CliErrors.USER_ERROR;
        } finally {
            nodes.forEach(DemoNode::close);
        }
    }

    private void start(List<DemoNode> nodes) throws Exception {
        report.section("Nodes");
        long t0 = System.nanoTime();
        await(CompletableFuture.allOf(nodes.stream().map(n -> n.coordinator.start())
                .toArray(CompletableFuture[]::new)), "starting the nodes");
        long t1 = System.nanoTime();
        for (DemoNode node : nodes) {
            node.coordinator.registerProtocol(new ChatProtocol(node.coordinator));
            report.ok(String.format("%-5s %s  %s", node.name, node.peerId(), node.address()));
        }
        report.info("3 nodes listening after " + DemoReport.ms(t0, t1));
    }

    private void connect(DemoNode alice, DemoNode bob, DemoNode carol) throws Exception {
        report.section("Connections");
        dial(alice, bob);
        dial(alice, carol);
        dial(bob, carol);
        for (DemoNode node : List.of(alice, bob, carol)) {
            int peers = node.coordinator.getConnectedPeers().size();
            if (peers != 2) {
                throw new StepFailed(node.name + " has " + peers + " connected peers instead of 2");
            }
        }
        report.info("every node has 2 connected peers (a full mesh)");
    }

    private void dial(DemoNode from, DemoNode to) throws Exception {
        long t0 = System.nanoTime();
        await(from.coordinator.connectToPeer(to.address()), from.name + " dialling " + to.name);
        to.awaitConnected(from.peerId(), true, timeout);
        report.ok(from.name + " → " + to.name + " connected (Noise + Yamux) in " + DemoReport.ms(t0, System.nanoTime()));
    }

    private void direct(DemoNode alice, DemoNode bob) throws Exception {
        report.section("Direct message");
        ObjectNode payload = JsonLines.MAPPER.createObjectNode().put("text", "hello bob");
        P2PMessage message = protocol.createMessage("greeting", payload, alice.peerId().toString());
        long t0 = System.nanoTime();
        await(alice.coordinator.sendTo(bob.peerId(), message), "alice sending to bob");
        DemoNode.Received got = bob.awaitMessage(e -> message.messageId().equals(e.message().messageId()),
                timeout, "alice's greeting");
        if (!got.event().from().peerId().equals(alice.peerId()) || !payload.equals(got.event().message().payload())) {
            throw new StepFailed("bob received a different message: " + got.event().message());
        }
        report.ok("alice → bob: greeting " + payload + " delivered in " + DemoReport.ms(t0, got.atNanos()));
        report.ok("bob saw the authenticated sender alice and message id " + message.messageId());
    }

    private void broadcast(DemoNode alice, DemoNode bob, DemoNode carol) throws Exception {
        report.section("Broadcast");
        P2PMessage news = protocol.createMessage("announcement",
                JsonLines.MAPPER.createObjectNode().put("text", "bob is online"), bob.peerId().toString());
        long t0 = System.nanoTime();
        BroadcastResult result = await(bob.coordinator.broadcast(news), "bob broadcasting");
        if (result.sent().size() != 2 || !result.failed().isEmpty()) {
            throw new StepFailed("bob's broadcast reached " + result.sent().size() + " of 2 peers, failed: "
                    + result.failed());
        }
        DemoNode.Received atAlice = alice.awaitMessage(e -> news.messageId().equals(e.message().messageId()),
                timeout, "bob's announcement");
        DemoNode.Received atCarol = carol.awaitMessage(e -> news.messageId().equals(e.message().messageId()),
                timeout, "bob's announcement");
        report.ok("bob → everyone: announcement reached alice in " + DemoReport.ms(t0, atAlice.atNanos())
                + " and carol in " + DemoReport.ms(t0, atCarol.atNanos()));

        P2PMessage quiet = protocol.createMessage("announcement",
                JsonLines.MAPPER.createObjectNode().put("text", "not for carol"), bob.peerId().toString());
        BroadcastResult excluding = await(bob.coordinator.broadcast(quiet, BroadcastOptions.excluding(carol.peerId())),
                "bob broadcasting without carol");
        if (!excluding.sent().equals(List.of(alice.peerId()))) {
            throw new StepFailed("a broadcast excluding carol went to " + names(excluding.sent(), alice, bob, carol));
        }
        alice.awaitMessage(e -> quiet.messageId().equals(e.message().messageId()), timeout, "the second announcement");
        report.ok("bob → everyone except carol: sent to " + names(excluding.sent(), alice, bob, carol) + " only");
    }

    private void customProtocol(DemoNode alice, DemoNode bob, DemoNode carol) throws Exception {
        report.section("Custom protocol \"" + ChatProtocol.NAME + "\" (request-response over direct messages)");
        ChatProtocol aliceChat = chat(alice);
        int rounds = 5;
        double min = Double.MAX_VALUE;
        double max = 0;
        double total = 0;
        String lastAnswer = null;
        for (int i = 1; i <= rounds; i++) {
            long t0 = System.nanoTime();
            String answer = await(aliceChat.request(carol.peerId(), "ping " + i, timeout), "alice's chat request " + i);
            double rtt = (System.nanoTime() - t0) / 1e6;
            if (!answer.equals("PING " + i)) {
                throw new StepFailed("carol answered '" + answer + "' to 'ping " + i + "'");
            }
            min = Math.min(min, rtt);
            max = Math.max(max, rtt);
            total += rtt;
            lastAnswer = answer;
        }
        report.ok("alice asked carol " + rounds + " times (\"ping " + rounds + "\" → \"" + lastAnswer + "\")");
        report.info("round trip: min " + DemoReport.ms(min) + ", avg " + DemoReport.ms(total / rounds) + ", max "
                + DemoReport.ms(max));
        String answer = await(chat(bob).request(alice.peerId(), "hi alice", timeout), "bob's chat request");
        report.ok("bob asked alice: \"hi alice\" → \"" + answer + "\"");
        report.ok("carol answered " + chat(carol).answered() + " requests, alice " + aliceChat.answered());
    }

    private void ban(DemoNode alice, DemoNode carol) throws Exception {
        report.section("Ban");
        long t0 = System.nanoTime();
        carol.coordinator.getSecurityManager().banPeer(alice.peerId(), "demo: misbehaving peer");
        carol.awaitConnected(alice.peerId(), false, timeout);
        alice.awaitConnected(carol.peerId(), false, timeout);
        report.ok("carol banned alice: their connection was closed after " + DemoReport.ms(t0, System.nanoTime()));

        try {
            carol.coordinator.connectToPeer(alice.address()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            throw new StepFailed("carol could still dial the banned alice");
        } catch (ExecutionException refused) {
            report.ok("carol's dial to alice refused: " + CliErrors.describe(refused));
        }
        String aliceSide;
        try {
            alice.coordinator.connectToPeer(carol.address()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            alice.awaitConnected(carol.peerId(), false, timeout);
            aliceSide = "the handshake finished, then carol closed the connection";
        } catch (ExecutionException refused) {
            aliceSide = CliErrors.describe(refused);
        }
        if (carol.coordinator.isConnected(alice.peerId())) {
            throw new StepFailed("carol accepted a connection from the banned alice");
        }
        report.ok("alice's reconnect refused (" + aliceSide + "); carol holds no connection to alice");
        SecurityMetrics metrics = carol.coordinator.getSecurityManager().getMetrics();
        report.info("carol's security manager: " + metrics.blockedPeers() + " blocked peer(s), alice banned: "
                + carol.coordinator.getSecurityManager().isPeerBanned(alice.peerId()));

        carol.coordinator.getSecurityManager().unbanPeer(alice.peerId());
        long t1 = System.nanoTime();
        await(alice.coordinator.connectToPeer(carol.address()), "alice reconnecting after the unban");
        carol.awaitConnected(alice.peerId(), true, timeout);
        report.ok("after unbanning, alice reconnected to carol in " + DemoReport.ms(t1, System.nanoTime()));
    }

    private void summary(List<DemoNode> nodes) {
        report.section("Summary");
        for (DemoNode node : nodes) {
            SecurityMetrics m = node.coordinator.getSecurityManager().getMetrics();
            report.ok(String.format("%-5s %d connected peers, %d messages received (%d valid, %d invalid)",
                    node.name, node.coordinator.getConnectedPeers().size(), node.receivedCount(),
                    m.validMessages(), m.invalidMessages()));
        }
    }

    private ChatProtocol chat(DemoNode node) {
        return (ChatProtocol) node.coordinator.getProtocols().stream()
                .filter(p -> p.protocolName().equals(ChatProtocol.NAME)).findFirst().orElseThrow();
    }

    private static String names(List<PeerId> peers, DemoNode... nodes) {
        List<String> names = new ArrayList<>();
        for (PeerId peer : peers) {
            String name = peer.toString();
            for (DemoNode node : nodes) {
                if (node.peerId().equals(peer)) {
                    name = node.name;
                }
            }
            names.add(name);
        }
        return String.join(", ", names);
    }

    /**
     * Keeps the report readable: the nodes' INFO lines (listening, stopped, banned peer disconnected)
     * would interleave with it. slf4j-simple reads a logger's level when the logger is created,
     * which for the coordinator is when its class is first used, i.e. after this. An explicit
     * setting wins.
     */
    private static void quietLogs() {
        String key = "org.slf4j.simpleLogger.log.org.lotusia";
        if (System.getProperty(key) == null) {
            System.setProperty(key, "warn");
        }
    }

    private <T> T await(CompletableFuture<T> future, String what) throws StepFailed, InterruptedException {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new StepFailed(what + " failed: " + CliErrors.describe(e));
        } catch (TimeoutException e) {
            throw new StepFailed(what + " did not complete within " + timeout.toMillis() + " ms");
        }
    }

}
