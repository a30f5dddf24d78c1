package org.lotusia.p2p.examples;

import com.fasterxml.jackson.databind.JsonNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.ProtocolHandler;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Subscription;
import org.lotusia.p2p.message.MessageOptions;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;

import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Guide "Pattern 2: Peer Discovery Service", adapted: the guide announces presence as a DHT resource
 * ({@code announceResource('peer', …)} / {@code discoverResources('peer')}), but this version of the
 * coordinator has no DHT yet, so each node sends its presence record ({@code peerId}, {@code capabilities},
 * {@code lastSeen}) as a direct message to every peer that connects, and forgets a peer when it
 * disconnects. {@link Service#findPeersWithCapability} then answers from what was heard.
 */
public final class PeerDiscoveryExample {
    /** What the hub knew before and after one peer left. */
    public record Outcome(Set<String> musig2, Set<String> coinjoin, Set<String> coinjoinAfterLeave,
                          Set<String> expectedMusig2, Set<String> expectedCoinjoin) {
    }

    private PeerDiscoveryExample() {
    }

    /** The guide's PeerDiscoveryService over direct messages. */
    public static final class Service implements AutoCloseable {
        static final String PROTOCOL = "peer-discovery";
        private final P2PCoordinator coordinator;
        private final List<String> capabilities;
        private final P2PProtocol protocol = new P2PProtocol();
        private final Map<PeerId, Presence> knownPeers = new ConcurrentHashMap<>();
        private final List<Subscription> subscriptions = new ArrayList<>();

        /** A peer's presence record. */
        public record Presence(PeerId peerId, List<String> capabilities, Instant lastSeen) {
        }

        public Service(P2PCoordinator coordinator, List<String> capabilities) {
            this.coordinator = coordinator;
            this.capabilities = List.copyOf(capabilities);
            coordinator.registerProtocol(new ProtocolHandler() {
                @Override
                public String protocolName() {
                    return PROTOCOL;
                }

                @Override
                public String protocolId() {
                    return "/lotus/peer-discovery/1.0.0";
                }

                @Override
                public void handleMessage(P2PMessage message, PeerInfo from) {
                    onPresence(message, from);
                }
            });
            subscriptions.add(coordinator.on(EventType.CONNECTED, e -> announcePresence(e.peerId())));
            subscriptions.add(coordinator.on(EventType.DISCONNECTED, e -> knownPeers.remove(e.peerId())));
        }

        private void announcePresence(PeerId to) {
            P2PMessage presence = protocol.createMessage("presence", Map.of(
                            "peerId", coordinator.peerId().toString(),
                            "capabilities", capabilities,
                            "lastSeen", System.currentTimeMillis()),
                    coordinator.peerId().toString(), MessageOptions.protocol(PROTOCOL));
            coordinator.sendTo(to, presence);
        }

        private void onPresence(P2PMessage message, PeerInfo from) {
            JsonNode p = message.payload();
            if (p == null || !from.peerId().toString().equals(p.path("peerId").asText())
                    || !coordinator.isConnected(from.peerId())) {
                return; // only a peer's own, current presence counts
            }
            List<String> caps = new ArrayList<>();
            p.path("capabilities").forEach(c -> caps.add(c.asText()));
            knownPeers.put(from.peerId(), new Presence(from.peerId(), caps, Instant.ofEpochMilli(p.path("lastSeen").asLong())));
        }

        /** Peers heard from that advertise {@code capability}. */
        public List<Presence> findPeersWithCapability(String capability) {
            return knownPeers.values().stream().filter(p -> p.capabilities().contains(capability)).toList();
        }

        /** Every peer heard from. */
        public int knownPeerCount() {
            return knownPeers.size();
        }

        @Override
        public void close() {
            subscriptions.forEach(Subscription::close);
            coordinator.unregisterProtocol(PROTOCOL);
        }
    }

    public static void main(String[] args) {
        run(System.out);
        System.exit(0);
    }

    public static Outcome run(PrintStream out) {
        try (ExampleNodes nodes = new ExampleNodes(out)) {
            P2PCoordinator hub = nodes.start("hub");
            P2PCoordinator alice = nodes.start("alice");
            P2PCoordinator bob = nodes.start("bob");
            P2PCoordinator carol = nodes.start("carol");
            Service hubService = new Service(hub, List.of("relay"));
            new Service(alice, List.of("musig2", "coinjoin"));
            new Service(bob, List.of("musig2"));
            new Service(carol, List.of("coinjoin"));
            for (P2PCoordinator peer : List.of(alice, bob, carol)) {
                ExampleNodes.connect(peer, hub);
            }
            ExampleNodes.await(() -> hubService.knownPeerCount() == 3, "the hub to hear 3 presences");
            Set<String> musig2 = ids(hubService.findPeersWithCapability("musig2"));
            Set<String> coinjoin = ids(hubService.findPeersWithCapability("coinjoin"));
            out.printf("hub: musig2 peers %s, coinjoin peers %s%n", musig2, coinjoin);

            ExampleNodes.join(carol.disconnectFromPeer(hub.peerId()));
            ExampleNodes.await(() -> hubService.knownPeerCount() == 2, "the hub to forget carol");
            Set<String> after = ids(hubService.findPeersWithCapability("coinjoin"));
            out.printf("hub: after carol left, coinjoin peers %s%n", after);
            return new Outcome(musig2, coinjoin, after, Set.of(alice.peerId().toString(), bob.peerId().toString()),
                    Set.of(alice.peerId().toString(), carol.peerId().toString()));
        }
    }

    private static Set<String> ids(List<Service.Presence> peers) {
        Set<String> s = new TreeSet<>();
        peers.forEach(p -> s.add(p.peerId().toString()));
        return s;
    }
}
