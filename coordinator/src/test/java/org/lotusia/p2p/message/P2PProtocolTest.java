package org.lotusia.p2p.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lotusia.libp2p.Libp2pException;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class P2PProtocolTest {
    private static final long NOW = 1_732_570_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final P2PProtocol protocol = new P2PProtocol(CLOCK, new Random(1), P2PProtocol.DEFAULT_MAX_MESSAGE_BYTES,
            P2PProtocol.DEFAULT_MAX_NESTING_DEPTH);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static P2PMessage valid() {
        return P2PMessage.builder().type("t").from("f").timestamp(NOW).messageId("id").build();
    }

    // ------------------------------------------------------------------------------------------ create

    @Test
    void createMessageFillsTimestampAndIdInTheReferenceFormat() {
        P2PMessage m = protocol.createMessage("chat", Map.of("text", "hi"), "12D3KooWA",
                MessageOptions.to("12D3KooWB").withProtocol("p").withSignature(NullNode.getInstance()));
        assertThat(m.type()).isEqualTo("chat");
        assertThat(m.from()).isEqualTo("12D3KooWA");
        assertThat(m.to()).isEqualTo("12D3KooWB");
        assertThat(m.protocol()).isEqualTo("p");
        assertThat(m.signature()).isEqualTo(NullNode.getInstance());
        assertThat(m.payload().get("text").asText()).isEqualTo("hi");
        assertThat(m.timestamp()).hasValue(NOW);
        assertThat(m.messageId()).matches("[0-9a-z]+-[0-9a-f]{16}").startsWith(Long.toString(NOW, 36) + "-");
        assertThat(protocol.validateMessage(m)).isTrue();
        assertThat(new String(protocol.serialize(m), StandardCharsets.UTF_8)).startsWith(
                "{\"type\":\"chat\",\"from\":\"12D3KooWA\",\"to\":\"12D3KooWB\",\"payload\":{\"text\":\"hi\"},\"timestamp\":"
                        + NOW + ",\"messageId\":\"" + m.messageId() + "\",\"signature\":null,\"protocol\":\"p\"}");
    }

    @Test
    void createMessageWithoutOptionsOmitsThem() {
        P2PMessage m = protocol.createMessage("t", null, "f");
        assertThat(m.toJson()).isEqualTo("{\"type\":\"t\",\"from\":\"f\",\"timestamp\":" + NOW + ",\"messageId\":\""
                + m.messageId() + "\"}");
    }

    @Test
    void messageIdsAreUniqueWithSecureRandom() {
        P2PProtocol p = new P2PProtocol();
        assertThat(p.generateMessageId()).matches("[0-9a-z]{8,9}-[0-9a-f]{16}");
        assertThat(p.generateMessageId()).isNotEqualTo(p.generateMessageId());
    }

    @Test
    void unconvertiblePayloadIsAFormatError() {
        Object self = new Object() {
            public Object getSelf() {
                return this;
            }
        };
        assertThatThrownBy(() -> protocol.createMessage("t", self, "f")).isInstanceOf(MessageFormatException.class);
    }

    @Test
    void helperFactoriesMatchTheReferencePayloads() {
        P2PMessage hs = protocol.createHandshake("me", Map.of("v", 1));
        assertThat(hs.type()).isEqualTo("peer-handshake");
        assertThat(hs.payload().toString()).isEqualTo("{\"peerId\":\"me\",\"timestamp\":" + NOW + ",\"metadata\":{\"v\":1}}");
        assertThat(protocol.createHandshake("me", null).payload().toString()).isEqualTo("{\"peerId\":\"me\",\"timestamp\":" + NOW + "}");
        P2PMessage hb = protocol.createHeartbeat("me");
        assertThat(hb.type()).isEqualTo("peer-heartbeat");
        assertThat(hb.payload().toString()).isEqualTo("{\"timestamp\":" + NOW + "}");
        P2PMessage dc = protocol.createDisconnect("me", "bye");
        assertThat(dc.type()).isEqualTo("peer-disconnect");
        assertThat(dc.payload().toString()).isEqualTo("{\"reason\":\"bye\",\"timestamp\":" + NOW + "}");
        P2PMessage er = protocol.createError("me", "boom", Map.of("k", "v"));
        assertThat(er.type()).isEqualTo("error");
        assertThat(er.payload().toString()).isEqualTo("{\"error\":\"boom\",\"context\":{\"k\":\"v\"},\"timestamp\":" + NOW + "}");
        assertThat(hs.from()).isEqualTo("me");
        for (P2PMessage m : new P2PMessage[] {hs, hb, dc, er}) {
            assertThat(protocol.validateMessage(m)).isTrue();
        }
    }

    // ------------------------------------------------------------------------------------------ serialize/deserialize

    @Test
    void roundTripsExactly() {
        P2PMessage m = protocol.createMessage("chat", Map.of("a", java.util.List.of(1, "two", Map.of())), "f",
                MessageOptions.to("g").withProtocol("p"));
        byte[] bytes = protocol.serialize(m);
        P2PMessage back = protocol.deserialize(bytes);
        assertThat(back).isEqualTo(m);
        assertThat(protocol.serialize(back)).isEqualTo(bytes);
    }

    @Test
    void deserializesWhatJavaScriptWrites() throws Exception {
        String js = "{\"type\":\"t\",\"from\":\"f\",\"payload\":{\"x\":[1,2.5,\"s\"]},\"timestamp\":" + NOW
                + ",\"messageId\":\"test-msg-1\",\"signature\":{\"type\":\"Buffer\",\"data\":[7]},\"extra\":1}";
        P2PMessage m = protocol.deserialize(utf8(js));
        assertThat(m.type()).isEqualTo("t");
        assertThat(m.to()).isNull();
        assertThat(m.messageId()).isEqualTo("test-msg-1");
        assertThat(m.signature()).isEqualTo(JSON.readTree("{\"type\":\"Buffer\",\"data\":[7]}"));
        assertThat(m.payload()).isEqualTo(JSON.readTree("{\"x\":[1,2.5,\"s\"]}"));
        // unknown fields are dropped
        assertThat(m.toJson()).doesNotContain("extra");
    }

    @Test
    void nullStringFieldsAreAbsentAndFloatTimestampsThatAreWholeAreAccepted() {
        P2PMessage m = protocol.deserialize(utf8("{\"type\":\"t\",\"to\":null,\"timestamp\":1.7e12,\"payload\":null}"));
        assertThat(m.to()).isNull();
        assertThat(m.timestamp()).hasValue(1_700_000_000_000L);
        assertThat(m.payload()).isEqualTo(NullNode.getInstance());
        assertThat(protocol.deserialize(utf8("{\"timestamp\":null}")).timestamp()).isEmpty();
        assertThat(protocol.deserialize(utf8("{}"))).isEqualTo(P2PMessage.builder().build());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "null", "[]", "\"str\"", "42", "{", "{\"type\":}", "{\"type\":\"t\"} x", "{\"type\":\"t\"}{}",
            "{\"type\":1}", "{\"from\":true}", "{\"to\":[]}", "{\"messageId\":{}}", "{\"protocol\":5}",
            "{\"timestamp\":\"1\"}", "{\"timestamp\":1.5}", "{\"timestamp\":1e300}", "{\"timestamp\":99999999999999999999}",
            "{'type':'t'}", "{\"type\":\"t\",}", "{\"a\":NaN}", "/*c*/{}"
    })
    void rejectsMalformedInputWithAFormatError(String input) {
        assertThatThrownBy(() -> protocol.deserialize(utf8(input)))
                .isInstanceOf(MessageFormatException.class)
                .isInstanceOf(Libp2pException.class)
                .hasMessageContaining("message");
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] bad = {'{', '"', 't', 'y', 'p', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThatThrownBy(() -> protocol.deserialize(bad)).isInstanceOf(MessageFormatException.class);
    }

    @Test
    void enforcesTheSizeLimit() {
        P2PProtocol small = new P2PProtocol(CLOCK, new Random(), 100, 64);
        String ok = "{\"type\":\"" + "x".repeat(100 - 11) + "\"}";
        assertThat(ok).hasSize(100);
        assertThat(small.deserialize(utf8(ok)).type()).hasSize(89);
        assertThatThrownBy(() -> small.deserialize(utf8(ok + " ")))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("101 bytes");
        assertThatThrownBy(() -> new P2PProtocol(CLOCK, new Random(), 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void enforcesTheNestingLimit() {
        String deep64 = "{\"payload\":" + "[".repeat(63) + "]".repeat(63) + "}";
        assertThat(protocol.deserialize(utf8(deep64)).payload()).isNotNull();
        String deep65 = "{\"payload\":" + "[".repeat(64) + "]".repeat(64) + "}";
        assertThatThrownBy(() -> protocol.deserialize(utf8(deep65)))
                .isInstanceOf(MessageFormatException.class).hasMessageContaining("limit");
        String veryDeep = "{\"payload\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThatThrownBy(() -> protocol.deserialize(utf8(veryDeep))).isInstanceOf(MessageFormatException.class);
    }

    // ------------------------------------------------------------------------------------------ validation

    @Test
    void validMessagePasses() {
        assertThat(protocol.validate(valid(), CLOCK)).isEqualTo(ValidationResult.ok());
        assertThat(protocol.validate(valid(), CLOCK).isValid()).isTrue();
        assertThat(protocol.validateMessage(valid())).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
            "MISSING_TYPE, type", "MISSING_FROM, from", "MISSING_MESSAGE_ID, messageId",
            "MISSING_TYPE, type-empty", "MISSING_FROM, from-empty", "MISSING_MESSAGE_ID, messageId-empty",
            "BAD_TIMESTAMP, timestamp", "BAD_TIMESTAMP, timestamp-zero"
    })
    void missingFieldsAreReported(ValidationResult.Reason reason, String what) {
        P2PMessage.Builder b = valid().toBuilder();
        switch (what) {
            case "type" -> b.type(null);
            case "from" -> b.from(null);
            case "messageId" -> b.messageId(null);
            case "type-empty" -> b.type("");
            case "from-empty" -> b.from("");
            case "messageId-empty" -> b.messageId("");
            case "timestamp" -> b.noTimestamp();
            case "timestamp-zero" -> b.timestamp(0);
            default -> throw new IllegalArgumentException(what);
        }
        ValidationResult r = protocol.validate(b.build(), CLOCK);
        assertThat(r.isValid()).isFalse();
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.detail()).isNotEmpty();
        assertThat(protocol.validateMessage(b.build())).isFalse();
    }

    @Test
    void timestampWindowIsPlusMinusFiveMinutesInclusive() {
        long w = P2PProtocol.MAX_MESSAGE_AGE_MILLIS;
        for (long ts : new long[] {NOW - w, NOW + w, NOW - 1, NOW + 1}) {
            assertThat(protocol.validate(valid().withTimestamp(ts), CLOCK).isValid()).as("ts %d", ts).isTrue();
        }
        for (long ts : new long[] {NOW - w - 1, NOW + w + 1, Long.MIN_VALUE, Long.MAX_VALUE, -1}) {
            assertThat(protocol.validate(valid().withTimestamp(ts), CLOCK).reason()).as("ts %d", ts)
                    .isEqualTo(ValidationResult.Reason.OUTSIDE_TIME_WINDOW);
        }
    }

    @Test
    void validationIgnoresPayloadToProtocolAndSignature() {
        assertThat(protocol.validateMessage(valid().withPayload(null).withTo("").withProtocol(""))).isTrue();
    }

    @Test
    void validateMessageSize() {
        P2PMessage m = valid();
        int n = protocol.serialize(m).length;
        assertThat(protocol.validateMessageSize(m, n)).isTrue();
        assertThat(protocol.validateMessageSize(m, n - 1)).isFalse();
        assertThat(protocol.validateMessageSize(m)).isTrue();
    }

    // ------------------------------------------------------------------------------------------ hash

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // type | from | to | messageId | HMAC-SHA256 (computed independently with Python's hmac)
            "t|f||m|5302e4fd97ca9670a57bffe012bcfd786c3b04b18ac731a9bdf9794ac8aee341",
            "peer-heartbeat|12D3KooWabc||test-msg-1|2a26704839c1b03320f3164ba57027ae6792a849929c963ee8e5d73072f2445a",
            "chat|12D3KooWA|12D3KooWB|m5x0k2ab-9f1c0e0011223344|d31eba8b46b9919f5c638756a741094abcfe93296e0570794897364d8fd031bd",
            "ab|c|||6f7502ac643c60011737efbff86a5f927e706a7139edfc4a8dde82b6e7f4e6fa",
            "a|bc|||6f7502ac643c60011737efbff86a5f927e706a7139edfc4a8dde82b6e7f4e6fa"
    })
    void hashVectors(String type, String from, String to, String messageId, String expected) {
        P2PMessage m = P2PMessage.builder().type(type).from(from).to(to).messageId(messageId).timestamp(NOW).build();
        assertThat(protocol.computeMessageHash(m)).isEqualTo(expected);
        assertThat(P2PProtocol.messageHash(m)).isEqualTo(expected);
    }

    @Test
    void hashTreatsAbsentToAsEmptyAndIgnoresPayloadAndTimestamp() {
        P2PMessage m = P2PMessage.builder().type("t").from("f").messageId("m").build();
        String h = protocol.computeMessageHash(m);
        assertThat(protocol.computeMessageHash(m.withTo(""))).isEqualTo(h);
        assertThat(protocol.computeMessageHash(m.withTimestamp(9).withPayload(NullNode.getInstance()))).isEqualTo(h);
        assertThat(protocol.computeMessageHash(m.withTo("x"))).isNotEqualTo(h);
    }

    @Test
    void hashEncodesNonAsciiAndLoneSurrogatesLikeNode() {
        String expected = "99598564e82ec73d9d0da0dd5049ef649c72acbb3e41ee6d0d2acc4720597d49";
        P2PMessage m = P2PMessage.builder().type("ü✓").from("😀").messageId("\ud800").build();
        assertThat(protocol.computeMessageHash(m)).isEqualTo(expected);
        assertThat(protocol.computeMessageHash(m.toBuilder().messageId("\ufffd").build())).isEqualTo(expected);
    }

    @Test
    void secureRandomDefaultConstructorWorks() {
        P2PProtocol p = new P2PProtocol();
        assertThat(p.maxMessageBytes()).isEqualTo(1_048_576);
        assertThat(p.maxNestingDepth()).isEqualTo(64);
        assertThat(p.validateMessage(p.createHeartbeat("me"))).isTrue();
        assertThat(new P2PProtocol(Clock.systemUTC(), new SecureRandom(), 10, 2).clock()).isNotNull();
    }

    @Test
    void payloadJsonNodeIsUsedAsIs() throws Exception {
        JsonNode p = JSON.readTree("{\"b\":1,\"a\":2}");
        assertThat(protocol.createMessage("t", p, "f").payload()).isSameAs(p);
    }
}
