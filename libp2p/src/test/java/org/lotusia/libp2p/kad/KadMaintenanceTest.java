package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.testing.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.testing.ManualClock;
import org.lotusia.libp2p.transport.TransportResources;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Routing-table refresh, republishing, store sweeping and GET_VALUE correction on small in-process networks.
 */
@ExtendWith(LeakDetectionExtension.class)
class KadMaintenanceTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    private TransportResources resources;
    private final List<Host> hosts = new ArrayList<>();
    private final List<KadDht> dhts = new ArrayList<>();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KadConfig base() {
        return KadConfig.defaults().withProtocol(KadDht.LOTUS_PROTOCOL)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))
                .withMaintenance(Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, what, 15);
    }

    private static void await(BooleanSupplier condition, String what, int seconds) throws InterruptedException {
        Poll.until(what, Duration.ofSeconds(seconds), condition);
    }

    /** Starts {@code n} nodes, each dialled only to node 0 (a star: nobody but node 0 knows anyone). */
    private void star(int n, KadConfig config) throws Exception {
        for (int i = 0; i < n; i++) {
            Host host = Host.builder().listen(LOOPBACK).transportResources(resources).build();
            host.start().join();
            hosts.add(host);
            dhts.add(new KadDht(host, config));
        }
        for (int i = 1; i < n; i++) {
            hosts.get(i).connect(hosts.get(0).shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
        }
        await(() -> dhts.get(0).routingTable().size() == n - 1, "node 0 to admit everyone");
        for (int i = 1; i < n; i++) {
            KadDht dht = dhts.get(i);
            await(() -> dht.routingTable().size() >= 1, "node to admit node 0");
        }
    }

    @BeforeEach
    void setUp() {
        resources = TransportResources.create();
    }

    @AfterEach
    void tearDown() {
        for (KadDht dht : dhts) {
            dht.close();
        }
        for (Host host : hosts) {
            host.close();
        }
        resources.close();
    }

    @Test
    void randomRefreshKeysFallIntoTheirBucket() {
        KadId self = KadId.ofKey(utf8("self"));
        for (int prefix = 0; prefix <= KadDht.MAX_REFRESH_PREFIX; prefix++) {
            byte[] key = KadDht.randomKeyInBucket(self, prefix);
            assertThat(self.commonPrefixLength(KadId.ofKey(key))).isEqualTo(prefix);
            assertThat(key).hasSize(34).startsWith(0x12, 0x20);
        }
    }

    @Test
    void periodicRefreshFillsEveryRoutingTableWithoutABootstrap() throws Exception {
        int n = 7;
        star(n, base().withMaintenance(Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO));
        List<PeerId> added = new CopyOnWriteArrayList<>();
        dhts.get(n - 1).addRoutingTableListener(new RoutingTable.Listener() {
            @Override
            public void peerAdded(PeerId peer) {
                added.add(peer);
            }
        });
        for (KadDht dht : dhts) {
            await(() -> dht.routingTable().size() == n - 1, "refresh to find every peer", 30);
        }
        assertThat(dhts.get(n - 1).stats().refreshes()).isPositive();
        // the last node knew only node 0: the other five were announced to its listener
        await(() -> added.size() >= n - 2, "routing-table events");
        assertThat(added).doesNotContain(hosts.get(n - 1).peerId()).doesNotHaveDuplicates();
    }

    @Test
    void aManualRefreshLooksUpSelfAndEveryStaleBucket() throws Exception {
        star(5, base());
        KadDht last = dhts.get(4);
        int deepest = last.routingTable().highestOccupiedBucket(); // it knows node 0 only
        assertThat(deepest).isEqualTo(last.routingTable().bucketIndex(KadId.ofPeer(hosts.get(0).peerId())));
        int lookups = last.refresh().get(15, TimeUnit.SECONDS);
        // our own id plus one random id per bucket up to the deepest occupied one
        assertThat(lookups).isEqualTo(1 + Math.min(deepest, KadDht.MAX_REFRESH_PREFIX) + 1);
        assertThat(last.routingTable().size()).isEqualTo(4);
    }

    @Test
    void originatedRecordsAndProvidersAreRepublishedBeforeTheyExpireAndSweptAfter() throws Exception {
        ManualClock clock = new ManualClock();
        star(4, base().withClock(clock).withMaintenance(Duration.ZERO, Duration.ZERO, Duration.ofMillis(100)));
        for (KadDht dht : dhts) {
            dht.bootstrap().get(10, TimeUnit.SECONDS);
        }
        KadDht origin = dhts.get(1);
        KadDht holder = dhts.get(2);
        byte[] key = utf8("resource:session:republished");
        byte[] provided = KadId.ofKey(utf8("provided content")).toBytes();
        assertThat(origin.putValue(key, utf8("v")).get(10, TimeUnit.SECONDS)).isEqualTo(3);
        assertThat(origin.provide(provided).get(10, TimeUnit.SECONDS)).isEqualTo(3);
        Instant first = holder.recordStore().get(key).orElseThrow().timeReceived();

        clock.advance(Duration.ofHours(30));
        assertThat(origin.republish().get(10, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(holder.recordStore().get(key).orElseThrow().timeReceived()).isAfter(first);
        clock.advance(Duration.ofHours(30)); // 60 h after the first put: alive only thanks to the republish
        assertThat(holder.recordStore().get(key)).isPresent();
        assertThat(holder.providerStore().get(provided)).containsExactly(hosts.get(1).peerId());
        assertThat(origin.stats().originatedRecords()).isEqualTo(1);
        assertThat(origin.stats().providedKeys()).isEqualTo(1);

        // stopped: after the TTL the sweeper (not a read) empties the other nodes' stores
        assertThat(origin.stopRepublishing(key)).isTrue();
        assertThat(origin.stopProviding(provided)).isTrue();
        assertThat(origin.republish().get(10, TimeUnit.SECONDS)).isZero();
        clock.advance(Duration.ofHours(49));
        await(() -> holder.recordStore().size() == 0 && holder.providerStore().keyCount() == 0,
                "the sweeper to drop the expired record and provider");
        assertThat(origin.providerStore().get(provided)).isEmpty();
    }

    @Test
    void periodicRepublishRefreshesRemoteCopies() throws Exception {
        star(3, base().withMaintenance(Duration.ZERO, Duration.ofMillis(300), Duration.ZERO));
        for (KadDht dht : dhts) {
            dht.bootstrap().get(10, TimeUnit.SECONDS);
        }
        byte[] key = utf8("resource:session:periodic");
        dhts.get(1).putValue(key, utf8("v")).get(10, TimeUnit.SECONDS);
        Instant first = dhts.get(2).recordStore().get(key).orElseThrow().timeReceived();
        await(() -> dhts.get(2).recordStore().get(key).orElseThrow().timeReceived().isAfter(first),
                "the periodic republish to reach the other node");
        assertThat(dhts.get(1).stats().republishes()).isPositive();
    }

    @Test
    void aGetCorrectsCloserPeersThatLackedTheRecord() throws Exception {
        star(6, base());
        for (KadDht dht : dhts) {
            dht.bootstrap().get(10, TimeUnit.SECONDS);
        }
        byte[] key = utf8("resource:session:corrected");
        KadId target = KadId.ofKey(key);
        List<Integer> byDistance = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5));
        byDistance.sort(Comparator.comparing(i -> KadId.ofPeer(hosts.get(i).peerId()), target.byDistance()));
        int farthest = byDistance.get(5);
        int closest = byDistance.get(0);
        int reader = byDistance.get(4);
        // only the farthest node holds the record, as after churn
        dhts.get(farthest).recordStore().put(key, utf8("stale-free"));
        assertThat(dhts.get(reader).getValue(key).get(10, TimeUnit.SECONDS)).contains(utf8("stale-free"));
        await(() -> dhts.get(closest).recordStore().get(key).isPresent(), "the closest node to be corrected");
        assertThat(dhts.get(reader).stats().corrections()).isPositive();
        assertThat(dhts.get(reader).recordStore().get(key)).isEmpty();
    }

    @Test
    void peersFailingRequestsRepeatedlyLeaveTheTableAndTheRestStay() throws Exception {
        star(3, base().withMaxQueryFailures(2));
        KadDht observer = dhts.get(0);
        PeerId leaving = hosts.get(2).peerId();
        List<PeerId> removed = new CopyOnWriteArrayList<>();
        observer.addRoutingTableListener(new RoutingTable.Listener() {
            @Override
            public void peerRemoved(PeerId peer) {
                removed.add(peer);
            }
        });
        hosts.get(2).close(); // gone: dials are refused, but nothing tells node 0 it left
        assertThat(observer.routingTable().contains(leaving)).isTrue();
        assertThat(observer.ping(leaving).get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(observer.routingTable().contains(leaving)).isTrue();
        assertThat(observer.ping(leaving).get(10, TimeUnit.SECONDS)).isFalse();
        await(() -> !observer.routingTable().contains(leaving), "the silent peer to leave");
        await(() -> removed.contains(leaving), "the removal event");
        assertThat(observer.routingTable().contains(hosts.get(1).peerId())).isTrue();
    }
}
