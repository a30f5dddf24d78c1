package org.lotusia.p2p.dht;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The record format, signatures, filters and the announcement queue, without a network. */
class ResourceRecordTest {
    private static final PrivateKey KEY = Keys.generateEd25519();
    private static final String CREATOR = KEY.publicKey().peerId().toString();

    private static ResourceRecord record(String id, Object data, Long expiresAt) {
        return new ResourceRecord(id, "session", CREATOR, ResourceRecord.jsonOf(data), 1_700_000_000_000L,
                Optional.ofNullable(expiresAt), Optional.empty());
    }

    @Test
    void serialisesExactlyLikeTheReference() {
        ResourceRecord r = record("s-1", Map.of("status", "active"), 1_700_000_060_000L);
        assertThat(new String(r.toBytes(), StandardCharsets.UTF_8)).isEqualTo(
                "{\"resourceId\":\"s-1\",\"resourceType\":\"session\",\"creatorPeerId\":\"" + CREATOR
                        + "\",\"data\":{\"status\":\"active\"},\"createdAt\":1700000000000,\"expiresAt\":1700000060000}");
        assertThat(r.key()).isEqualTo("resource:session:s-1");
        assertThat(record("s-2", null, null).toJson().has("expiresAt")).isFalse();
        assertThat(ResourceRecord.parse(r.toBytes(), 65536)).isEqualTo(r);
    }

    @Test
    void parsesWhatAJsReferenceNodeWrites() {
        String js = "{\"resourceId\":\"x\",\"resourceType\":\"t\",\"creatorPeerId\":\"" + CREATOR
                + "\",\"data\":[1,2.5,\"a\"],\"createdAt\":1700000000000}";
        ResourceRecord r = ResourceRecord.parse(js.getBytes(StandardCharsets.UTF_8), 65536);
        assertThat(r.expiresAt()).isEmpty();
        assertThat(r.data().size()).isEqualTo(3);
        assertThat(r.isSigned()).isFalse();
        assertThat(SignedResourceRecords.verify(r)).isEqualTo(SignedResourceRecords.Verdict.UNSIGNED);
    }

    @Test
    void rejectsMalformedRecords() {
        for (String bad : new String[] {"", "[]", "{\"resourceId\":1}", "nope",
                "{\"resourceId\":\"x\",\"resourceType\":\"t\",\"creatorPeerId\":\"p\",\"createdAt\":\"soon\"}",
                "{\"resourceId\":\"x\",\"resourceType\":\"t\",\"creatorPeerId\":\"p\",\"createdAt\":1.5}",
                "{\"resourceId\":\"x\",\"resourceType\":\"t\",\"creatorPeerId\":\"p\",\"createdAt\":1,\"signature\":\"zz\"}",
                "[".repeat(200)}) {
            assertThatThrownBy(() -> ResourceRecord.parse(bad.getBytes(StandardCharsets.UTF_8), 65536))
                    .as(bad).isInstanceOf(InvalidResourceRecordException.class);
        }
        byte[] big = record("s", "x".repeat(100), null).toBytes();
        assertThatThrownBy(() -> ResourceRecord.parse(big, 50)).isInstanceOf(InvalidResourceRecordException.class)
                .hasMessageContaining("exceeds");
    }

    @Test
    void signaturesCoverEveryFieldAndNameTheCreator() {
        ResourceRecord signed = SignedResourceRecords.sign(record("s-1", Map.of("n", 1), null), KEY);
        assertThat(SignedResourceRecords.verify(signed)).isEqualTo(SignedResourceRecords.Verdict.VALID);
        ResourceRecord roundTrip = ResourceRecord.parse(signed.toBytes(), 65536);
        assertThat(SignedResourceRecords.verify(roundTrip)).isEqualTo(SignedResourceRecords.Verdict.VALID);

        ObjectNode changed = signed.toJson();
        changed.put("createdAt", signed.createdAt() + 1);
        assertThat(SignedResourceRecords.verify(ResourceRecord.fromJson(changed)))
                .isEqualTo(SignedResourceRecords.Verdict.INVALID);
        ObjectNode otherData = signed.toJson();
        ((ObjectNode) otherData.get("data")).put("n", 2);
        assertThat(SignedResourceRecords.verify(ResourceRecord.fromJson(otherData)))
                .isEqualTo(SignedResourceRecords.Verdict.INVALID);

        PrivateKey other = Keys.generateEd25519();
        assertThatThrownBy(() -> SignedResourceRecords.sign(record("s-1", null, null), other))
                .isInstanceOf(IllegalArgumentException.class);
        ResourceRecord unsigned = record("s-1", null, null);
        ResourceRecord forged = unsigned.withSignature(other.sign(unsigned.signedBytes()));
        assertThat(SignedResourceRecords.verify(forged)).isEqualTo(SignedResourceRecords.Verdict.INVALID);
        ResourceRecord badCreator = new ResourceRecord("s", "t", "not-a-peer", ResourceRecord.jsonOf(null), 1,
                Optional.empty(), Optional.of(new byte[64]));
        assertThat(SignedResourceRecords.verify(badCreator)).isEqualTo(SignedResourceRecords.Verdict.INVALID);
    }

