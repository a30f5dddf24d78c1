package org.lotusia.p2p.dht;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.p2p.ConnectionState;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.events.DhtReadyEvent;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;
import org.lotusia.p2p.events.ResourceAnnouncedEvent;
import org.lotusia.p2p.events.ResourceDiscoveredEvent;
import org.lotusia.p2p.events.ResourceRejectedEvent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.p2p.dht.DhtTestNodes.await;
import static org.lotusia.p2p.dht.DhtTestNodes.awaitRoutingTable;
import static org.lotusia.p2p.dht.DhtTestNodes.connect;
import static org.lotusia.p2p.dht.DhtTestNodes.join;

/** Coordinators with the DHT on 127.0.0.1 announcing and discovering resources. */
@ExtendWith(LeakDetectionExtension.class)
class DhtResourceNetworkTest {
    private static final Duration LOOKUP = Duration.ofSeconds(10);

    private final DhtTestNodes nodes = new DhtTestNodes();

    @AfterEach
    void close() {
        nodes.close();
    }

    private static Map<String, Object> session(String status, int size) {
        return Map.of("status", status, "size", size);
    }

    /** Two servers and a client connected to the first; every routing table filled. */
    private P2PCoordinator[] network() {
        P2PCoordinator a = nodes.start(true);
        P2PCoordinator b = nodes.start(true);
        P2PCoordinator c = nodes.start(false);
        connect(b, a);
        connect(c, a);
        connect(c, b);
        awaitRoutingTable(a, 1);
        awaitRoutingTable(b, 1);
        awaitRoutingTable(c, 2);
        return new P2PCoordinator[] {a, b, c};
    }

    @Test
    void aServerAnnouncementIsDiscoveredByAClient() {
        P2PCoordinator[] n = network();
        CompletableFuture<ResourceAnnouncedEvent> announced =
                Events.waitForEvent(n[0], EventType.RESOURCE_ANNOUNCED, LOOKUP);
        ResourceRecord record = join(n[0].announceResource("session", "s-1", session("active", 3)));
        assertThat(join(announced).resourceId()).isEqualTo("s-1");
        assertThat(record.creatorPeerId()).isEqualTo(n[0].peerId().toString());
        assertThat(n[0].getResource("session", "s-1")).contains(record);

        CompletableFuture<ResourceDiscoveredEvent> discovered =
                Events.waitForEvent(n[2], EventType.RESOURCE_DISCOVERED, LOOKUP);
        Optional<ResourceRecord> found = join(n[2].discoverResource("session", "s-1", LOOKUP));
        assertThat(found).contains(record);
        assertThat(found.get().data().path("status").asText()).isEqualTo("active");
        assertThat(join(discovered).creatorPeerId()).isEqualTo(n[0].peerId().toString());
        assertThat(n[2].getResource("session", "s-1")).as("cached after discovery").contains(record);
        assertThat(n[2].getLocalResources("session", Map.of("size", 3))).containsExactly(record);
    }

    @Test
    void aClientAnnouncementReachesTheNetwork() {
        P2PCoordinator[] n = network();
        assertThat(n[2].getDHTStats().mode()).isEqualTo("client");
        ResourceRecord record = join(n[2].announceResource("offer", "o-1", Map.of("price", 7)));
        // Unlike the reference (local only in client mode), the servers hold the record now.
        byte[] key = "resource:offer:o-1".getBytes(StandardCharsets.UTF_8);
        assertThat(n[0].dht().recordStore().get(key)).isPresent();
        assertThat(n[1].dht().recordStore().get(key)).isPresent();
        assertThat(join(n[1].discoverResource("offer", "o-1", LOOKUP))).contains(record);
        assertThat(join(n[0].discoverResource("offer", "missing", Duration.ofSeconds(3)))).isEmpty();
    }

    @Test
    void discoverResourcesFindsEveryAnnouncerOfATypeAndFilters() {
        P2PCoordinator[] n = network();
        P2PCoordinator d = nodes.start(false);
        connect(d, n[1]);
        awaitRoutingTable(d, 1);
        ResourceRecord a1 = join(n[0].announceResource("session", "a-1", session("active", 2)));
        join(n[0].announceResource("session", "a-2", session("closed", 2)));
        ResourceRecord c1 = join(n[2].announceResource("session", "c-1", session("active", 5)));
        join(n[2].announceResource("other", "x", session("active", 1)));

        List<ResourceRecord> active = join(d.discoverResources("session", Map.of("status", "active")));
        assertThat(active).containsExactlyInAnyOrder(a1, c1);
        List<ResourceRecord> all = join(d.discoverResources("session"));
        assertThat(all).extracting(ResourceRecord::resourceId).containsExactlyInAnyOrder("a-1", "a-2", "c-1");
        List<ResourceRecord> big = join(d.discoverResources("session", Map.of("status", "active", "size", 5.0)));
        assertThat(big).containsExactly(c1);
        assertThat(d.getLocalResources("session")).hasSize(3);
        assertThat(join(d.discoverResources("nothing-of-this-type"))).isEmpty();
    }

