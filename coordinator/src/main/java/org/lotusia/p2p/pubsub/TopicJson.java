package org.lotusia.p2p.pubsub;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import org.lotusia.p2p.message.MessageFormatException;
import org.lotusia.p2p.message.P2PMessage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The JSON encoding of published topic messages: the reference publishes
 * {@code utf8(JSON.stringify(object))}, so {@link #stringify} writes exactly what JavaScript's
 * {@code JSON.stringify} writes for the equivalent value (no whitespace, JavaScript key order and
 * number formatting, the same string escaping). Java values are first converted to JSON by Jackson
 * (maps, lists, records, beans, {@link JsonNode}s; {@code byte[]} becomes a base64 string).
 */
public final class TopicJson {
    /** Deepest nesting {@link #parse} accepts. */
    public static final int MAX_NESTING_DEPTH = 64;

    private static final ObjectMapper CONVERTER = new ObjectMapper();
    private static final ObjectMapper READER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(1000)
                    .build())
            .build()).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** {@link P2PMessage#toJson()} of a message holding only a payload starts with this. */
    private static final String PAYLOAD_PREFIX = "{\"payload\":";

    private TopicJson() {
    }

    /**
     * {@code JSON.stringify(value)} for the JSON equivalent of {@code value}; {@code null} gives
     * {@code "null"}.
     *
     * @throws MessageFormatException if Jackson cannot convert the value to JSON
     */
    public static String stringify(Object value) {
        JsonNode tree = toTree(value);
        // P2PMessage writes its payload with the project's JSON.stringify writer; reuse it.
        String wrapped = P2PMessage.builder().payload(tree).build().toJson();
        return wrapped.substring(PAYLOAD_PREFIX.length(), wrapped.length() - 1);
    }

    /** The UTF-8 bytes of {@link #stringify(Object)}: what {@code publishToTopic} sends. */
    public static byte[] encode(Object value) {
        return stringify(value).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a payload as UTF-8 JSON (any JSON value, nesting at most {@value #MAX_NESTING_DEPTH}).
     *
     * @throws MessageFormatException if it is not well-formed JSON
     */
    public static JsonNode parse(byte[] data) {
        try {
            JsonNode node = READER.readTree(data);
            if (node == null || node.isMissingNode()) {
                throw new MessageFormatException("empty payload is not JSON");
            }
            return node;
        } catch (IOException e) {
            throw new MessageFormatException("payload is not JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode toTree(Object value) {
        if (value == null) {
            return NullNode.instance;
        }
        if (value instanceof JsonNode node) {
            return node.isMissingNode() ? NullNode.instance : node;
        }
        try {
            JsonNode tree = CONVERTER.valueToTree(value);
            return tree == null ? NullNode.instance : tree;
        } catch (IllegalArgumentException e) {
            throw new MessageFormatException("value cannot be converted to JSON: " + e.getMessage(), e);
        }
    }
}
