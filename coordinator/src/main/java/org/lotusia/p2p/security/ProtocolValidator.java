package org.lotusia.p2p.security;

import org.lotusia.libp2p.crypto.PeerId;

/**
 * Protocol-specific checks plugged into {@link CoreSecurityManager} (reference {@code IProtocolValidator}).
 * Every method defaults to {@code true} (accept). Implementations must be thread-safe and fast; they run on
 * the caller's thread. A method that throws is treated as {@code false} (reject) and logged, but does not
 * earn the peer a warning.
 */
public interface ProtocolValidator {

    /**
     * Validates the content of a DHT resource announcement. A {@code false} verdict rejects the announcement
     * and warns the peer ({@code invalid-dht-announcement}).
     *
     * @param resourceType the resource type being announced
     * @param resourceId the resource id
     * @param data the announced payload (as decoded by the caller; may be null)
     * @param peer the announcing peer
     * @return whether the announcement is acceptable
     */
    default boolean validateResourceAnnouncement(String resourceType, String resourceId, Object data, PeerId peer) {
        return true;
    }

    /**
     * Validates an incoming message of this validator's protocol.
     *
     * @param message the message; the coordinator passes an {@code org.lotusia.p2p.message.P2PMessage} (typed
     *     as {@code Object} here so this package does not depend on the message package)
     * @param from the authenticated sender (the connection's remote peer)
     * @return whether the message is acceptable
     */
    default boolean validateMessage(Object message, PeerId from) {
        return true;
    }

    /**
     * Whether the peer may announce resources of this type at all. A {@code false} verdict rejects the
     * announcement without a warning.
     *
     * @param resourceType the resource type being announced
     * @param peer the announcing peer
     * @return whether the peer may announce this type
     */
    default boolean canAnnounceResource(String resourceType, PeerId peer) {
        return true;
    }
}
