package org.lotusia.p2p.message;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/**
 * Creates, encodes, decodes, validates and hashes {@link P2PMessage}s exactly like the reference's
 * stateless {@code P2PProtocol} ({@code lib/protocol.ts}), with bounded decoding. Thread-safe.
 *
 * <p>Differences from the reference, all stricter: {@link #deserialize} rejects input larger than
 * {@link #maxMessageBytes()} or nested deeper than {@link #maxNestingDepth()}, input that is not a
 * JSON object, invalid UTF-8, and fields of the wrong JSON type (string fields must be strings,
 * {@code timestamp} an integral number); unknown top-level fields are dropped.
 */
public final class P2PProtocol {
    /** Largest encoded message {@link #deserialize} accepts by default, and {@link #validateMessageSize} default: 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
    /** Deepest JSON nesting {@link #deserialize} accepts by default. */
    public static final int DEFAULT_MAX_NESTING_DEPTH = 64;
    /** Largest accepted difference between a message's timestamp and now, either way: 5 minutes. */
    public static final long MAX_MESSAGE_AGE_MILLIS = 300_000;
    /** The HMAC key of {@link #computeMessageHash}. */
    public static final String MESSAGE_HASH_KEY = "lotus-lib-p2p-message-hash-key";

    /** Message type of {@link #createHandshake}. */
    public static final String TYPE_HANDSHAKE = "peer-handshake";
    /** Message type of {@link #createHeartbeat}. */
    public static final String TYPE_HEARTBEAT = "peer-heartbeat";
    /** Message type of {@link #createDisconnect}. */
    public static final String TYPE_DISCONNECT = "peer-disconnect";
    /** Message type of {@link #createError}. */
    public static final String TYPE_ERROR = "error";

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final ObjectMapper CONVERTER = new ObjectMapper();

    private final Clock clock;
    private final Random random;
    private final int maxMessageBytes;
    private final int maxNestingDepth;
    private final ObjectMapper reader;

    /** A protocol with the system clock, a SecureRandom and the default limits. */
    public P2PProtocol() {
        this(Clock.systemUTC(), new SecureRandom(), DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_NESTING_DEPTH);
    }

