package org.lotusia.libp2p.pubsub;

import org.lotusia.libp2p.testing.Poll;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsonLinesProcess;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Five Java and five js-libp2p gossipsub nodes ({@code interop/js/pubsub/node.mjs}) in a sparse
 * topology: a ring alternating Java and js plus three chords (Java–Java, js–js, Java–js), so every node
 * has two or three neighbours. Every node publishes; every message must reach all nine others, and
 * no js node may score a Java peer negatively.
 */
@Tag("interop")
@ExtendWith(LeakDetectionExtension.class)
class GossipSubMixedNetworkTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    /** Five Node processes starting at once on a busy machine can take a while. */
    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final String TOPIC = "lotus/mixed";
    private static final HexFormat HEX = HexFormat.of();
    private static final int N = 10;
    /** Ring 0-1-…-9-0 (even = Java, odd = js) plus chords Java–Java, js–js and Java–js. */
    private static final int[][] CHORDS = {{0, 4}, {1, 5}, {2, 7}};

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    /** One member of the network, Java or js. */
    private final class Member {
        final int index;
        final JsonLinesProcess js;
        final Host host;
        final GossipSubRouter router;
        final PeerId id;
        final Multiaddr address;
        final Set<String> received = ConcurrentHashMap.newKeySet();

        /** A js member on an already started script, or (with null) a Java member. */
        Member(int index, JsonLinesProcess script) {
            this.index = index;
            if (script != null) {
                js = script;
                host = null;
                router = null;
                JsonNode started = js.awaitEvent("started", STARTUP);
                id = PeerId.parse(started.path("peerId").asText());
                address = Multiaddr.parse(started.path("addrs").get(0).asText());
            } else {
                js = null;
                host = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).build();
                host.start().join();
                closeables.add(host);
                router = new GossipSubRouter(host);
                closeables.add(router);
                id = host.peerId();
                address = host.shareableAddresses().get(0);
            }
        }

        boolean isJs() {
            return js != null;
        }

        JsonNode call(String cmd, Map<String, ?> args) {
            return js.call(cmd, args, TIMEOUT).path("result");
        }

        void subscribe() {
            if (isJs()) {
                call("subscribe", Map.of("topic", TOPIC));
            } else {
                router.subscribe(TOPIC, m -> received.add(new String(m.data(), StandardCharsets.UTF_8)));
            }
        }

        void dial(Member other) throws Exception {
            // Both kinds of address carry /p2p/<id> already.
            if (isJs()) {
                call("dial", Map.of("addr", other.address.toString()));
            } else {
                host.connect(other.address).get(10, TimeUnit.SECONDS);
            }
        }

        Set<String> ids(String cmd) {
            Set<String> set = new HashSet<>();
            if (isJs()) {
                call(cmd, Map.of("topic", TOPIC)).forEach(n -> set.add(n.asText()));
            } else {
                Set<PeerId> peers = cmd.equals("mesh") ? router.meshPeers(TOPIC).join() : router.topicPeers(TOPIC).join();
                peers.forEach(p -> set.add(p.toString()));
            }
            return set;
        }

        void publish(String payload) throws Exception {
            if (isJs()) {
                call("publish", Map.of("topic", TOPIC, "dataHex", HEX.formatHex(payload.getBytes(StandardCharsets.UTF_8))));
            } else {
                router.publish(TOPIC, payload.getBytes(StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS);
            }
        }

        Set<String> received() {
            if (isJs()) {
                for (JsonNode e : js.events()) {
                    if ("message".equals(e.path("event").asText()) && TOPIC.equals(e.path("topic").asText())) {
                        received.add(new String(HEX.parseHex(e.path("dataHex").asText()), StandardCharsets.UTF_8));
                    }
                }
            }
            return received;
        }

        @Override
        public String toString() {
            return (isJs() ? "js#" : "java#") + index;
        }
    }

    private static void eventually(String what, BooleanSupplier condition, Duration timeout) throws InterruptedException {
        Poll.until(what, timeout, condition);
    }

    @Test
    void everyMessageReachesEverySubscriberAndJsDoesNotPenaliseJavaPeers() throws Exception {
        JsInterop.nodeBinary(); // skips when Node is absent
        // The js scripts start in parallel (each takes a second or two).
        Map<Integer, JsonLinesProcess> scripts = new HashMap<>();
        for (int i = 1; i < N; i += 2) {
            JsonLinesProcess script = JsInterop.startJsonLines("pubsub/node.mjs",
                    "--debug=" + System.getProperty("lotus.interop.jsDebug", "libp2p:*:error"));
            closeables.add(script);
            scripts.put(i, script);
        }
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            members.add(new Member(i, scripts.get(i)));
        }
        Map<Member, Set<Member>> neighbours = new HashMap<>();
        List<int[]> edges = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            edges.add(new int[]{i, (i + 1) % N});
        }
        edges.addAll(List.of(CHORDS));
        for (Member m : members) {
            m.subscribe();
        }
        for (int[] edge : edges) {
            Member a = members.get(edge[0]);
            Member b = members.get(edge[1]);
            a.dial(b);
            neighbours.computeIfAbsent(a, k -> new HashSet<>()).add(b);
            neighbours.computeIfAbsent(b, k -> new HashSet<>()).add(a);
        }
        for (Member m : members) {
            assertThat(neighbours.get(m)).as("degree of %s", m).hasSizeBetween(2, 3);
        }
        // Subscriptions seen and meshes formed along every edge (D=6 > degree: every neighbour is grafted).
        for (Member m : members) {
            Set<String> expected = new HashSet<>();
            neighbours.get(m).forEach(n -> expected.add(n.id.toString()));
            eventually(m + " to see its neighbours subscribe", () -> m.ids("subscribers").containsAll(expected), TIMEOUT);
            eventually(m + " to mesh with its neighbours", () -> m.ids("mesh").containsAll(expected), TIMEOUT);
        }
        // Everyone publishes; everyone else receives it.
        Set<String> payloads = new HashSet<>();
        for (Member m : members) {
            String payload = "from " + m + " " + m.id;
            payloads.add(payload);
            m.publish(payload);
        }
        for (Member m : members) {
            Set<String> expected = new HashSet<>(payloads);
            expected.remove("from " + m + " " + m.id);
            eventually(m + " to receive all nine messages", () -> m.received().containsAll(expected), TIMEOUT);
            assertThat(m.received()).as("at %s", m).isEqualTo(expected);
        }
        // Let js run a heartbeat or two (IWANT follow-ups, mesh delivery accounting), then read its scores.
        Thread.sleep(1500);
        for (Member m : members) {
            if (!m.isJs()) {
                continue;
            }
            List<String> javaPeers = new ArrayList<>();
            members.stream().filter(o -> !o.isJs()).forEach(o -> javaPeers.add(o.id.toString()));
            JsonNode scores = m.call("scores", Map.of("peers", javaPeers));
            for (String peer : javaPeers) {
                assertThat(scores.path(peer).asDouble(-1)).as("%s's score of java peer %s", m, peer).isGreaterThanOrEqualTo(0);
            }
            // Java neighbours are still in js's mesh.
            for (Member n : neighbours.get(m)) {
                if (!n.isJs()) {
                    assertThat(m.ids("mesh")).as("%s's mesh", m).contains(n.id.toString());
                }
            }
        }
        // And the Java side sees no reason to penalise js either.
        for (Member m : members) {
            if (!m.isJs()) {
                for (Member n : neighbours.get(m)) {
                    assertThat(m.router.score(n.id).join()).as("%s's score of %s", m, n).isGreaterThanOrEqualTo(0);
                }
            }
        }
    }
}
