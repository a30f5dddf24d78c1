package org.lotusia.p2p.nat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.relay.CircuitRelay;
import org.lotusia.libp2p.relay.RelayStatusException;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.ProtocolHandler;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;
import org.lotusia.p2p.events.MessageEvent;
import org.lotusia.p2p.events.P2PEvent;
import org.lotusia.p2p.events.RelayAddressesChangedEvent;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Circuit relay through coordinators on 127.0.0.1: relay R ({@code enableRelayServer}), B reserving
 * on R as its bootstrap peer, A reserving on R as a configured relay; A reaches B through R and they
 * exchange direct messages over the limited (relayed) connection; B's relay address goes away with R.
 */
@ExtendWith(LeakDetectionExtension.class)
class RelayCoordinatorTest {
    private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<P2PCoordinator> nodes = new ArrayList<>();
    private final P2PProtocol protocol = new P2PProtocol();

    @AfterEach
    void closeAll() {
        nodes.forEach(P2PCoordinator::close);
    }

    private P2PCoordinator node(P2PConfig.Builder config) {
        P2PCoordinator node = new P2PCoordinator(config.listen(LOOPBACK).build());
        nodes.add(node);
        return node;
    }

    private static <T> T join(CompletableFuture<T> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static <T extends P2PEvent> CompletableFuture<T> next(P2PCoordinator node, EventType<T> type,
                                                                 Predicate<? super T> filter) {
        return Events.waitForEvent(node, type, filter, WAIT);
    }

    private static Multiaddr address(P2PCoordinator node) {
        return node.getStats().multiaddrs().get(0);
    }

    private static Multiaddr circuit(Multiaddr relay, PeerId target) {
        return Multiaddr.parse(relay + "/p2p-circuit/p2p/" + target);
    }

    private P2PMessage message(P2PCoordinator from, String text) {
        return protocol.createMessage("relay-test", text, from.peerId().toString());
    }

    @Test
    void peersReserveOnARelayAndMessageEachOtherThroughIt() throws Exception {
        P2PCoordinator relay = node(P2PConfig.builder().enableRelayServer(true));
        join(relay.start());
        Multiaddr relayAddress = address(relay);
        assertThat(relay.natTraversal().relayServer()).isPresent();
        assertThat(relay.host().protocols().supports(CircuitRelay.HOP_PROTOCOL)).isTrue();

        // B: the relay is its bootstrap peer and runs a relay server, so B reserves on it by itself.
        P2PCoordinator bob = node(P2PConfig.builder().enableRelay(true).bootstrapPeers(List.of(relayAddress)));
        List<RelayAddressesChangedEvent> bobRelayEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
        bob.on(EventType.RELAY_ADDRESSES_CHANGED, bobRelayEvents::add);
        List<RelayAddressesChangedEvent> handlerHook = new java.util.concurrent.CopyOnWriteArrayList<>();
        bob.registerProtocol(new ProtocolHandler() {
            @Override
            public String protocolName() {
                return "relay-hook";
            }

            @Override
            public String protocolId() {
                return "/test/relay-hook/1.0.0";
            }

            @Override
            public void handleMessage(P2PMessage message, PeerInfo from) {
            }

            @Override
            public void onRelayAddressesChanged(RelayAddressesChangedEvent event) {
                handlerHook.add(event);
            }
        });
        CompletableFuture<RelayAddressesChangedEvent> bobReserved =
                next(bob, EventType.RELAY_ADDRESSES_CHANGED, e -> !e.relayAddresses().isEmpty());
        join(bob.start());
        RelayAddressesChangedEvent reserved = join(bobReserved);
        Multiaddr bobViaRelay = circuit(relayAddress, bob.peerId());
        assertThat(reserved.peerId()).isEqualTo(bob.peerId());
        assertThat(reserved.relayAddresses()).containsExactly(bobViaRelay);
        assertThat(bob.hasRelayAddresses()).isTrue();
        assertThat(bob.getRelayAddresses()).containsExactly(bobViaRelay);
        assertThat(bob.getStats().relayAddresses()).containsExactly(bobViaRelay);
        assertThat(relay.natTraversal().relayServer().orElseThrow().hasReservation(bob.peerId())).isTrue();
        // Reachability unknown (no AutoNAT): the relay address comes first, then the direct one.
        assertThat(bob.getReachableAddresses()).containsExactly(bobViaRelay, address(bob));
        assertThat(reserved.reachableAddresses()).containsExactly(bobViaRelay, address(bob));

        // A: the relay is a configured relay address (no bootstrap peers at all).
        P2PCoordinator alice = node(P2PConfig.builder().enableRelay(true)
                .natTraversal(NatTraversalConfig.builder().relayAddresses(List.of(relayAddress)).build()));
        CompletableFuture<RelayAddressesChangedEvent> aliceReserved =
                next(alice, EventType.RELAY_ADDRESSES_CHANGED, e -> !e.relayAddresses().isEmpty());
        join(alice.start());
        assertThat(join(aliceReserved).relayAddresses()).containsExactly(circuit(relayAddress, alice.peerId()));

        // A reaches B through R; the connection is relayed and limited (the relay caps circuits).
        PeerInfo reached = join(alice.connectToPeerViaRelay(relayAddress.toString(), bob.peerId().toString()));
        assertThat(reached.peerId()).isEqualTo(bob.peerId());
        List<Connection> toBob = alice.host().connections().stream()
                .filter(c -> c.remotePeer().equals(bob.peerId())).toList();
        assertThat(toBob).hasSize(1);
        assertThat(toBob.get(0).isLimited()).isTrue();
        assertThat(CircuitRelay.isCircuitAddress(toBob.get(0).remoteAddress())).isTrue();

        // Direct messages run on the relayed connection, both ways.
        CompletableFuture<MessageEvent> atBob = next(bob, EventType.MESSAGE, e -> e.from().peerId().equals(alice.peerId()));
        join(alice.sendTo(bob.peerId(), message(alice, "hello through the relay")));
        assertThat(join(atBob).message().payload().asText()).isEqualTo("hello through the relay");
        CompletableFuture<MessageEvent> atAlice = next(alice, EventType.MESSAGE, e -> e.from().peerId().equals(bob.peerId()));
        join(bob.sendTo(alice.peerId(), message(bob, "and back")));
        assertThat(join(atAlice).message().payload().asText()).isEqualTo("and back");

        // Naming the relay by peer id, or by full circuit address, reuses the relayed connection.
        assertThat(join(alice.connectToPeerViaRelay(relay.peerId().toString(), bob.peerId().toString())).peerId())
                .isEqualTo(bob.peerId());
        assertThat(join(alice.connectToPeerViaRelay(bobViaRelay.toString(), bob.peerId().toString())).peerId())
                .isEqualTo(bob.peerId());
        assertThat(alice.host().connections().stream().filter(c -> c.remotePeer().equals(bob.peerId()))).hasSize(1);

        // The relay goes away: B's relay address disappears, with an event.
        CompletableFuture<RelayAddressesChangedEvent> bobLost =
                next(bob, EventType.RELAY_ADDRESSES_CHANGED, e -> e.relayAddresses().isEmpty());
        join(relay.stop());
        RelayAddressesChangedEvent lost = join(bobLost);
        assertThat(lost.reachableAddresses()).containsExactly(address(bob));
        assertThat(bob.hasRelayAddresses()).isFalse();
        assertThat(bob.getRelayAddresses()).isEmpty();
        assertThat(bob.getStats().relayAddresses()).isEmpty();
        assertThat(bob.getReachableAddresses()).containsExactly(address(bob));
        assertThat(bobRelayEvents).extracting(e -> e.relayAddresses().size()).containsExactly(1, 0);
        assertThat(handlerHook).extracting(e -> e.relayAddresses().size()).containsExactly(1, 0);
    }

    @Test
    void aReservationThatIsNotRenewedExpiresAndItsAddressDisappears() throws Exception {
        // The relay grants one short reservation, then refuses every renewal.
        java.util.concurrent.atomic.AtomicInteger grants = new java.util.concurrent.atomic.AtomicInteger();
        NatTraversalConfig shortLived = NatTraversalConfig.builder()
                .relayServer(org.lotusia.libp2p.relay.RelayServerConfig.builder().reservationTtl(Duration.ofSeconds(2))
                        .reservationFilter(peer -> grants.getAndIncrement() == 0).build())
                .build();
        P2PCoordinator relay = node(P2PConfig.builder().enableRelayServer(true).natTraversal(shortLived));
        join(relay.start());
        P2PCoordinator bob = node(P2PConfig.builder().enableRelay(true).bootstrapPeers(List.of(address(relay)))
                .natTraversal(NatTraversalConfig.builder().reservationRetryInterval(Duration.ofMinutes(5)).build()));
        CompletableFuture<RelayAddressesChangedEvent> granted =
                next(bob, EventType.RELAY_ADDRESSES_CHANGED, e -> !e.relayAddresses().isEmpty());
        CompletableFuture<RelayAddressesChangedEvent> expired =
                next(bob, EventType.RELAY_ADDRESSES_CHANGED, e -> e.relayAddresses().isEmpty());
        join(bob.start());
        assertThat(join(granted).relayAddresses()).containsExactly(circuit(address(relay), bob.peerId()));

        RelayAddressesChangedEvent gone = join(expired);
        assertThat(gone.reachableAddresses()).containsExactly(address(bob));
        assertThat(bob.getRelayAddresses()).isEmpty();
        assertThat(bob.isConnected(relay.peerId())).as("the relay is still connected; only the reservation ended").isTrue();
        assertThat(grants.get()).as("renewals were asked for and refused").isGreaterThan(1);
    }

    @Test
    void aPeerWithoutAReservationCannotBeReachedThroughTheRelay() throws Exception {
        P2PCoordinator relay = node(P2PConfig.builder().enableRelayServer(true));
        join(relay.start());
        P2PCoordinator alice = node(P2PConfig.builder().enableRelay(true));
        join(alice.start());
        P2PCoordinator carol = node(P2PConfig.builder()); // no relay client: never reserves
        join(carol.start());

        assertThatThrownBy(() -> join(alice.connectToPeerViaRelay(address(relay).toString(), carol.peerId().toString())))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RelayStatusException.class);
        assertThat(alice.isConnected(carol.peerId())).isFalse();
        // A relay we never connected to, named only by peer id, has no known address.
        assertThatThrownBy(() -> alice.connectToPeerViaRelay(carol.peerId().toString(), relay.peerId().toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no known address of relay " + carol.peerId());
    }

    @Test
    void misuseOfTheRelayApiFailsClearly() throws Exception {
        PeerId someone = org.lotusia.libp2p.crypto.Keys.generateEd25519().publicKey().peerId();
        P2PCoordinator plain = node(P2PConfig.builder());
        assertThatThrownBy(() -> plain.connectToPeerViaRelay(someone.toString(), someone.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("circuit relay not enabled in config (P2PConfig.enableRelay)");
        join(plain.start());
        assertThatThrownBy(() -> plain.connectToPeerViaRelay(someone.toString(), someone.toString()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("circuit relay not enabled in config (P2PConfig.enableRelay)");
        assertThatThrownBy(plain::natTraversal).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("NAT traversal not enabled in config");
        assertThat(plain.hasRelayAddresses()).isFalse();
        assertThat(plain.getRelayAddresses()).isEmpty();
        assertThat(plain.getReachableAddresses()).isEqualTo(plain.getStats().multiaddrs());

        P2PCoordinator relaying = node(P2PConfig.builder().enableRelay(true));
        assertThatThrownBy(() -> relaying.connectToPeerViaRelay(someone.toString(), someone.toString()))
                .isInstanceOf(IllegalStateException.class).hasMessage("coordinator not started");
        assertThat(relaying.getReachableAddresses()).isEmpty();
        join(relaying.start());
        String relayAddress = "/ip4/127.0.0.1/tcp/1/p2p/" + someone;
        assertThatThrownBy(() -> relaying.connectToPeerViaRelay(relayAddress, relaying.peerId().toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ourselves");
        assertThatThrownBy(() -> relaying.connectToPeerViaRelay("/ip4/127.0.0.1/tcp/1", someone.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must name the relay");
        assertThatThrownBy(() -> relaying.connectToPeerViaRelay(relayAddress, "not-a-peer"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid peer id 'not-a-peer'");
        PeerId other = org.lotusia.libp2p.crypto.Keys.generateEd25519().publicKey().peerId();
        assertThatThrownBy(() -> relaying.connectToPeerViaRelay(relayAddress + "/p2p-circuit/p2p/" + other, someone.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not lead to");
        assertThatThrownBy(() -> relaying.connectToPeerViaRelay("/garbage", someone.toString()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid relay address");
        assertThat(relaying.hasRelayAddresses()).isFalse();
        assertThat(relaying.natTraversal().relayClient()).isPresent();
        assertThat(relaying.natTraversal().relayServer()).isEmpty();
        assertThat(relaying.natTraversal().autoNat()).isEmpty();
    }
}
