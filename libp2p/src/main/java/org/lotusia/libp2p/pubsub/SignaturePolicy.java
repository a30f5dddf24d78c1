package org.lotusia.libp2p.pubsub;

/** How messages are authored and what received messages must carry (names as in the pubsub spec). */
public enum SignaturePolicy {
    /** Sign every published message; accept only messages with from, 8-byte seqno and a valid signature (js default). */
    STRICT_SIGN,
    /** Publish anonymous messages; accept only messages without from, seqno, signature and key. */
    STRICT_NO_SIGN
}
