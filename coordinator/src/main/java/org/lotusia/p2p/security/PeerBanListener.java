package org.lotusia.p2p.security;

import java.time.Instant;
import org.lotusia.libp2p.crypto.PeerId;

/**
 * Receives {@link PeerBanManager} events. All methods default to no-ops.
 *
 * <p>Callbacks run on the manager's listener executor (by default the thread that caused the event, after
 * the manager's lock is released). A listener that throws is logged and does not affect other listeners or
 * the manager.
 */
public interface PeerBanListener {

    /**
     * A warning was recorded.
     *
     * @param peer the warned peer
     * @param reason the reason given to {@link PeerBanManager#warnPeer}
     * @param warnings the peer's warning count after this warning (after decay)
     */
    default void onPeerWarned(PeerId peer, String reason, int warnings) {
    }

    /**
     * The peer was temporarily banned, by {@link PeerBanManager#tempBanPeer} or by escalation
     * ({@code repeated-warnings}, {@code excessive-invalid-messages}).
     *
     * @param peer the banned peer
     * @param reason the reason
     * @param until when the ban ends
     */
    default void onPeerTempBanned(PeerId peer, String reason, Instant until) {
    }

    /**
     * The peer was permanently banned, by {@link PeerBanManager#banPeer} or by escalation
     * ({@code excessive-warnings}). Fired once per ban, not on later warnings.
     *
     * @param peer the banned peer
     * @param reason the reason
     */
    default void onPeerBanned(PeerId peer, String reason) {
    }

    /**
     * {@link PeerBanManager#unbanPeer} lifted a temporary or permanent ban.
     *
     * @param peer the peer
     */
    default void onPeerUnbanned(PeerId peer) {
    }
}
