package org.lotusia.p2p.dht;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Filters on a record's {@code data}: every entry {@code field → expected} must equal the top-level
 * field of {@code data} (the reference's shallow strict equality; numbers compare by value, so
 * {@code 1} equals {@code 1.0} as in JavaScript). Unlike the reference, a record whose {@code data}
 * is not an object matches only the empty filter.
 */
public final class ResourceFilter {
    private static final ResourceFilter NONE = new ResourceFilter(Map.of());

    private final Map<String, JsonNode> expected;

    private ResourceFilter(Map<String, JsonNode> expected) {
        this.expected = Collections.unmodifiableMap(new LinkedHashMap<>(expected));
    }

    /** Matches everything. */
    public static ResourceFilter none() {
        return NONE;
    }

    /** Fields and their expected JSON values. */
    public static ResourceFilter ofJson(Map<String, JsonNode> expected) {
        Objects.requireNonNull(expected, "expected");
        expected.forEach((k, v) -> {
            Objects.requireNonNull(k, "field");
            Objects.requireNonNull(v, "value of " + k);
        });
        return expected.isEmpty() ? NONE : new ResourceFilter(expected);
    }

    /** Fields and their expected values (anything Jackson converts to JSON: strings, numbers, booleans, maps, …). */
    public static ResourceFilter of(Map<String, ?> expected) {
        Objects.requireNonNull(expected, "expected");
        Map<String, JsonNode> json = new LinkedHashMap<>();
        expected.forEach((k, v) -> json.put(k, ResourceRecord.MAPPER.valueToTree(v)));
        return ofJson(json);
    }

    /** The filter of a JSON object ({@code null} or JSON null: none). */
    public static ResourceFilter fromJson(JsonNode object) {
        if (object == null || object.isNull()) {
            return NONE;
        }
        if (!object.isObject()) {
            throw new IllegalArgumentException("filters must be a JSON object");
        }
        Map<String, JsonNode> json = new LinkedHashMap<>();
        object.fields().forEachRemaining(e -> json.put(e.getKey(), e.getValue()));
        return ofJson(json);
    }

    /** The expected values. */
    public Map<String, JsonNode> expected() {
        return expected;
    }

    /** Whether {@code data} matches. */
    public boolean matches(JsonNode data) {
        if (expected.isEmpty()) {
            return true;
        }
        if (data == null || !data.isObject()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : expected.entrySet()) {
            if (!sameValue(data.get(e.getKey()), e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code record}'s data matches. */
    public boolean matches(ResourceRecord record) {
        return matches(record.dataView());
    }

    private static boolean sameValue(JsonNode actual, JsonNode wanted) {
        if (actual == null) {
            return false;
        }
        if (actual.isNumber() && wanted.isNumber()) {
            return actual.decimalValue().compareTo(wanted.decimalValue()) == 0;
        }
        return actual.equals(wanted);
    }

    @Override
    public String toString() {
        return expected.toString();
    }
}