    @Test
    void expiredRecordsAreNeitherReturnedNorAccepted() {
        P2PCoordinator[] n = network();
        ResourceRecord record = join(n[0].announceResource("ticket", "t-1", Map.of("seat", 4),
                AnnounceOptions.ttl(Duration.ofMillis(1500))));
        assertThat(record.expiresAt()).contains(record.createdAt() + 1500);
        assertThat(join(n[1].discoverResource("ticket", "t-1", LOOKUP))).contains(record);

        List<ResourceRejectedEvent> rejected = new CopyOnWriteArrayList<>();
        n[1].on(EventType.RESOURCE_REJECTED, rejected::add);
        await(() -> n[1].getResource("ticket", "t-1").isEmpty(), "the cached record to expire");
        assertThat(n[0].getResource("ticket", "t-1")).as("expired at the announcer too").isEmpty();
        assertThat(n[1].getLocalResources("ticket")).isEmpty();
        // The DHT still holds the stale value; the coordinator refuses it.
        assertThat(join(n[1].discoverResource("ticket", "t-1", LOOKUP))).isEmpty();
        assertThat(rejected).anySatisfy(e -> assertThat(e.reason()).contains("expired"));
        assertThat(n[1].cleanup()).isGreaterThanOrEqualTo(1);
        assertThatThrownBy(() -> n[0].announceResource("ticket", "t-2", Map.of(),
                AnnounceOptions.expiresAt(java.time.Instant.now().minusSeconds(1))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the future");
    }

    @Test
    void anAnnouncementMadeAloneCompletesOnceAPeerConnects() {
        P2PCoordinator a = nodes.start(true);
        CompletableFuture<ResourceRecord> pending = a.announceResource("room", "r-1", Map.of("open", true));
        assertThat(a.getDHTStats().queuedAnnouncements()).isEqualTo(1);
        assertThat(a.getDHTStats().isReady()).isFalse();
        assertThat(a.getResource("room", "r-1")).as("stored locally at once").isPresent();
        assertThat(pending).isNotDone();

        P2PCoordinator b = nodes.start(true);
        CompletableFuture<DhtReadyEvent> ready = Events.waitForEvent(a, EventType.DHT_READY, LOOKUP);
        connect(b, a);
        assertThat(join(ready).routingTableSize()).isGreaterThanOrEqualTo(1);
        ResourceRecord record = join(pending);
        assertThat(a.getDHTStats().queuedAnnouncements()).isZero();
        assertThat(b.dht().recordStore().get(record.keyBytes())).isPresent();
        assertThat(join(b.discoverResource("room", "r-1", LOOKUP))).contains(record);
        await(() -> a.connectionState() == ConnectionState.DHT_READY, "state dht_ready");
    }

    @Test
    void recordsAreRepublishedToPeersThatJoinLater() {
        P2PCoordinator a = nodes.start(true, c -> c.withRepublishInterval(Duration.ofMillis(300)));
        P2PCoordinator b = nodes.start(true);
        connect(b, a);
        awaitRoutingTable(a, 1);
        ResourceRecord record = join(a.announceResource("room", "later", Map.of()));
        P2PCoordinator late = nodes.start(true);
        connect(late, a);
        await(() -> late.dht().recordStore().get(record.keyBytes()).isPresent(), "the republished record at the late peer");
    }

    @Test
    void signedRecordsVerifyAndTamperedOrForgedOnesAreRejected() throws Exception {
        P2PCoordinator a = nodes.start(true, c -> c.withSignatures(true, false));
        P2PCoordinator b = nodes.start(true, c -> c.withSignatures(false, false));
        P2PCoordinator mallory = nodes.start(true);
        connect(b, a);
        connect(mallory, a);
        connect(mallory, b);
        awaitRoutingTable(a, 2);
        awaitRoutingTable(b, 2);
        awaitRoutingTable(mallory, 2);

        ResourceRecord signed = join(a.announceResource("vote", "v-1", Map.of("choice", "yes")));
        assertThat(signed.isSigned()).isTrue();
        assertThat(SignedResourceRecords.verify(signed)).isEqualTo(SignedResourceRecords.Verdict.VALID);
        CompletableFuture<ResourceDiscoveredEvent> discovered =
                Events.waitForEvent(b, EventType.RESOURCE_DISCOVERED, LOOKUP);
        assertThat(join(b.discoverResource("vote", "v-1", LOOKUP))).contains(signed);
        assertThat(join(discovered).signed()).isTrue();

        List<ResourceRejectedEvent> rejected = new CopyOnWriteArrayList<>();
        b.on(EventType.RESOURCE_REJECTED, rejected::add);

        // Tampered: A's signature kept, data and id changed.
        ObjectNode tampered = signed.toJson();
        ((ObjectNode) tampered.get("data")).put("choice", "no");
        tampered.put("resourceId", "v-2");
        join(mallory.dht().putValue("resource:vote:v-2".getBytes(StandardCharsets.UTF_8),
                ResourceRecord.MAPPER.writeValueAsBytes(tampered)));
        assertThat(join(b.discoverResource("vote", "v-2", LOOKUP))).isEmpty();

        // Forged: signed by Mallory's key while claiming A as creator.
        PrivateKey malloryKey = Keys.generateEd25519();
        ResourceRecord claim = new ResourceRecord("v-3", "vote", a.peerId().toString(),
                ResourceRecord.jsonOf(Map.of("choice", "no")), System.currentTimeMillis(), Optional.empty(), Optional.empty());
        ResourceRecord forged = claim.withSignature(malloryKey.sign(claim.signedBytes()));
        join(mallory.dht().putValue(forged.keyBytes(), forged.toBytes()));
        assertThat(join(b.discoverResource("vote", "v-3", LOOKUP))).isEmpty();

        // Refused twice each: when Mallory stores them on B, and when B's lookup fetches them from A.
        await(() -> rejected.size() >= 4, "store and lookup refusals reported");
        assertThat(rejected).allSatisfy(e -> assertThat(e.reason()).contains("signature"))
                .extracting(ResourceRejectedEvent::key)
                .containsOnly("resource:vote:v-2", "resource:vote:v-3");
        assertThat(b.dht().recordStore().get("resource:vote:v-2".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(b.dht().recordStore().get(forged.keyBytes())).isEmpty();
        assertThat(b.getLocalResources("vote")).containsExactly(signed);
    }

    @Test
    void recordsNotMatchingTheirKeyOrUnparseableAreRejected() throws Exception {
        P2PCoordinator[] n = network();
        List<ResourceRejectedEvent> rejected = new CopyOnWriteArrayList<>();
        n[1].on(EventType.RESOURCE_REJECTED, rejected::add);
        ResourceRecord elsewhere = new ResourceRecord("y", "item", n[0].peerId().toString(),
                ResourceRecord.jsonOf(Map.of()), System.currentTimeMillis(), Optional.empty(), Optional.empty());
        join(n[0].dht().putValue("resource:item:x".getBytes(StandardCharsets.UTF_8), elsewhere.toBytes()));
        join(n[0].dht().putValue("resource:item:garbage".getBytes(StandardCharsets.UTF_8),
                "{\"resourceId\":".getBytes(StandardCharsets.UTF_8)));
        join(n[0].dht().putValue("resource:item:typed".getBytes(StandardCharsets.UTF_8),
                "{\"resourceId\":\"typed\",\"resourceType\":\"item\",\"creatorPeerId\":7,\"createdAt\":1}"
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(join(n[1].discoverResource("item", "x", LOOKUP))).isEmpty();
        assertThat(join(n[1].discoverResource("item", "garbage", LOOKUP))).isEmpty();
        assertThat(join(n[1].discoverResource("item", "typed", LOOKUP))).isEmpty();
        assertThat(rejected).extracting(ResourceRejectedEvent::reason)
                .anySatisfy(r -> assertThat(r).contains("does not match"))
                .anySatisfy(r -> assertThat(r).contains("malformed"))
                .anySatisfy(r -> assertThat(r).contains("creatorPeerId"));
        assertThat(n[1].getLocalResources("item")).isEmpty();
        // Unsigned records stay readable (reference compatibility) when signatures are not required.
        JsonNode plain = ResourceRecord.MAPPER.readTree(elsewhere.toBytes());
        assertThat(plain.has("signature")).isFalse();
    }

    @Test
    void recordsOtherPeersStoreOnUsAreCheckedBeforeTheyAreKept() {
        P2PCoordinator[] n = network();
        List<ResourceRejectedEvent> rejected = new CopyOnWriteArrayList<>();
        n[1].on(EventType.RESOURCE_REJECTED, rejected::add);
        n[1].getSecurityManager().registerValidator("guarded", new org.lotusia.p2p.security.ProtocolValidator() {
            @Override
            public boolean validateResourceAnnouncement(String type, String id, Object data,
                                                        org.lotusia.libp2p.crypto.PeerId peer) {
                return !((JsonNode) data).path("evil").asBoolean();
            }
        });
        String creator = n[0].peerId().toString();
        long now = System.currentTimeMillis();

        byte[] wrongKey = "resource:guarded:x".getBytes(StandardCharsets.UTF_8);
        ResourceRecord elsewhere = new ResourceRecord("y", "guarded", creator,
                ResourceRecord.jsonOf(Map.of()), now, Optional.empty(), Optional.empty());
        n[0].dht().putValue(wrongKey, elsewhere.toBytes()).exceptionally(e -> 0).join();

        ResourceRecord evil = new ResourceRecord("bad", "guarded", creator,
                ResourceRecord.jsonOf(Map.of("evil", true)), now, Optional.empty(), Optional.empty());
        n[0].dht().putValue(evil.key().getBytes(StandardCharsets.UTF_8), evil.toBytes()).exceptionally(e -> 0).join();

        ResourceRecord fine = new ResourceRecord("good", "guarded", creator,
                ResourceRecord.jsonOf(Map.of("evil", false)), now, Optional.empty(), Optional.empty());
        n[0].dht().putValue(fine.key().getBytes(StandardCharsets.UTF_8), fine.toBytes()).exceptionally(e -> 0).join();

        // The server peer keeps only the well-formed record its validator accepts.
        assertThat(n[1].dht().recordStore().get(wrongKey)).isEmpty();
        assertThat(n[1].dht().recordStore().get(evil.key().getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(n[1].dht().recordStore().get(fine.key().getBytes(StandardCharsets.UTF_8))).isPresent();
        await(() -> rejected.size() >= 2, "two refusals reported");
        assertThat(rejected).extracting(ResourceRejectedEvent::reason)
                .anySatisfy(r -> assertThat(r).contains("stored under another key"))
                .anySatisfy(r -> assertThat(r).contains("refused by the security manager"));
        // The creator stored its own record, so the refusal counts against it.
        assertThat(n[1].getSecurityManager().banManager().warningCount(n[0].peerId())).isPositive();
    }

    @Test
    void announcementsFromOtherPeersGoThroughTheSecurityManager() {
        P2PCoordinator[] n = network();
        n[1].getSecurityManager().registerValidator("banned-type", new org.lotusia.p2p.security.ProtocolValidator() {
            @Override
            public boolean validateResourceAnnouncement(String type, String id, Object data,
                                                        org.lotusia.libp2p.crypto.PeerId peer) {
                return !((JsonNode) data).path("evil").asBoolean();
            }
        });
        join(n[0].announceResource("banned-type", "ok", Map.of("evil", false)));
        // The only other server refuses to store it, so this announcement stays queued; B still finds
        // it on A during its lookup and rejects it there.
        n[0].announceResource("banned-type", "bad", Map.of("evil", true));
        assertThat(join(n[1].discoverResource("banned-type", "ok", LOOKUP))).isPresent();
        assertThat(join(n[1].discoverResource("banned-type", "bad", LOOKUP))).isEmpty();
        assertThat(n[1].getSecurityManager().getMetrics().dhtAnnouncementsRejected()).isPositive();
        // Listing from the provider authenticates it: the content validator's rejection now warns it.
        assertThat(join(n[1].discoverResources("banned-type"))).extracting(ResourceRecord::resourceId)
                .containsExactly("ok");
        assertThat(n[1].getSecurityManager().banManager().warningCount(n[0].peerId())).isPositive();
    }

    @Test
    void statsEventsAndStatesFollowTheRoutingTable() {
        P2PCoordinator a = nodes.start(false);
        assertThat(a.getDHTStats()).isEqualTo(new DhtStats(true, "client", 0, false, 0, 0, 0));
        assertThat(a.getStats().dht().enabled()).isTrue();
        P2PCoordinator b = nodes.start(true);
        P2PCoordinator c = nodes.start(true);
        P2PCoordinator d = nodes.start(true);
        CompletableFuture<DhtReadyEvent> ready = Events.waitForEvent(a, EventType.DHT_READY, LOOKUP);
        connect(a, b);
        assertThat(join(ready).mode()).isEqualTo("client");
        connect(a, c);
        connect(a, d);
        awaitRoutingTable(a, 3);
        await(() -> a.connectionState() == ConnectionState.FULLY_OPERATIONAL, "state fully_operational");
        assertThat(a.getStats().dht().routingTableSize()).isEqualTo(3);
        assertThat(join(a.findPeer(c.peerId(), LOOKUP)).found()).isTrue();
    }
}
