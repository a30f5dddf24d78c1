/**
 * GossipSub (v1.2/v1.1/v1.0, with FloodSub peers) compatible with js-libp2p's {@code @libp2p/gossipsub}.
 *
 * <p>{@link org.lotusia.libp2p.pubsub.GossipSubRouter} attaches to a {@link org.lotusia.libp2p.host.Host}
 * and is configured by {@link org.lotusia.libp2p.pubsub.GossipSubConfig} (mesh degrees including Dscore
 * and Dout, gossip, backoff, PX, opportunistic grafting, and the bounds on RPC size, subscriptions,
 * IHAVE/IWANT per heartbeat and per-peer queues); {@link org.lotusia.libp2p.pubsub.MessageSigner}
 * implements StrictSign/StrictNoSign; {@link org.lotusia.libp2p.pubsub.MessageIdFunction} computes message
 * ids (js's default: author PublicKey protobuf followed by the 8-byte seqno);
 * {@link org.lotusia.libp2p.pubsub.MessageValidator} lets the application accept, reject or ignore messages.
 *
 * <p>{@link org.lotusia.libp2p.pubsub.PeerScoring} is the scoring hook the router reports to;
 * {@link org.lotusia.libp2p.pubsub.PeerScore} is the gossipsub v1.1 score (P1–P7, decay, retention) with
 * {@link org.lotusia.libp2p.pubsub.PeerScoreParams}, {@link org.lotusia.libp2p.pubsub.TopicScoreParams} and
 * {@link org.lotusia.libp2p.pubsub.PeerScoreThresholds}; {@link org.lotusia.libp2p.pubsub.SimplePeerScoring}
 * only counts invalid messages and behaviour penalties.
 * The wire types are in {@code org.lotusia.libp2p.pubsub.pb.RpcProto} ({@code pubsub.proto}).
 */
package org.lotusia.libp2p.pubsub;