    @Test
    void filtersCompareTopLevelFieldsLikeJavaScript() {
        ResourceRecord r = record("s", Map.of("status", "active", "size", 3, "tags", java.util.List.of("a")), null);
        assertThat(ResourceFilter.none().matches(r)).isTrue();
        assertThat(ResourceFilter.of(Map.of("status", "active")).matches(r)).isTrue();
        assertThat(ResourceFilter.of(Map.of("size", 3.0)).matches(r)).isTrue();
        assertThat(ResourceFilter.of(Map.of("size", "3")).matches(r)).isFalse();
        assertThat(ResourceFilter.of(Map.of("status", "active", "size", 4)).matches(r)).isFalse();
        assertThat(ResourceFilter.of(Map.of("missing", "x")).matches(r)).isFalse();
        assertThat(ResourceFilter.of(Map.of("tags", java.util.List.of("a"))).matches(r)).isTrue();
        // Unlike the reference, non-object data does not match a non-empty filter.
        assertThat(ResourceFilter.of(Map.of("status", "active")).matches(record("s", "text", null))).isFalse();
        assertThatThrownBy(() -> ResourceFilter.fromJson(ResourceRecord.jsonOf(java.util.List.of())))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expiryAndOptions() {
        Instant created = Instant.ofEpochMilli(1_000);
        assertThat(AnnounceOptions.none().expiryFor(created)).isEmpty();
        assertThat(AnnounceOptions.ttl(Duration.ofSeconds(2)).expiryFor(created)).contains(Instant.ofEpochMilli(3_000));
        assertThat(new AnnounceOptions(Optional.of(Duration.ofSeconds(2)), Optional.of(Instant.ofEpochMilli(9_000)))
                .expiryFor(created)).contains(Instant.ofEpochMilli(9_000));
        assertThatThrownBy(() -> AnnounceOptions.ttl(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        ResourceRecord r = record("s", null, 5_000L);
        assertThat(r.isExpired(4_999)).isFalse();
        assertThat(r.isExpired(5_000)).isTrue();
    }

    @Test
    void theQueueBacksOffReplacesOverflowsAndTimesOut() throws Exception {
        ResourceAnnouncementQueue queue = new ResourceAnnouncementQueue(2, Duration.ofSeconds(60),
                Duration.ofSeconds(1), Duration.ofSeconds(5));
        Instant t0 = Instant.ofEpochSecond(1_000);
        CompletableFuture<ResourceRecord> first = new CompletableFuture<>();
        ResourceRecord a = record("a", 1, null);
        queue.enqueue(a, first, t0);
        assertThat(queue.due(t0)).containsExactly(a);
        assertThat(queue.due(t0)).as("in flight").isEmpty();
        queue.failed(a, t0);
        assertThat(queue.due(t0.plusMillis(999))).isEmpty();
        assertThat(queue.due(t0.plusSeconds(1))).containsExactly(a);
        queue.failed(a, t0.plusSeconds(1));
        assertThat(queue.due(t0.plusSeconds(2))).as("second delay is 2 s").isEmpty();
        assertThat(queue.backoff(10)).isEqualTo(Duration.ofSeconds(5));

        ResourceRecord a2 = record("a", 2, null);
        CompletableFuture<ResourceRecord> second = new CompletableFuture<>();
        queue.enqueue(a2, second, t0);
        queue.succeeded(a);
        assertThat(first).as("the replaced record's put does not count").isNotDone();
        assertThat(queue.due(t0.plusSeconds(3))).containsExactly(a2);
        queue.succeeded(a2);
        assertThat(first.get()).isEqualTo(a2);
        assertThat(second.get()).isEqualTo(a2);
        assertThat(queue.size()).isZero();

        CompletableFuture<ResourceRecord> b = new CompletableFuture<>();
        CompletableFuture<ResourceRecord> c = new CompletableFuture<>();
        CompletableFuture<ResourceRecord> d = new CompletableFuture<>();
        queue.enqueue(record("b", 1, null), b, t0);
        queue.enqueue(record("c", 1, null), c, t0);
        queue.enqueue(record("d", 1, null), d, t0);
        assertThatThrownBy(b::get).hasCauseInstanceOf(RejectedExecutionException.class);
        assertThat(queue.keys()).containsExactly("resource:session:c", "resource:session:d");
        assertThat(queue.expire(t0.plusSeconds(59))).isZero();
        assertThat(queue.expire(t0.plusSeconds(60))).isEqualTo(2);
        assertThatThrownBy(c::get).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);

        CompletableFuture<ResourceRecord> e = new CompletableFuture<>();
        queue.enqueue(record("e", 1, 2_000_000L), e, t0);
        assertThat(queue.expire(Instant.ofEpochMilli(2_000_000L))).isEqualTo(1);
        assertThatThrownBy(e::get).hasMessageContaining("expired");
    }

    @Test
    void providerKeysAreSha256MultihashesOfTheType() {
        byte[] key = ResourceService.providerKey("session");
        assertThat(key).hasSize(34);
        assertThat(key[0]).isEqualTo((byte) 0x12);
        assertThat(key[1]).isEqualTo((byte) 0x20);
        assertThat(ResourceService.providerKey("session")).isEqualTo(key);
        assertThat(ResourceService.providerKey("sessions")).isNotEqualTo(key);
    }
}
