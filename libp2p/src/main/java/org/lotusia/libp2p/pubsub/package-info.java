/**
 * GossipSub (v1.2/v1.1/v1.0, with FloodSub peers) compatible with js-libp2p's {@code @libp2p/gossipsub}.
 *
 * <p>{@link org.lotusia.libp2p.pubsub.GossipSubRouter} attaches to a {@link org.lotusia.libp2p.host.Host};
 * {@link org.lotusia.libp2p.pubsub.MessageSigner} implements StrictSign/StrictNoSign;
 * {@link org.lotusia.libp2p.pubsub.MessageIdFunction} computes message ids (js's default:
 * author PublicKey protobuf followed by the 8-byte seqno); {@link org.lotusia.libp2p.pubsub.MessageValidator}
 * lets the application accept, reject or ignore messages; {@link org.lotusia.libp2p.pubsub.PeerScoring} is
 * the scoring hook ({@link org.lotusia.libp2p.pubsub.SimplePeerScoring}: invalid-message penalty with decay).
 * The wire types are in {@code org.lotusia.libp2p.pubsub.pb.RpcProto} ({@code pubsub.proto}).
 */
package org.lotusia.libp2p.pubsub;
