package org.lotusia.libp2p.pubsub;

import java.time.Duration;
import java.util.Objects;

/**
 * GossipSub parameters; defaults are js-libp2p's (@libp2p/gossipsub). Build with {@link #builder()}.
 *
 * @param d                         mesh degree target
 * @param dlo                       below this the heartbeat grafts up to {@code d}
 * @param dhi                       above this the heartbeat prunes down to {@code d}
 * @param dlazy                     minimum number of peers that get IHAVE gossip per topic
 * @param gossipFactor              fraction of non-mesh topic peers that get gossip, if more than {@code dlazy}
 * @param heartbeatInterval         heartbeat period
 * @param fanoutTtl                 fanout state for a topic we publish to without subscribing is dropped after this
 * @param mcacheLength              message cache windows (heartbeats) kept for IWANT
 * @param mcacheGossip              most recent windows announced in IHAVE
 * @param seenTtl                   how long message ids are remembered as seen
 * @param seenMax                   most message ids remembered as seen
 * @param pruneBackoff              backoff we ask for (and honour by default) when pruning
 * @param unsubscribeBackoff        backoff sent with the PRUNEs of an unsubscribe
 * @param maxRpcSize                largest inbound RPC frame accepted (js: 4 MiB); larger own messages are refused
 * @param maxOutboundQueueBytes     bytes that may wait to be written to one peer; RPCs that would exceed it are dropped (and counted)
 * @param floodPublish              send our own messages to every known topic peer, not only the mesh
 * @param allowPublishToZeroPeers   publishing with no peer to send to succeeds (else it fails)
 * @param emitSelf                  deliver our own messages to our own handlers
 * @param signaturePolicy           StrictSign (default) or StrictNoSign
 * @param messageIdFunction         message ids; null picks {@link MessageIdFunction#defaultFor}
 * @param idontwantMinDataSize      received messages at least this large make us send IDONTWANT to /meshsub/1.2.0 mesh peers
 * @param maxIHaveMessages          IHAVE messages processed per peer per heartbeat
 * @param maxIWantIdsPerHeartbeat   ids we ask one peer for per heartbeat
 * @param gossipRetransmission      how often one message is served to one peer through IWANT
 * @param maxIDontWantPerHeartbeat  IDONTWANT ids accepted per peer per heartbeat
 * @param dscore                    peers kept by score when an oversubscribed mesh is pruned
 * @param dout                      outbound-connection peers the heartbeat keeps in each mesh (< dlo, ≤ d/2)
 * @param prunePeers                peers offered (PX) in a PRUNE and most peers connected to from one PRUNE
 * @param doPx                      offer PX peers when pruning an oversubscribed mesh or refusing a GRAFT (js default off)
 * @param opportunisticGraftTicks   heartbeats between opportunistic grafting rounds
 * @param opportunisticGraftPeers   peers grafted per topic in one opportunistic round
 * @param graftFloodThreshold       a GRAFT this soon after our PRUNE costs an extra behaviour penalty
 * @param iwantFollowupTime         a peer that does not deliver a message we asked for (IWANT) within this breaks its promise
 * @param maxSubscriptionsPerPeer   topics one peer may be subscribed to as far as we keep track; more are ignored
 * @param maxTopicLength            longest topic (UTF-16 chars) accepted in a peer's subscription
 * @param maxPendingRpcs            RPCs queued for a peer while its stream is being opened
 */
