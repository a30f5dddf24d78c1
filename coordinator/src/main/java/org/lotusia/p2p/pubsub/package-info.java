/**
 * The coordinator's pub/sub layer on the GossipSub router: topic subscriptions with several
 * removable handlers per topic ({@link org.lotusia.p2p.pubsub.TopicService}), messages as handlers
 * see them ({@link org.lotusia.p2p.pubsub.TopicMessage}), the reference's JSON encoding of published
 * objects ({@link org.lotusia.p2p.pubsub.TopicJson}) and a mesh health monitor based on the real
 * mesh ({@link org.lotusia.p2p.pubsub.MeshHealthMonitor}). Applications use these through
 * {@link org.lotusia.p2p.P2PCoordinator}.
 */
package org.lotusia.p2p.pubsub;
