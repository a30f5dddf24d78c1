package org.lotusia.p2p.message;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The optional fields of {@link P2PProtocol#createMessage}: {@code {to?, protocol?, signature?}}.
 * Any component may be null (absent).
 *
 * @param to        recipient peer id string
 * @param protocol  handler protocol name the receiver routes on
 * @param signature opaque signature JSON, passed through unchecked
 */
public record MessageOptions(String to, String protocol, JsonNode signature) {
    private static final MessageOptions NONE = new MessageOptions(null, null, null);

    /** No options. */
    public static MessageOptions none() {
        return NONE;
    }

    /** Only {@code to}. */
    public static MessageOptions to(String to) {
        return new MessageOptions(to, null, null);
    }

    /** Only {@code protocol}. */
    public static MessageOptions protocol(String protocol) {
        return new MessageOptions(null, protocol, null);
    }

    /** A copy with {@code to} set. */
    public MessageOptions withTo(String to) {
        return new MessageOptions(to, protocol, signature);
    }

    /** A copy with {@code protocol} set. */
    public MessageOptions withProtocol(String protocol) {
        return new MessageOptions(to, protocol, signature);
    }

    /** A copy with {@code signature} set. */
    public MessageOptions withSignature(JsonNode signature) {
        return new MessageOptions(to, protocol, signature);
    }
}
