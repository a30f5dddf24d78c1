package org.lotusia.libp2p.pubsub;

import org.lotusia.libp2p.crypto.PeerId;

/**
 * Scores peers. Called on the router thread only. Peers below 0 are not grafted or kept in meshes,
 * below {@link #gossipThreshold()} get no gossip and their IHAVEs are ignored, below
 * {@link #publishThreshold()} get none of our own messages, below {@link #graylistThreshold()} have
 * their RPCs ignored.
 */
public interface PeerScoring {
    /** The current score of {@code peer}. */
    double score(PeerId peer);

    /** {@code peer} sent a message that failed signature checks or that a validator rejected. */
    void invalidMessage(PeerId peer, String topic);

    /** {@code peer} misbehaved in the protocol (GRAFT during backoff …). */
    default void behaviourPenalty(PeerId peer, double amount) {
    }

    /** Called once per heartbeat (decay). */
    default void heartbeat() {
    }

    /** {@code peer} left (no more pubsub stream or connection). */
    default void peerRemoved(PeerId peer) {
    }

    /** Score below which gossip is neither sent to nor taken from a peer (js −10). */
    default double gossipThreshold() {
        return -10;
    }

    /** Score below which our own messages are not sent to a peer (js −50). */
    default double publishThreshold() {
        return -50;
    }

    /** Score below which RPCs of a peer are ignored (js −80). */
    default double graylistThreshold() {
        return -80;
    }
}