    /**
     * A protocol with explicit time source, randomness for message ids, and decoding limits.
     *
     * @param clock           time source for timestamps, message ids and {@link #validateMessage}
     * @param random          source of the 8 random bytes in each message id (use a SecureRandom in production)
     * @param maxMessageBytes largest input {@link #deserialize} accepts (≥ 2)
     * @param maxNestingDepth deepest JSON nesting {@link #deserialize} accepts (≥ 1)
     */
    public P2PProtocol(Clock clock, Random random, int maxMessageBytes, int maxNestingDepth) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        if (maxMessageBytes < 2) {
            throw new IllegalArgumentException("maxMessageBytes must be at least 2, was " + maxMessageBytes);
        }
        if (maxNestingDepth < 1) {
            throw new IllegalArgumentException("maxNestingDepth must be at least 1, was " + maxNestingDepth);
        }
        this.maxMessageBytes = maxMessageBytes;
        this.maxNestingDepth = maxNestingDepth;
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        .maxStringLength(maxMessageBytes)
                        .maxNumberLength(1000)
                        .maxDocumentLength(maxMessageBytes)
                        .build())
                .build();
        this.reader = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The clock this protocol uses. */
    public Clock clock() {
        return clock;
    }

    /** Largest input {@link #deserialize} accepts. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Deepest nesting {@link #deserialize} accepts. */
    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /**
     * Creates a message like the reference's {@code createMessage}: timestamp = now, a fresh message
     * id, and {@code to}, {@code protocol}, {@code signature} from {@code options}.
     *
     * @param type    message type
     * @param payload any value Jackson can convert to JSON ({@link JsonNode}s are used as they are);
     *                null means no payload (omitted, like {@code undefined})
     * @param from    sender peer id string
     * @param options optional fields (null: none)
     * @throws MessageFormatException if Jackson cannot convert {@code payload}
     */
    public P2PMessage createMessage(String type, Object payload, String from, MessageOptions options) {
        MessageOptions o = options == null ? MessageOptions.none() : options;
        long now = clock.millis();
        return P2PMessage.builder()
                .type(type)
                .from(from)
                .to(o.to())
                .payload(toJson(payload))
                .timestamp(now)
                .messageId(generateMessageId(now))
                .signature(o.signature())
                .protocol(o.protocol())
                .build();
    }

    /** {@link #createMessage(String, Object, String, MessageOptions)} without options. */
    public P2PMessage createMessage(String type, Object payload, String from) {
        return createMessage(type, payload, from, MessageOptions.none());
    }

    /**
     * A message id in the reference format: {@code Date.now().toString(36)}, {@code -}, then 16
     * lowercase hex digits of 8 random bytes (e.g. {@code m5x0k2ab-9f1c0e...}).
     */
    public String generateMessageId() {
        return generateMessageId(clock.millis());
    }

    private String generateMessageId(long now) {
        byte[] bytes = new byte[8];
        synchronized (random) {
            random.nextBytes(bytes);
        }
        return Long.toString(now, 36) + "-" + hex(bytes);
    }

    /** The UTF-8 bytes of {@link P2PMessage#toJson()}, byte-identical to the reference's {@code serialize}. */
    public byte[] serialize(P2PMessage message) {
        return utf8(message.toJson());
    }

    /**
     * Decodes a message (the reference's {@code deserialize}, bounded and type-checked). Absent
     * fields stay absent; string fields and {@code timestamp} given as JSON {@code null} are treated
     * as absent. No semantic validation: call {@link #validate} next.
     *
     * @throws MessageFormatException if the input is too large, too deep, not UTF-8 JSON, not an
     *                                object, or a field has the wrong type
     */
    public P2PMessage deserialize(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length > maxMessageBytes) {
            throw new MessageFormatException("message is " + bytes.length + " bytes, more than the limit of "
                    + maxMessageBytes);
        }
        JsonNode root;
        try {
            root = reader.readTree(bytes);
        } catch (StreamConstraintsException e) {
            throw new MessageFormatException("message exceeds a decoding limit: " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new MessageFormatException("message is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new MessageFormatException("message could not be decoded: " + e, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new MessageFormatException("message is empty");
        }
        if (!root.isObject()) {
            throw new MessageFormatException("message must be a JSON object, was " + root.getNodeType());
        }
        P2PMessage.Builder b = P2PMessage.builder()
                .type(string(root, "type"))
                .from(string(root, "from"))
                .to(string(root, "to"))
                .messageId(string(root, "messageId"))
                .protocol(string(root, "protocol"));
        JsonNode payload = root.get("payload");
        if (payload != null) {
            b.payload(payload);
        }
        JsonNode signature = root.get("signature");
        if (signature != null) {
            b.signature(signature);
        }
        JsonNode ts = root.get("timestamp");
        if (ts != null && !ts.isNull()) {
            if (!ts.isNumber()) {
                throw new MessageFormatException("message field 'timestamp' must be a number, was " + ts.getNodeType());
            }
            if (ts.isIntegralNumber()) {
                if (!ts.canConvertToLong()) {
                    throw new MessageFormatException("message field 'timestamp' is out of range");
                }
                b.timestamp(ts.longValue());
            } else {
                double d = ts.doubleValue();
                if (d != Math.rint(d) || Double.isInfinite(d) || Math.abs(d) > 9.007199254740992E15) {
                    throw new MessageFormatException("message field 'timestamp' must be an integral number of ms, was " + ts);
                }
                b.timestamp((long) d);
            }
        }
        return b.build();
    }

    private static String string(JsonNode root, String field) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new MessageFormatException("message field '" + field + "' must be a string, was " + v.getNodeType());
        }
        return v.textValue();
    }

    /**
     * Checks a message like the reference's {@code validateMessage} and says why it fails:
     * non-empty {@code type}, {@code from}, {@code messageId}; a non-zero {@code timestamp} at most
     * {@link #MAX_MESSAGE_AGE_MILLIS} away from {@code clock}'s now. Payload, to, protocol and
     * signature are not checked, and {@code from} is not compared with the authenticated peer.
     */
    public ValidationResult validate(P2PMessage message, Clock clock) {
        Objects.requireNonNull(message, "message");
        if (message.type() == null || message.type().isEmpty()) {
            return ValidationResult.invalid(ValidationResult.Reason.MISSING_TYPE, "type is missing or empty");
        }
        if (message.from() == null || message.from().isEmpty()) {
            return ValidationResult.invalid(ValidationResult.Reason.MISSING_FROM, "from is missing or empty");
        }
        if (message.messageId() == null || message.messageId().isEmpty()) {
            return ValidationResult.invalid(ValidationResult.Reason.MISSING_MESSAGE_ID, "messageId is missing or empty");
        }
        if (message.timestamp().isEmpty() || message.timestamp().getAsLong() == 0) {
            return ValidationResult.invalid(ValidationResult.Reason.BAD_TIMESTAMP, "timestamp is missing or zero");
        }
        long ts = message.timestamp().getAsLong();
        long now = clock.millis();
        // Compare without overflow: |now - ts| > MAX
        if (ts < now - MAX_MESSAGE_AGE_MILLIS || ts > now + MAX_MESSAGE_AGE_MILLIS) {
            return ValidationResult.invalid(ValidationResult.Reason.OUTSIDE_TIME_WINDOW,
                    "timestamp " + ts + " is more than " + MAX_MESSAGE_AGE_MILLIS + " ms from now (" + now + ")");
        }
        return ValidationResult.ok();
    }

    /** {@link #validate(P2PMessage, Clock)} with this protocol's clock, as a boolean (the reference's {@code validateMessage}). */
    public boolean validateMessage(P2PMessage message) {
        return validate(message, clock).isValid();
    }

    /** Whether the serialized message is at most {@code maxBytes} bytes (the reference's {@code validateMessageSize}). */
    public boolean validateMessageSize(P2PMessage message, int maxBytes) {
        return serialize(message).length <= maxBytes;
    }

    /** {@link #validateMessageSize(P2PMessage, int)} with the reference's default of 1 MiB. */
    public boolean validateMessageSize(P2PMessage message) {
        return validateMessageSize(message, DEFAULT_MAX_MESSAGE_BYTES);
    }

    /**
     * The reference's dedup key: lowercase hex of HMAC-SHA256 keyed with ASCII
     * {@value #MESSAGE_HASH_KEY} over utf8(type) ‖ utf8(from) ‖ utf8(to or "") ‖ utf8(messageId),
     * with no separators (absent type/from/messageId count as ""; lone surrogates encode as U+FFFD,
     * like Node's Buffer). Payload and timestamp are not covered. Static in effect: uses no state.
     */
    public String computeMessageHash(P2PMessage message) {
        return messageHash(message);
    }

    /** Static form of {@link #computeMessageHash}. */
    public static String messageHash(P2PMessage message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(MESSAGE_HASH_KEY.getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
            mac.update(utf8(nullToEmpty(message.type())));
            mac.update(utf8(nullToEmpty(message.from())));
            mac.update(utf8(nullToEmpty(message.to())));
            mac.update(utf8(nullToEmpty(message.messageId())));
            return hex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** A {@code peer-handshake} message with payload {@code {peerId, timestamp, metadata?}}. */
    public P2PMessage createHandshake(String peerId, Map<String, ?> metadata) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("peerId", peerId);
        p.put("timestamp", clock.millis());
        if (metadata != null) {
            p.set("metadata", toJson(metadata));
        }
        return createMessage(TYPE_HANDSHAKE, p, peerId);
    }

    /** A {@code peer-heartbeat} message with payload {@code {timestamp}}. */
    public P2PMessage createHeartbeat(String peerId) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("timestamp", clock.millis());
        return createMessage(TYPE_HEARTBEAT, p, peerId);
    }

    /** A {@code peer-disconnect} message with payload {@code {reason?, timestamp}}. */
    public P2PMessage createDisconnect(String peerId, String reason) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        if (reason != null) {
            p.put("reason", reason);
        }
        p.put("timestamp", clock.millis());
        return createMessage(TYPE_DISCONNECT, p, peerId);
    }

    /** An {@code error} message with payload {@code {error, context?, timestamp}}. */
    public P2PMessage createError(String peerId, String error, Object context) {
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("error", error);
        if (context != null) {
            p.set("context", toJson(context));
        }
        p.put("timestamp", clock.millis());
        return createMessage(TYPE_ERROR, p, peerId);
    }

    private static JsonNode toJson(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        try {
            return CONVERTER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new MessageFormatException("payload cannot be converted to JSON: " + e.getMessage(), e);
        }
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    /** UTF-8 like Node's Buffer.from(string): lone surrogates become U+FFFD (EF BF BD). */
    static byte[] utf8(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                out.write(c);
            } else if (c < 0x800) {
                out.write(0xC0 | (c >> 6));
                out.write(0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.write(0xF0 | (cp >> 18));
                out.write(0x80 | ((cp >> 12) & 0x3F));
                out.write(0x80 | ((cp >> 6) & 0x3F));
                out.write(0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                out.write(0xEF);
                out.write(0xBF);
                out.write(0xBD);
            } else {
                out.write(0xE0 | (c >> 12));
                out.write(0x80 | ((c >> 6) & 0x3F));
                out.write(0x80 | (c & 0x3F));
            }
        }
        return out.toByteArray();
    }

    static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }
}
