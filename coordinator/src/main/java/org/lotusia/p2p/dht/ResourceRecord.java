package org.lotusia.p2p.dht;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.core.JsonFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A DHT resource record (reference {@code ResourceAnnouncement}, §3.5), stored under the key
 * {@code resource:<resourceType>:<resourceId>} as the UTF-8 JSON
 * <pre>{"resourceId":…,"resourceType":…,"creatorPeerId":…,"data":…,"createdAt":ms[,"expiresAt":ms][,"signature":hex]}</pre>
 * in exactly the reference's field order. {@code signature} is this implementation's optional
 * addition ({@link SignedResourceRecords}); reference nodes ignore it.
 *
 * @param resourceId    the id within the type
 * @param resourceType  the type
 * @param creatorPeerId the announcing peer (as text, like the reference)
 * @param data          the payload (JSON null when absent)
 * @param createdAt     creation time, milliseconds since the epoch
 * @param expiresAt     expiry time in milliseconds since the epoch, if any
 * @param signature     the creator's signature ({@link SignedResourceRecords}), if signed
 */
public record ResourceRecord(String resourceId, String resourceType, String creatorPeerId, JsonNode data,
                             long createdAt, Optional<Long> expiresAt, Optional<byte[]> signature) {
    /** Key prefix of resource records. */
    public static final String KEY_PREFIX = "resource:";
    /** Deepest JSON nesting accepted in a record from the network. */
    public static final int MAX_NESTING_DEPTH = 64;

    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                    .build())
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** Validates. */
    public ResourceRecord {
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(creatorPeerId, "creatorPeerId");
        // Deep copies keep the record immutable although JsonNode is not.
        data = data == null ? NullNode.instance : data.deepCopy();
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(signature, "signature");
    }

    /**
     * A value as record {@code data}: a {@link JsonNode} as is, anything else converted by Jackson
     * ({@code null} → JSON null).
     *
     * @throws IllegalArgumentException if Jackson cannot convert it
     */
    public static JsonNode jsonOf(Object data) {
        if (data == null) {
            return NullNode.instance;
        }
        if (data instanceof JsonNode node) {
            return node;
        }
        return MAPPER.valueToTree(data);
    }

    /** The DHT key text {@code resource:<type>:<id>}. */
    public static String keyOf(String resourceType, String resourceId) {
        return KEY_PREFIX + resourceType + ":" + resourceId;
    }

    /** The payload (a copy: changing it does not change the record). */
    @Override
    public JsonNode data() {
        return data.deepCopy();
    }

    /** The payload itself, for read-only use inside this package. */
    JsonNode dataView() {
        return data;
    }

    /** This record's DHT key text. */
    public String key() {
        return keyOf(resourceType, resourceId);
    }

    /** This record's DHT key bytes (UTF-8 of {@link #key()}). */
    public byte[] keyBytes() {
        return key().getBytes(StandardCharsets.UTF_8);
    }

    /** Creation time. */
    public Instant createdAtInstant() {
        return Instant.ofEpochMilli(createdAt);
    }

    /** Expiry time, if any. */
    public Optional<Instant> expiresAtInstant() {
        return expiresAt.map(Instant::ofEpochMilli);
    }

    /** Whether the record has expired at {@code nowMillis} (the reference's {@code expiresAt > now} test). */
    public boolean isExpired(long nowMillis) {
        return expiresAt.isPresent() && expiresAt.get() <= nowMillis;
    }

    /** Whether it carries a signature. */
    public boolean isSigned() {
        return signature.isPresent();
    }

    /** The same record with {@code value} as signature. */
    public ResourceRecord withSignature(byte[] value) {
        return new ResourceRecord(resourceId, resourceType, creatorPeerId, data, createdAt, expiresAt,
                Optional.of(value.clone()));
    }

    /** The same record without signature. */
    public ResourceRecord unsigned() {
        return new ResourceRecord(resourceId, resourceType, creatorPeerId, data, createdAt, expiresAt, Optional.empty());
    }

    /** The record as a JSON object, fields in the reference order. */
    public ObjectNode toJson() {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("resourceId", resourceId);
        node.put("resourceType", resourceType);
        node.put("creatorPeerId", creatorPeerId);
        node.set("data", data.deepCopy());
        node.put("createdAt", createdAt);
        expiresAt.ifPresent(e -> node.put("expiresAt", e));
        signature.ifPresent(s -> node.put("signature", HexFormat.of().formatHex(s)));
        return node;
    }

    /** The stored value: UTF-8 JSON of {@link #toJson()}. */
    public byte[] toBytes() {
        try {
            return MAPPER.writeValueAsBytes(toJson());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a resource record", e);
        }
    }

    /** The bytes a signature covers: the record without its signature, serialised as stored. */
    public byte[] signedBytes() {
        return unsigned().toBytes();
    }

    /**
     * Parses a stored value (at most {@code maxBytes} bytes).
     *
     * @throws InvalidResourceRecordException when it is too large, not JSON, or lacks or mistypes a field
     */
    public static ResourceRecord parse(byte[] value, int maxBytes) {
        if (value.length > maxBytes) {
            throw new InvalidResourceRecordException("record of " + value.length + " bytes exceeds " + maxBytes);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(value);
        } catch (Exception e) {
            throw new InvalidResourceRecordException("record is not JSON: " + e.getMessage());
        }
        return fromJson(root);
    }

    /**
     * Reads a record from its JSON object.
     *
     * @throws InvalidResourceRecordException when a field is missing or has the wrong type
     */
    public static ResourceRecord fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new InvalidResourceRecordException("record is not a JSON object");
        }
        String id = requiredText(root, "resourceId");
        String type = requiredText(root, "resourceType");
        String creator = requiredText(root, "creatorPeerId");
        long createdAt = requiredMillis(root, "createdAt");
        JsonNode expires = root.get("expiresAt");
        Optional<Long> expiresAt = expires == null || expires.isNull()
                ? Optional.empty() : Optional.of(requiredMillis(root, "expiresAt"));
        JsonNode sig = root.get("signature");
        Optional<byte[]> signature = Optional.empty();
        if (sig != null && !sig.isNull()) {
            if (!sig.isTextual() || sig.asText().length() > 1024) {
                throw new InvalidResourceRecordException("signature must be a hex string");
            }
            try {
                signature = Optional.of(HexFormat.of().parseHex(sig.asText()));
            } catch (IllegalArgumentException e) {
                throw new InvalidResourceRecordException("signature must be a hex string");
            }
        }
        return new ResourceRecord(id, type, creator, root.get("data"), createdAt, expiresAt, signature);
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isTextual()) {
            throw new InvalidResourceRecordException("record field " + field + " must be a string");
        }
        return value.asText();
    }

    private static long requiredMillis(JsonNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || !value.isNumber() || !value.canConvertToLong()) {
            throw new InvalidResourceRecordException("record field " + field + " must be a number of milliseconds");
        }
        double asDouble = value.asDouble();
        if (value.isFloatingPointNumber() && asDouble != Math.rint(asDouble)) {
            throw new InvalidResourceRecordException("record field " + field + " must be whole milliseconds");
        }
        return value.asLong();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourceRecord r && createdAt == r.createdAt && resourceId.equals(r.resourceId)
                && resourceType.equals(r.resourceType) && creatorPeerId.equals(r.creatorPeerId) && data.equals(r.data)
                && expiresAt.equals(r.expiresAt) && signature.map(HexFormat.of()::formatHex)
                .equals(r.signature.map(HexFormat.of()::formatHex));
    }

    @Override
    public int hashCode() {
        return Objects.hash(resourceId, resourceType, creatorPeerId, createdAt);
    }

    @Override
    public String toString() {
        return key() + " by " + creatorPeerId + (isSigned() ? " (signed)" : "");
    }
}
