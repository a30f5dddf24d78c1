package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.crypto.PeerId;

/**
 * Scores peers. Called on the router thread only. Peers below 0 are not grafted or kept in meshes,
 * below {@link #gossipThreshold()} get no gossip and their IHAVE/IWANT are ignored, below
 * {@link #publishThreshold()} get none of our own messages, below {@link #graylistThreshold()} have
 * all their RPCs ignored. PX from a PRUNE is followed only if the pruning peer scores at least
 * {@link #acceptPXThreshold()}; a mesh whose median score is below
 * {@link #opportunisticGraftThreshold()} gets better peers grafted.
 *
 * <p>{@link PeerScore} implements the full gossipsub v1.1 score; {@link SimplePeerScoring} only counts
 * invalid messages and behaviour penalties. The event methods have empty defaults so a minimal
 * implementation needs only {@link #score} and {@link #invalidMessage}.
 */
public interface PeerScoring {
    /** The current score of {@code peer}. */
    double score(PeerId peer);

    /**
     * {@code peer} sent a message that failed before validation (bad or missing signature, key not
     * matching {@code from} …): only that peer is charged.
     */
    void invalidMessage(PeerId peer, String topic);

    /** {@code peer} misbehaved in the protocol (GRAFT during backoff, broken IWANT promise …). */
    default void behaviourPenalty(PeerId peer, double amount) {
    }

    /** Called once per heartbeat (decay is due when the decay interval has passed). */
    default void heartbeat() {
    }

    /** {@code peer} got a pubsub stream; {@code ip} is its connection's remote IP, or null if unknown. */
    default void peerAdded(PeerId peer, String ip) {
    }

    /** {@code peer} left (no more pubsub stream or connection). */
    default void peerRemoved(PeerId peer) {
    }

    /** {@code peer} joined our mesh of {@code topic}. */
    default void graft(PeerId peer, String topic) {
    }

    /** {@code peer} left our mesh of {@code topic}. */
    default void prune(PeerId peer, String topic) {
    }

    /** The first copy of message {@code id} arrived from {@code peer}, signature checked; validation starts. */
    default void validationStarted(PeerId peer, ByteString id, String topic) {
    }

    /** Message {@code id} (first received from {@code peer}) was accepted by validation. */
    default void messageAccepted(PeerId peer, ByteString id, String topic) {
    }

    /**
     * Message {@code id} (first received from {@code peer}) was rejected by validation: the sender and
     * everyone who forwarded it to us are charged. The default charges {@code peer} only.
     */
    default void messageRejected(PeerId peer, ByteString id, String topic) {
        invalidMessage(peer, topic);
    }

    /** Message {@code id} was ignored by validation (no penalty). */
    default void messageIgnored(PeerId peer, ByteString id, String topic) {
    }

    /** {@code peer} sent a copy of message {@code id} we had already received. */
    default void duplicateMessage(PeerId peer, ByteString id, String topic) {
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

    /** Score a pruning peer needs for its PX to be followed (js 10). */
    default double acceptPXThreshold() {
        return 10;
    }

    /** Median mesh score below which opportunistic grafting happens (js 20). */
    default double opportunisticGraftThreshold() {
        return 20;
    }
}
