package org.lotusia.p2p.message;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * One Lotus P2P message, as the reference's {@code P2PMessage} ({@code types.ts}). Immutable.
 *
 * <p>Every field may be absent ({@code null}, or {@link OptionalLong#empty()} for the timestamp),
 * because received messages are not schema-checked before {@link P2PProtocol#validate}; absent
 * fields are omitted from the JSON exactly as {@code JSON.stringify} omits {@code undefined}. A
 * JSON {@code null} payload is kept as a {@link com.fasterxml.jackson.databind.node.NullNode},
 * which is different from an absent payload. {@link #toJson()} writes the fields in the reference's
 * order: {@code type, from, to, payload, timestamp, messageId, signature, protocol}.
 *
 * <p>{@code payload} and {@code signature} are Jackson trees; do not mutate them after building a
 * message (they are not copied).
 */
public final class P2PMessage {
    private final String type;
    private final String from;
    private final String to;
    private final JsonNode payload;
    private final Long timestamp;
    private final String messageId;
    private final JsonNode signature;
    private final String protocol;

    private P2PMessage(Builder b) {
        this.type = b.type;
        this.from = b.from;
        this.to = b.to;
        this.payload = b.payload;
        this.timestamp = b.timestamp;
        this.messageId = b.messageId;
        this.signature = b.signature;
        this.protocol = b.protocol;
    }

    /** Starts an empty message (every field absent). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised with this message's fields. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.type = type;
        b.from = from;
        b.to = to;
        b.payload = payload;
        b.timestamp = timestamp;
        b.messageId = messageId;
        b.signature = signature;
        b.protocol = protocol;
        return b;
    }

    /** The message type, or null when absent. */
    public String type() {
        return type;
    }

    /** The sender's peer id as claimed by the sender (not authenticated), or null. */
    public String from() {
        return from;
    }

    /** The intended recipient's peer id, or null. */
    public String to() {
        return to;
    }

    /** The payload (any JSON), or null when absent. */
    public JsonNode payload() {
        return payload;
    }

    /** Milliseconds since the epoch, when present. */
    public OptionalLong timestamp() {
        return timestamp == null ? OptionalLong.empty() : OptionalLong.of(timestamp);
    }

    /** The message id, or null. */
    public String messageId() {
        return messageId;
    }

    /** The signature as opaque JSON (never produced or checked by the core), or null. */
    public JsonNode signature() {
        return signature;
    }

    /** The name of the protocol handler this message is for, or null. */
    public String protocol() {
        return protocol;
    }

    /** A copy with {@code to} replaced (null removes it). */
    public P2PMessage withTo(String to) {
        return toBuilder().to(to).build();
    }

    /** A copy with {@code protocol} replaced (null removes it). */
    public P2PMessage withProtocol(String protocol) {
        return toBuilder().protocol(protocol).build();
    }

    /** A copy with {@code signature} replaced (null removes it). */
    public P2PMessage withSignature(JsonNode signature) {
        return toBuilder().signature(signature).build();
    }

    /** A copy with {@code payload} replaced (null removes it). */
    public P2PMessage withPayload(JsonNode payload) {
        return toBuilder().payload(payload).build();
    }

    /** A copy with {@code timestamp} replaced. */
    public P2PMessage withTimestamp(long timestamp) {
        return toBuilder().timestamp(timestamp).build();
    }

    /**
     * The JSON text, byte-identical to the reference's {@code JSON.stringify(message)} (field order,
     * omitted absent fields, string escaping, number formatting).
     */
    public String toJson() {
        StringBuilder out = new StringBuilder(128);
        out.append('{');
        boolean[] first = {true};
        stringField(out, first, "type", type);
        stringField(out, first, "from", from);
        stringField(out, first, "to", to);
        if (payload != null && !payload.isMissingNode()) {
            key(out, first, "payload");
            JsJson.write(out, payload);
        }
        if (timestamp != null) {
            key(out, first, "timestamp");
            out.append(JsJson.jsNumber(timestamp.doubleValue()));
        }
        stringField(out, first, "messageId", messageId);
        if (signature != null && !signature.isMissingNode()) {
            key(out, first, "signature");
            JsJson.write(out, signature);
        }
        stringField(out, first, "protocol", protocol);
        out.append('}');
        return out.toString();
    }

    private static void stringField(StringBuilder out, boolean[] first, String name, String value) {
        if (value != null) {
            key(out, first, name);
            JsJson.writeString(out, value);
        }
    }

    private static void key(StringBuilder out, boolean[] first, String name) {
        if (!first[0]) {
            out.append(',');
        }
        first[0] = false;
        out.append('"').append(name).append("\":");
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof P2PMessage m)) {
            return false;
        }
        return Objects.equals(type, m.type) && Objects.equals(from, m.from) && Objects.equals(to, m.to)
                && Objects.equals(payload, m.payload) && Objects.equals(timestamp, m.timestamp)
                && Objects.equals(messageId, m.messageId) && Objects.equals(signature, m.signature)
                && Objects.equals(protocol, m.protocol);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, from, to, payload, timestamp, messageId, signature, protocol);
    }

    @Override
    public String toString() {
        String json = toJson();
        return "P2PMessage" + (json.length() > 512 ? json.substring(0, 512) + "…" : json);
    }

    /** Builds a {@link P2PMessage}; every field starts absent. Not thread-safe. */
    public static final class Builder {
        private String type;
        private String from;
        private String to;
        private JsonNode payload;
        private Long timestamp;
        private String messageId;
        private JsonNode signature;
        private String protocol;

        private Builder() {
        }

        /** Sets the type (null: absent). */
        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /** Sets the sender peer id string (null: absent). */
        public Builder from(String from) {
            this.from = from;
            return this;
        }

        /** Sets the recipient peer id string (null: absent). */
        public Builder to(String to) {
            this.to = to;
            return this;
        }

        /** Sets the payload (null: absent; use NullNode for JSON null). */
        public Builder payload(JsonNode payload) {
            this.payload = payload;
            return this;
        }

        /** Sets the timestamp in ms since the epoch. */
        public Builder timestamp(long timestamp) {
            this.timestamp = timestamp;
            return this;
        }

        /** Removes the timestamp. */
        public Builder noTimestamp() {
            this.timestamp = null;
            return this;
        }

        /** Sets the message id (null: absent). */
        public Builder messageId(String messageId) {
            this.messageId = messageId;
            return this;
        }

        /** Sets the opaque signature JSON (null: absent). */
        public Builder signature(JsonNode signature) {
            this.signature = signature;
            return this;
        }

        /** Sets the handler protocol name (null: absent). */
        public Builder protocol(String protocol) {
            this.protocol = protocol;
            return this;
        }

        /** Creates the message. */
        public P2PMessage build() {
            return new P2PMessage(this);
        }
    }
}
