package org.lotusia.libp2p.pubsub;

/** What an application validator decided about a received message. */
public enum ValidationResult {
    /** Deliver locally and forward. */
    ACCEPT,
    /** Drop and penalise the peer that sent it. */
    REJECT,
    /** Drop silently. */
    IGNORE
}
