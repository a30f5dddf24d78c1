package org.lotusia.p2p.message;

import java.time.Duration;

/**
 * Constants of direct messages on {@value #PROTOCOL_ID}: one message per stream, the raw UTF-8
 * JSON with no length prefix; the sender writes it and half-closes, the receiver reads to EOF and
 * never writes back.
 */
public final class DirectMessaging {
    /** The direct-message protocol id. */
    public static final String PROTOCOL_ID = "/lotus/message/1.0.0";
    /** Largest message a receiver accepts, as the reference's hard-coded 100 000 bytes. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 100_000;
    /** How long a receiver waits for the whole message (until the sender's FIN). */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
    /** Concurrent inbound message streams allowed per connection (js-libp2p's default of 32). */
    public static final int DEFAULT_MAX_INBOUND_STREAMS = 32;

    private DirectMessaging() {
    }
}
