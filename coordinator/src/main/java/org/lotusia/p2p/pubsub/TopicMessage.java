package org.lotusia.p2p.pubsub;

import com.fasterxml.jackson.databind.JsonNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.message.MessageFormatException;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * A message received on a subscribed topic, as {@link TopicHandler}s see it. Immutable.
 *
 * <p>{@link #from()} is the author: the message's signed {@code from} field (GossipSub StrictSign,
 * the default, verified by the router), or the peer that forwarded it when the message carries no
 * author (StrictNoSign). {@link #messageId()} is the GossipSub message id as js-libp2p prints it
 * (unpadded base64 of the id bytes), the same on every node.
 */
public final class TopicMessage {
    private final String topic;
    private final PeerId from;
    private final PeerId receivedFrom;
    private final byte[] data;
    private final String messageId;
    private volatile JsonNode json;

    /**
     * @param topic        the topic
     * @param from         the author (or the forwarding peer for unsigned messages)
     * @param receivedFrom the peer that forwarded the message to us, or null if unknown
     * @param data         the payload (copied)
     * @param messageId    the message id string
     */
    public TopicMessage(String topic, PeerId from, PeerId receivedFrom, byte[] data, String messageId) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.from = Objects.requireNonNull(from, "from");
        this.receivedFrom = receivedFrom;
        this.data = Objects.requireNonNull(data, "data").clone();
        this.messageId = Objects.requireNonNull(messageId, "messageId");
    }

    /** The message id string for id bytes: unpadded base64, as js-libp2p's {@code msgIdToStrFn}. */
    public static String messageIdString(byte[] id) {
        return Base64.getEncoder().withoutPadding().encodeToString(id);
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    /** The author (see the class description). */
    public PeerId from() {
        return from;
    }

    /** The peer that forwarded the message to us (the author itself when it is a direct neighbour). */
    public Optional<PeerId> receivedFrom() {
        return Optional.ofNullable(receivedFrom);
    }

    /** A copy of the payload bytes. */
    public byte[] data() {
        return data.clone();
    }

    /** The payload size in bytes. */
    public int size() {
        return data.length;
    }

    /** The payload as UTF-8 text (malformed sequences replaced). */
    public String text() {
        return new String(data, StandardCharsets.UTF_8);
    }

    /**
     * The payload parsed as JSON: what {@code publishToTopic(topic, object)} (and the reference)
     * sends. Parsed once, on first use; do not modify the returned tree.
     *
     * @throws MessageFormatException if the payload is not JSON
     */
    public JsonNode json() {
        JsonNode parsed = json;
        if (parsed == null) {
            parsed = TopicJson.parse(data);
            json = parsed;
        }
        return parsed;
    }

    /** {@link #json()}, or empty when the payload is not JSON. */
    public Optional<JsonNode> jsonIfValid() {
        try {
            return Optional.of(json());
        } catch (MessageFormatException e) {
            return Optional.empty();
        }
    }

    /** The GossipSub message id (see the class description). */
    public String messageId() {
        return messageId;
    }

    @Override
    public String toString() {
        return "TopicMessage[topic=" + topic + ", from=" + from + ", " + data.length + " bytes, id=" + messageId + "]";
    }
}