public record GossipSubConfig(int d, int dlo, int dhi, int dlazy, double gossipFactor, Duration heartbeatInterval,
                              Duration fanoutTtl, int mcacheLength, int mcacheGossip, Duration seenTtl, int seenMax,
                              Duration pruneBackoff, Duration unsubscribeBackoff, int maxRpcSize,
                              long maxOutboundQueueBytes, boolean floodPublish, boolean allowPublishToZeroPeers,
                              boolean emitSelf, SignaturePolicy signaturePolicy, MessageIdFunction messageIdFunction,
                              int idontwantMinDataSize, int maxIHaveMessages, int maxIWantIdsPerHeartbeat,
                              int gossipRetransmission, int maxIDontWantPerHeartbeat, int dscore, int dout,
                              int prunePeers, boolean doPx, int opportunisticGraftTicks, int opportunisticGraftPeers,
                              Duration graftFloodThreshold, Duration iwantFollowupTime, int maxSubscriptionsPerPeer,
                              int maxTopicLength, int maxPendingRpcs) {

    /** Validates the parameters and fills the default message id function. */
    public GossipSubConfig {
        Objects.requireNonNull(heartbeatInterval, "heartbeatInterval");
        Objects.requireNonNull(fanoutTtl, "fanoutTtl");
        Objects.requireNonNull(seenTtl, "seenTtl");
        Objects.requireNonNull(pruneBackoff, "pruneBackoff");
        Objects.requireNonNull(unsubscribeBackoff, "unsubscribeBackoff");
        Objects.requireNonNull(signaturePolicy, "signaturePolicy");
        if (!(0 <= dlo && dlo <= d && d <= dhi) || dlazy < 0) {
            throw new IllegalArgumentException("need 0 <= dlo <= d <= dhi and dlazy >= 0");
        }
        if (mcacheGossip < 1 || mcacheLength < mcacheGossip) {
            throw new IllegalArgumentException("need 1 <= mcacheGossip <= mcacheLength");
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || maxRpcSize <= 0 || seenMax <= 0) {
            throw new IllegalArgumentException("heartbeatInterval, maxRpcSize and seenMax must be positive");
        }
        Objects.requireNonNull(graftFloodThreshold, "graftFloodThreshold");
        Objects.requireNonNull(iwantFollowupTime, "iwantFollowupTime");
        if (dscore < 0 || dscore > d || dout < 0 || (dout > 0 && (dout >= dlo || dout > d / 2))) {
            throw new IllegalArgumentException("need 0 <= dscore <= d and dout < dlo, dout <= d/2");
        }
        if (prunePeers < 0 || opportunisticGraftTicks < 1 || opportunisticGraftPeers < 0 || maxSubscriptionsPerPeer < 1
                || maxTopicLength < 1 || maxPendingRpcs < 1 || maxIHaveMessages < 0 || maxIWantIdsPerHeartbeat < 0) {
            throw new IllegalArgumentException("negative or zero bound");
        }
        if (messageIdFunction == null) {
            messageIdFunction = MessageIdFunction.defaultFor(signaturePolicy);
        }
    }

    /** The js defaults. */
    public static GossipSubConfig defaults() {
        return builder().build();
    }

    /** A builder starting from the js defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.d = d; b.dlo = dlo; b.dhi = dhi; b.dlazy = dlazy; b.gossipFactor = gossipFactor;
        b.heartbeatInterval = heartbeatInterval; b.fanoutTtl = fanoutTtl; b.mcacheLength = mcacheLength;
        b.mcacheGossip = mcacheGossip; b.seenTtl = seenTtl; b.seenMax = seenMax; b.pruneBackoff = pruneBackoff;
        b.unsubscribeBackoff = unsubscribeBackoff; b.maxRpcSize = maxRpcSize; b.maxOutboundQueueBytes = maxOutboundQueueBytes;
        b.floodPublish = floodPublish; b.allowPublishToZeroPeers = allowPublishToZeroPeers; b.emitSelf = emitSelf;
        b.signaturePolicy = signaturePolicy; b.messageIdFunction = messageIdFunction;
        b.idontwantMinDataSize = idontwantMinDataSize; b.maxIHaveMessages = maxIHaveMessages;
        b.maxIWantIdsPerHeartbeat = maxIWantIdsPerHeartbeat; b.gossipRetransmission = gossipRetransmission;
        b.maxIDontWantPerHeartbeat = maxIDontWantPerHeartbeat; b.dscore = dscore; b.dout = dout;
        b.prunePeers = prunePeers; b.doPx = doPx; b.opportunisticGraftTicks = opportunisticGraftTicks;
        b.opportunisticGraftPeers = opportunisticGraftPeers; b.graftFloodThreshold = graftFloodThreshold;
        b.iwantFollowupTime = iwantFollowupTime; b.maxSubscriptionsPerPeer = maxSubscriptionsPerPeer;
        b.maxTopicLength = maxTopicLength; b.maxPendingRpcs = maxPendingRpcs;
        return b;
    }

    /** Builds a {@link GossipSubConfig}. */
    public static final class Builder {
        private int d = 6;
        private int dlo = 4;
        private int dhi = 12;
        private int dlazy = 6;
        private double gossipFactor = 0.25;
        private Duration heartbeatInterval = Duration.ofSeconds(1);
        private Duration fanoutTtl = Duration.ofSeconds(60);
        private int mcacheLength = 5;
        private int mcacheGossip = 3;
        private Duration seenTtl = Duration.ofMinutes(2);
        private int seenMax = 100_000;
        private Duration pruneBackoff = Duration.ofSeconds(60);
        private Duration unsubscribeBackoff = Duration.ofSeconds(10);
        private int maxRpcSize = 4 << 20;
        private long maxOutboundQueueBytes = 16L << 20;
        private boolean floodPublish = true;
        private boolean allowPublishToZeroPeers = false;
        private boolean emitSelf = false;
        private SignaturePolicy signaturePolicy = SignaturePolicy.STRICT_SIGN;
        private MessageIdFunction messageIdFunction;
        private int idontwantMinDataSize = 512;
        private int maxIHaveMessages = 10;
        private int maxIWantIdsPerHeartbeat = 5000;
        private int gossipRetransmission = 3;
        private int maxIDontWantPerHeartbeat = 512;
        private int dscore = 4;
        private int dout = 2;
        private int prunePeers = 16;
        private boolean doPx = false;
        private int opportunisticGraftTicks = 60;
        private int opportunisticGraftPeers = 2;
        private Duration graftFloodThreshold = Duration.ofSeconds(10);
        private Duration iwantFollowupTime = Duration.ofSeconds(3);
        private int maxSubscriptionsPerPeer = 1000;
        private int maxTopicLength = 1024;
        private int maxPendingRpcs = 256;

        private Builder() {
        }

        /** Mesh degrees D, Dlo, Dhi; Dscore and Dout are lowered to fit if needed. */
        public Builder mesh(int d, int dlo, int dhi) {
            this.d = d;
            this.dlo = dlo;
            this.dhi = dhi;
            this.dscore = Math.min(dscore, Math.max(0, d));
            this.dout = Math.max(0, Math.min(dout, Math.min(dlo - 1, d / 2)));
            return this;
        }

        /** Dlazy. */
        public Builder dlazy(int dlazy) {
            this.dlazy = dlazy;
            return this;
        }

        /** Gossip factor. */
        public Builder gossipFactor(double gossipFactor) {
            this.gossipFactor = gossipFactor;
            return this;
        }

        /** Heartbeat period. */
        public Builder heartbeatInterval(Duration interval) {
            this.heartbeatInterval = interval;
            return this;
        }

        /** Fanout TTL. */
        public Builder fanoutTtl(Duration ttl) {
            this.fanoutTtl = ttl;
            return this;
        }

        /** Message cache windows and gossip windows. */
        public Builder messageCache(int length, int gossip) {
            this.mcacheLength = length;
            this.mcacheGossip = gossip;
            return this;
        }

        /** Seen cache TTL and bound. */
        public Builder seenCache(Duration ttl, int max) {
            this.seenTtl = ttl;
            this.seenMax = max;
            return this;
        }

        /** Backoffs sent with PRUNE (mesh maintenance, unsubscribe). */
        public Builder backoff(Duration prune, Duration unsubscribe) {
            this.pruneBackoff = prune;
            this.unsubscribeBackoff = unsubscribe;
            return this;
        }

        /** Largest inbound RPC. */
        public Builder maxRpcSize(int bytes) {
            this.maxRpcSize = bytes;
            return this;
        }

        /** Outbound queue bound per peer. */
        public Builder maxOutboundQueueBytes(long bytes) {
            this.maxOutboundQueueBytes = bytes;
            return this;
        }

        /** Flood publishing of our own messages. */
        public Builder floodPublish(boolean floodPublish) {
            this.floodPublish = floodPublish;
            return this;
        }

        /** Whether publishing with nobody to send to succeeds. */
        public Builder allowPublishToZeroPeers(boolean allow) {
            this.allowPublishToZeroPeers = allow;
            return this;
        }

        /** Whether our own messages reach our own handlers. */
        public Builder emitSelf(boolean emitSelf) {
            this.emitSelf = emitSelf;
            return this;
        }

        /** Signature policy. */
        public Builder signaturePolicy(SignaturePolicy policy) {
            this.signaturePolicy = policy;
            return this;
        }

        /** Message id function (null: the policy's js default). */
        public Builder messageIdFunction(MessageIdFunction function) {
            this.messageIdFunction = function;
            return this;
        }

        /** IDONTWANT threshold. */
        public Builder idontwantMinDataSize(int bytes) {
            this.idontwantMinDataSize = bytes;
            return this;
        }

        /** Dscore and Dout: peers kept by score and outbound peers kept when maintaining a mesh. */
        public Builder meshRetention(int dscore, int dout) {
            this.dscore = dscore;
            this.dout = dout;
            return this;
        }

        /** Peer exchange: whether we offer peers when pruning, and how many we offer / follow per PRUNE. */
        public Builder peerExchange(boolean doPx, int prunePeers) {
            this.doPx = doPx;
            this.prunePeers = prunePeers;
            return this;
        }

        /** Opportunistic grafting: every {@code ticks} heartbeats, up to {@code peers} per topic. */
        public Builder opportunisticGraft(int ticks, int peers) {
            this.opportunisticGraftTicks = ticks;
            this.opportunisticGraftPeers = peers;
            return this;
        }

        /** GRAFT flood threshold. */
        public Builder graftFloodThreshold(Duration threshold) {
            this.graftFloodThreshold = threshold;
            return this;
        }

        /** Time a peer has to deliver what we asked for with IWANT. */
        public Builder iwantFollowupTime(Duration time) {
            this.iwantFollowupTime = time;
            return this;
        }

        /** Gossip bounds per peer per heartbeat: IHAVE messages processed and message ids asked for. */
        public Builder gossipLimits(int maxIHaveMessages, int maxIWantIdsPerHeartbeat) {
            this.maxIHaveMessages = maxIHaveMessages;
            this.maxIWantIdsPerHeartbeat = maxIWantIdsPerHeartbeat;
            return this;
        }

        /** Subscription bounds per peer: number of topics and topic length. */
        public Builder subscriptionLimits(int maxSubscriptionsPerPeer, int maxTopicLength) {
            this.maxSubscriptionsPerPeer = maxSubscriptionsPerPeer;
            this.maxTopicLength = maxTopicLength;
            return this;
        }

        /** RPCs queued per peer while its stream is being opened. */
        public Builder maxPendingRpcs(int count) {
            this.maxPendingRpcs = count;
            return this;
        }

        /** Builds the configuration. */
        public GossipSubConfig build() {
            return new GossipSubConfig(d, dlo, dhi, dlazy, gossipFactor, heartbeatInterval, fanoutTtl, mcacheLength,
                    mcacheGossip, seenTtl, seenMax, pruneBackoff, unsubscribeBackoff, maxRpcSize, maxOutboundQueueBytes,
                    floodPublish, allowPublishToZeroPeers, emitSelf, signaturePolicy, messageIdFunction,
                    idontwantMinDataSize, maxIHaveMessages, maxIWantIdsPerHeartbeat, gossipRetransmission,
                    maxIDontWantPerHeartbeat, dscore, dout, prunePeers, doPx, opportunisticGraftTicks,
                    opportunisticGraftPeers, graftFloodThreshold, iwantFollowupTime, maxSubscriptionsPerPeer,
                    maxTopicLength, maxPendingRpcs);
        }
    }
}
