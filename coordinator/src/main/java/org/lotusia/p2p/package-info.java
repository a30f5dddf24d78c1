/**
 * The Lotus P2P coordination layer: {@link org.lotusia.p2p.P2PCoordinator} (configured with
 * {@link org.lotusia.p2p.P2PConfig}) runs a libp2p host, keeps bootstrap peers connected, routes
 * direct messages to {@link org.lotusia.p2p.ProtocolHandler}s and emits typed events
 * ({@link org.lotusia.p2p.events}). Messages are in {@link org.lotusia.p2p.message}, bans and rate
 * limits in {@link org.lotusia.p2p.security}, GossipSub pub/sub (topics, mesh health) in
 * {@link org.lotusia.p2p.pubsub}.
 *
 * <p>Not in this version (planned): DHT resources, circuit relay, AutoNAT, DCUtR, UPnP.
 */
package org.lotusia.p2p;
