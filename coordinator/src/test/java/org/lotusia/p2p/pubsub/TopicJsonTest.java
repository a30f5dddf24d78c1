package org.lotusia.p2p.pubsub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.interop.JsInterop;
import org.lotusia.libp2p.interop.JsResult;
import org.lotusia.p2p.message.MessageFormatException;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TopicJson}: the reference publishes {@code utf8(JSON.stringify(object))}; the expectations
 * below follow the ECMAScript JSON.stringify rules, and one test checks them against Node's own
 * JSON.stringify when Node is installed.
 */
class TopicJsonTest {
    record Announcement(String type, String content, long timestamp) {
    }

    @Test
    void writesWhatJsonStringifyWritesForTheGuideExample() {
        Announcement a = new Announcement("announcement", "Hello, subscribers!", 1_764_000_000_123L);
        assertThat(TopicJson.stringify(a)).isEqualTo(
                "{\"type\":\"announcement\",\"content\":\"Hello, subscribers!\",\"timestamp\":1764000000123}");
        Map<String, Object> feed = new LinkedHashMap<>();
        feed.put("prices", List.of(100, 200, 300));
        feed.put("source", "my-node");
        assertThat(new String(TopicJson.encode(feed), StandardCharsets.UTF_8))
                .isEqualTo("{\"prices\":[100,200,300],\"source\":\"my-node\"}");
    }

    @Test
    void followsJavaScriptKeyOrderNumberFormattingAndEscaping() {
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("b", 1);
        keys.put("a", 2);
        keys.put("10", 3);
        keys.put("2", 4);
        keys.put("01", 5);
        assertThat(TopicJson.stringify(keys)).as("array-index keys first, ascending")
                .isEqualTo("{\"2\":4,\"10\":3,\"b\":1,\"a\":2,\"01\":5}");

        assertThat(TopicJson.stringify(List.of(1.0, 1e21, 1e-7, 0.000001, -0.0, 1.5e300, 123456789012345680000.0)))
                .isEqualTo("[1,1e+21,1e-7,0.000001,0,1.5e+300,123456789012345680000]");
        assertThat(TopicJson.stringify(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, null)))
                .isEqualTo("[null,null,null]");
        assertThat(TopicJson.stringify((1L << 53) + 1)).as("beyond 2^53 numbers are doubles in JS")
                .isEqualTo("9007199254740992");
        assertThat(TopicJson.stringify("q\"b\\n\nt\tc\u0007 é \u2028 😀"))
                .isEqualTo("\"q\\\"b\\\\n\\nt\\tc\\u0007 é \u2028 😀\"");
        assertThat(TopicJson.stringify("\ud800x")).as("lone surrogate escaped").isEqualTo("\"\\ud800x\"");
        assertThat(TopicJson.stringify(null)).isEqualTo("null");
        assertThat(TopicJson.stringify(true)).isEqualTo("true");
        assertThat(TopicJson.stringify(new byte[]{1, 2, 3})).as("byte[] as Jackson's base64 string")
                .isEqualTo("\"AQID\"");
    }

    @Test
    void parsesPayloadsBoundedAndRejectsNonJson() {
        assertThat(TopicJson.parse("{\"a\":[1,2]}".getBytes(StandardCharsets.UTF_8)).path("a").get(1).asInt())
                .isEqualTo(2);
        assertThat(TopicJson.parse("\"s\"".getBytes(StandardCharsets.UTF_8)).asText()).isEqualTo("s");
        assertThatThrownBy(() -> TopicJson.parse("not json".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> TopicJson.parse("{} {}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MessageFormatException.class);
        assertThatThrownBy(() -> TopicJson.parse(new byte[0])).isInstanceOf(MessageFormatException.class);
        byte[] deep = ("[".repeat(TopicJson.MAX_NESTING_DEPTH + 1) + "]".repeat(TopicJson.MAX_NESTING_DEPTH + 1))
                .getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> TopicJson.parse(deep)).isInstanceOf(MessageFormatException.class);
    }

    @Test
    void matchesNodesJsonStringify() throws Exception {
        JsInterop.assumeEnabled();
        ObjectMapper jackson = new ObjectMapper();
        List<Object> values = new ArrayList<>();
        Map<String, Object> mixed = new LinkedHashMap<>();
        mixed.put("z", 0.1 + 0.2);
        mixed.put("7", "seven");
        mixed.put("text", "ctl\u0001 \u2028 ü 😀 \"q\"");
        mixed.put("big", 1e21);
        mixed.put("small", 5e-7);
        mixed.put("nested", Map.of("list", List.of(1, 2.5, -3, true)));
        values.add(mixed);
        values.add(new Announcement("announcement", "Hello", 1_764_000_000_123L));
        values.add(List.of(123456789012345680000.0, 1.0e-6, 100, -0.5));
        values.add("plain string");
        // The reference's hash.mjs re-stringifies whole messages; wrap each value as a message payload.
        List<String> encoded = new ArrayList<>();
        for (Object value : values) {
            String message = "{\"type\":\"t\",\"from\":\"f\",\"payload\":" + jackson.writeValueAsString(value)
                    + ",\"messageId\":\"m\"}";
            encoded.add(Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8)));
        }
        String input = jackson.writeValueAsString(Map.of("messages", encoded));
        JsResult result = JsInterop.runWithInput(Duration.ofSeconds(30), input, "message/hash.mjs").assertSuccess();
        JsonNode results = result.json().path("results");
        for (int i = 0; i < values.size(); i++) {
            String js = results.get(i).path("json").asText();
            assertThat(js).as("JSON.stringify of value %d", i).isEqualTo(
                    "{\"type\":\"t\",\"from\":\"f\",\"payload\":" + TopicJson.stringify(values.get(i))
                            + ",\"messageId\":\"m\"}");
        }
    }
}
