package org.lotusia.libp2p.kad;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

class RoutingTableTest {
    private static PeerId randomPeer() {
        return Keys.generate(KeyType.ED25519).publicKey().peerId();
    }

    private static List<PeerId> peers(int n) {
        List<PeerId> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            peers.add(randomPeer());
        }
        return peers;
    }

    @Test
    void distanceAndPrefixLength() {
        byte[] a = new byte[32];
        byte[] b = new byte[32];
        b[0] = 0x10;
        KadId x = KadId.fromRaw(a);
        KadId y = KadId.fromRaw(b);
        assertThat(x.commonPrefixLength(y)).isEqualTo(3);
        assertThat(x.commonPrefixLength(x)).isEqualTo(256);
        assertThat(x.distance(y)[0]).isEqualTo((byte) 0x10);
        b[0] = 0;
        b[31] = 1;
        KadId z = KadId.fromRaw(b);
        assertThat(x.commonPrefixLength(z)).isEqualTo(255);
        assertThat(x.compareDistance(z, y)).isNegative();
        assertThat(KadId.ofKey(new byte[0]).toString())
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void closestPeersMatchBruteForce() {
        PeerId self = randomPeer();
        RoutingTable table = new RoutingTable(self, 20, 10_000, p -> CompletableFuture.completedFuture(true));
        for (PeerId peer : peers(300)) {
            table.add(peer).join();
        }
        List<PeerId> all = table.peers();
        assertThat(all).hasSize(table.size());
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            byte[] key = new byte[16];
            random.nextBytes(key);
            KadId target = KadId.ofKey(key);
            List<PeerId> expected = all.stream()
                    .sorted(Comparator.comparing(KadId::ofPeer, target.byDistance()))
                    .limit(20).toList();
            assertThat(table.closestPeers(target, 20)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void bucketsHoldAtMostKAndSelfIsNeverAdded() {
        PeerId self = randomPeer();
        RoutingTable table = new RoutingTable(self, 4, 10_000, p -> CompletableFuture.completedFuture(true));
        assertThat(table.add(self).join()).isFalse();
        for (PeerId peer : peers(200)) {
            table.add(peer).join();
        }
        int total = 0;
        for (int i = 0; i < KadId.BITS; i++) {
            List<PeerId> bucket = table.bucket(i);
            assertThat(bucket.size()).isLessThanOrEqualTo(4);
            for (PeerId p : bucket) {
                assertThat(table.bucketIndex(KadId.ofPeer(p))).isEqualTo(i);
            }
            total += bucket.size();
        }
        assertThat(total).isEqualTo(table.size());
        // Half of all ids land in bucket 0, a quarter in bucket 1: those are full.
        assertThat(table.bucket(0)).hasSize(4);
        assertThat(table.bucket(1)).hasSize(4);
        assertThat(table.size()).isLessThan(200);
    }

    @Test
    void fullBucketEvictsTheOldestPeerOnlyWhenItDoesNotAnswer() {
        PeerId self = randomPeer();
        Set<PeerId> dead = new HashSet<>();
        RoutingTable table = new RoutingTable(self, 2, 10_000,
                p -> CompletableFuture.completedFuture(!dead.contains(p)));
        List<PeerId> bucket0 = new ArrayList<>();
        for (PeerId p : peers(200)) {
            if (table.bucketIndex(KadId.ofPeer(p)) == 0) {
                bucket0.add(p);
            }
        }
        PeerId a = bucket0.get(0);
        PeerId b = bucket0.get(1);
        PeerId c = bucket0.get(2);
        PeerId d = bucket0.get(3);
        assertThat(table.add(a).join()).isTrue();
        assertThat(table.add(b).join()).isTrue();
        // a answers: c is dropped, a becomes most recently seen.
        assertThat(table.add(c).join()).isFalse();
        assertThat(table.bucket(0)).containsExactly(b, a);
        // b (now the oldest) is dead: d replaces it.
        dead.add(b);
        assertThat(table.add(d).join()).isTrue();
        assertThat(table.bucket(0)).containsExactly(a, d);
        assertThat(table.contains(b)).isFalse();
        // Seeing a peer moves it to the end.
        table.markSeen(a);
        assertThat(table.bucket(0)).containsExactly(d, a);
        assertThat(table.remove(d)).isTrue();
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aPendingLivenessCheckDropsFurtherCandidatesAndTheTableIsBounded() {
        PeerId self = randomPeer();
        CompletableFuture<Boolean> slow = new CompletableFuture<>();
        RoutingTable table = new RoutingTable(self, 1, 10_000, p -> slow);
        List<PeerId> bucket0 = new ArrayList<>();
        for (PeerId p : peers(100)) {
            if (table.bucketIndex(KadId.ofPeer(p)) == 0) {
                bucket0.add(p);
            }
        }
        table.add(bucket0.get(0)).join();
        CompletableFuture<Boolean> second = table.add(bucket0.get(1));
        assertThat(table.add(bucket0.get(2)).join()).isFalse();
        slow.complete(false);
        assertThat(second.join()).isTrue();
        assertThat(table.bucket(0)).containsExactly(bucket0.get(1));

        RoutingTable small = new RoutingTable(self, 20, 5, p -> CompletableFuture.completedFuture(true));
        for (PeerId p : peers(50)) {
            small.add(p).join();
        }
        assertThat(small.size()).isEqualTo(5);
    }
}
