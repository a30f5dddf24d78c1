package org.lotusia.p2p.nat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.nat.Reachability;
import org.lotusia.libp2p.nat.autonat.AutoNatConfig;
import org.lotusia.libp2p.nat.dcutr.DcutrConfig;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;
import org.lotusia.p2p.events.P2PEvent;
import org.lotusia.p2p.events.ReachabilityChangedEvent;
import org.lotusia.p2p.events.RelayAddressesChangedEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * AutoNAT through coordinators on loopback (private addresses allowed, as on a LAN): a node that
 * can be dialled back is PUBLIC and lists its direct address before its relay address; a node that
 * cannot (it listens on IPv6 loopback only, so the IPv4 dial-back finds nothing) is PRIVATE and
 * lists its relay address first. Also DCUtR replacing a relayed connection by a direct one.
 */
@ExtendWith(LeakDetectionExtension.class)
class NatReachabilityTest {
    private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final List<P2PCoordinator> nodes = new ArrayList<>();

    @AfterEach
    void closeAll() {
        nodes.forEach(P2PCoordinator::close);
    }

    /** LAN settings: private addresses allowed, one answer decides, no periodic re-probing during the test. */
    private static NatTraversalConfig lan() {
        return NatTraversalConfig.builder()
                .autoNat(AutoNatConfig.defaults().withAllowPrivateAddresses(true).withMinConfirmations(1)
                        .withProbeInterval(Duration.ofMinutes(10)).withTimeouts(Duration.ofSeconds(8), Duration.ofSeconds(3)))
                .dcutr(DcutrConfig.defaults().withAllowPrivateAddresses(true))
                .build();
    }

