package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The DHT commands and events of the control interface, between two {@code node --json --enable-dht} processes. */
class NodeDhtControlTest {

    @Test
    void announceDiscoverDiscoverAllDhtStatsAndFindPeer() throws Exception {
        try (ControlClient alice = ControlClient.start("--enable-dht", "--enable-dht-server", "--sign-resources");
             // Both servers: a server's own record needs another server to be put to.
             ControlClient bob = ControlClient.start("--enable-dht", "--enable-dht-server")) {
            JsonNode stats = bob.ok(bob.command("dhtStats"));
            assertThat(stats.path("enabled").asBoolean()).isTrue();
            assertThat(stats.path("mode").asText()).isEqualTo("server");
            assertThat(stats.path("isReady").asBoolean()).isFalse();

            // Announced before any peer: the reply comes once the record could be put.
            ObjectNode early = bob.command("announce").put("type", "session").put("id", "b-1").put("ttl", 60);
            early.putObject("data").put("status", "active").put("seats", 2);
            bob.writeLine(early.toString());
            assertThat(bob.ok(bob.command("dhtStats")).path("queuedAnnouncements").asInt()).isEqualTo(1);
            bob.ok(bob.command("connect").put("addr", alice.address()));
            JsonNode ready = bob.awaitEvent("dht:ready", e -> true);
            assertThat(ready.path("detail").asText()).contains("server mode");
            JsonNode announced = bob.awaitReply(early.get("id"));
            assertThat(announced.path("ok").asBoolean()).as(announced.toString()).isTrue();
            JsonNode record = announced.path("result");
            assertThat(record.path("key").asText()).isEqualTo("resource:session:b-1");
            assertThat(record.path("creatorPeerId").asText()).isEqualTo(bob.peerId());
            assertThat(record.path("expiresAt").asLong() - record.path("createdAt").asLong()).isEqualTo(60_000);
            assertThat(record.has("signature")).isFalse();
            bob.awaitEvent("resource:announced", e -> e.path("id").asText().equals("b-1"));

            ObjectNode signed = alice.command("announce").put("type", "session").put("id", "a-1");
            signed.putObject("data").put("status", "closed");
            assertThat(alice.ok(signed).path("signature").asText()).isNotEmpty();

            JsonNode found = bob.ok(bob.command("discover").put("type", "session").put("id", "a-1").put("timeoutMs", 5000));
            assertThat(found.path("found").asBoolean()).isTrue();
            assertThat(found.path("record").path("data").path("status").asText()).isEqualTo("closed");
            assertThat(found.path("record").path("creatorPeerId").asText()).isEqualTo(alice.peerId());
            bob.awaitEvent("resource:discovered", e -> e.path("id").asText().equals("a-1"));
            JsonNode missing = bob.ok(bob.command("discover").put("type", "session").put("id", "none").put("timeoutMs", 3000));
            assertThat(missing.path("found").asBoolean()).isFalse();
            assertThat(missing.path("record").isNull()).isTrue();

            ObjectNode all = alice.command("discoverAll").put("type", "session");
            all.putObject("filters").put("status", "active");
            JsonNode active = alice.ok(all);
            assertThat(active.path("count").asInt()).isEqualTo(1);
            assertThat(active.path("records").get(0).path("resourceId").asText()).isEqualTo("b-1");
            assertThat(active.path("records").get(0).path("data").path("seats").asInt()).isEqualTo(2);
            assertThat(alice.ok(alice.command("discoverAll").put("type", "session")).path("count").asInt()).isEqualTo(2);

            JsonNode peer = bob.ok(bob.command("findPeer").put("peerId", alice.peerId()));
            assertThat(peer.path("found").asBoolean()).isTrue();
            assertThat(peer.path("connected").asBoolean()).isTrue();
            assertThat(peer.path("addrs")).isNotEmpty();

            JsonNode aliceStats = alice.ok(alice.command("dhtStats"));
            assertThat(aliceStats.path("mode").asText()).isEqualTo("server");
            assertThat(aliceStats.path("ownRecords").asInt()).isEqualTo(1);
            assertThat(aliceStats.path("localRecords").asInt()).isEqualTo(2);

            JsonNode slash = alice.call(alice.command("announce").put("type", "session").put("id", "a/b"));
            assertThat(slash.path("ok").asBoolean()).isFalse();
            assertThat(slash.path("error").asText()).contains("'/'");
            JsonNode badTtl = alice.call(alice.command("announce").put("type", "t").put("id", "x").put("ttl", -1));
            assertThat(badTtl.path("error").asText()).contains("ttl");
            JsonNode noType = alice.call(alice.command("discover").put("id", "x"));
            assertThat(noType.path("error").asText()).contains("\"type\"");
        }
    }
}