    private P2PCoordinator node(P2PConfig.Builder config) {
        P2PCoordinator node = new P2PCoordinator(config.build());
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

    /**
     * The relay serves AutoNAT but does not ask for dial-backs itself: a dial-back connection from
     * the node to the relay would replace the node's identify record of the relay (IdentifyService
     * keeps one per peer) and make it forget the observed address its AutoNAT needs.
     */
    private P2PCoordinator relayWithAutoNat() throws Exception {
        NatTraversalConfig serverOnly = lan().toBuilder().autoNat(lan().autoNat().withClient(false)).build();
        P2PCoordinator relay = node(P2PConfig.builder().listen(LOOPBACK).enableRelayServer(true).enableAutoNAT(true)
                .natTraversal(serverOnly));
        join(relay.start());
        return relay;
    }

    @Test
    void aNodeThatCanBeDialledBackIsPublicAndListsItsDirectAddressFirst() throws Exception {
        P2PCoordinator relay = relayWithAutoNat();
        P2PCoordinator bob = node(P2PConfig.builder().listen(LOOPBACK).enableRelay(true).enableAutoNAT(true)
                .bootstrapPeers(List.of(address(relay))).natTraversal(lan()));
        assertThat(bob.getStats().reachability()).isEqualTo(Reachability.UNKNOWN);
        CompletableFuture<ReachabilityChangedEvent> verdict = next(bob, EventType.REACHABILITY_CHANGED, e -> true);
        CompletableFuture<RelayAddressesChangedEvent> reserved =
                next(bob, EventType.RELAY_ADDRESSES_CHANGED, e -> !e.relayAddresses().isEmpty());
        join(bob.start());

        ReachabilityChangedEvent changed = join(verdict);
        assertThat(changed.previous()).isEqualTo(Reachability.UNKNOWN);
        assertThat(changed.reachability()).isEqualTo(Reachability.PUBLIC);
        assertThat(changed.peerId()).isEqualTo(bob.peerId());
        assertThat(bob.getReachability()).isEqualTo(Reachability.PUBLIC);
        assertThat(bob.getStats().reachability()).isEqualTo(Reachability.PUBLIC);
        join(reserved);
        Multiaddr relayed = Multiaddr.parse(address(relay) + "/p2p-circuit/p2p/" + bob.peerId());
        assertThat(bob.getReachableAddresses()).containsExactly(address(bob), relayed);
        assertThat(join(bob.probeReachability())).isEqualTo(Reachability.PUBLIC);
    }

    @Test
    void aNodeThatCannotBeDialledBackIsPrivateAndListsItsRelayAddressFirst() throws Exception {
        P2PCoordinator relay = relayWithAutoNat();
        P2PCoordinator hidden = node(P2PConfig.builder().listen("/ip6/::1/tcp/0").enableRelay(true).enableAutoNAT(true)
                .bootstrapPeers(List.of(address(relay))).natTraversal(lan()));
        CompletableFuture<ReachabilityChangedEvent> verdict = next(hidden, EventType.REACHABILITY_CHANGED, e -> true);
        CompletableFuture<RelayAddressesChangedEvent> reserved =
                next(hidden, EventType.RELAY_ADDRESSES_CHANGED, e -> !e.relayAddresses().isEmpty());
        join(hidden.start());
        join(reserved);
        // The dial-back target is the observed address identify reported. ObservedAddresses may read
        // the identify result before it is complete and miss it; a protocol change on the relay pushes
        // identify again, so the address is learnt and AutoNAT (which got no vote yet) asks again.
        relay.host().setStreamHandler("/test/identify-push-trigger/1.0.0", stream -> stream.channel().close());

        assertThat(join(verdict).reachability()).isEqualTo(Reachability.PRIVATE);
        assertThat(hidden.getStats().reachability()).isEqualTo(Reachability.PRIVATE);
        Multiaddr relayed = Multiaddr.parse(address(relay) + "/p2p-circuit/p2p/" + hidden.peerId());
        assertThat(hidden.getReachableAddresses()).containsExactly(relayed, address(hidden));
    }

    @Test
    void withoutAutoNatReachabilityStaysUnknownAndProbingFailsClearly() throws Exception {
        P2PCoordinator plain = node(P2PConfig.builder().listen(LOOPBACK));
        assertThatThrownBy(plain::probeReachability).isInstanceOf(IllegalStateException.class)
                .hasMessage("AutoNAT not enabled in config (P2PConfig.enableAutoNAT)");
        join(plain.start());
        assertThat(plain.getReachability()).isEqualTo(Reachability.UNKNOWN);
        assertThat(plain.getStats().reachability()).isEqualTo(Reachability.UNKNOWN);
        assertThatThrownBy(plain::probeReachability).isInstanceOf(IllegalStateException.class)
                .hasMessage("AutoNAT not enabled in config (P2PConfig.enableAutoNAT)");

        P2PCoordinator withNat = node(P2PConfig.builder().listen(LOOPBACK).enableAutoNAT(true));
        assertThatThrownBy(withNat::probeReachability).isInstanceOf(IllegalStateException.class)
                .hasMessage("coordinator not started");
        join(withNat.start());
        // Nobody to ask: the verdict stays unknown.
        assertThat(join(withNat.probeReachability())).isEqualTo(Reachability.UNKNOWN);
        assertThat(withNat.natTraversal().autoNat()).isPresent();
        assertThat(withNat.natTraversal().relayClient()).isEmpty();
    }

    @Test
    void upnpOnALoopbackOnlyNodeFailsToMapWithoutStoppingTheNode() throws Exception {
        // Only loopback listen addresses: the mapper gives up before any gateway discovery (no traffic).
        P2PCoordinator node = node(P2PConfig.builder().listen(LOOPBACK).enableUPnP(true));
        join(node.start());
        var mapper = node.natTraversal().upnp().orElseThrow();
        assertThatThrownBy(() -> join(mapper.mapped())).hasMessageContaining("no IPv4 TCP listen address");
        assertThat(node.natTraversal().upnpAddress()).isEmpty();
        assertThat(node.isStarted()).isTrue();
        assertThat(node.getReachableAddresses()).containsExactly(address(node));
    }

    @Test
    void dcutrReplacesARelayedConnectionByADirectOne() throws Exception {
        P2PCoordinator relay = node(P2PConfig.builder().listen(LOOPBACK).enableRelayServer(true));
        join(relay.start());
        P2PConfig.Builder punching = P2PConfig.builder().listen(LOOPBACK).enableRelay(true).enableDCUTR(true)
                .bootstrapPeers(List.of(address(relay))).natTraversal(lan());
        P2PCoordinator alice = node(punching);
        P2PCoordinator bob = node(punching);
        CompletableFuture<RelayAddressesChangedEvent> reserved =
                next(bob, EventType.RELAY_ADDRESSES_CHANGED, e -> !e.relayAddresses().isEmpty());
        join(alice.start());
        join(bob.start());
        join(reserved);

        join(alice.connectToPeerViaRelay(relay.peerId().toString(), bob.peerId().toString()));
        // B received the relayed connection, so B starts the hole punch; the relayed one then closes.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!alice.host().connections().stream()
                .filter(c -> c.remotePeer().equals(bob.peerId())).allMatch(c -> !c.isLimited())
                || !alice.isConnected(bob.peerId())) {
            assertThat(System.nanoTime()).as("DCUtR upgrade within " + WAIT).isLessThan(deadline);
            Thread.sleep(20); // polled: the coordinator has no event for a connection replaced by DCUtR
        }
        assertThat(alice.host().connection(bob.peerId()).orElseThrow().isLimited()).isFalse();
    }
}
