/**
 * Kademlia DHT compatible with js {@code @libp2p/kad-dht} 16.x: {@link org.lotusia.libp2p.kad.KadDht} (server
 * and client mode, iterative lookups for closest peers, values and providers), its
 * {@link org.lotusia.libp2p.kad.RoutingTable}, the in-memory {@link org.lotusia.libp2p.kad.RecordStore} and
 * {@link org.lotusia.libp2p.kad.ProviderStore}, and record rules ({@link org.lotusia.libp2p.kad.RecordValidation}).
 * Messages are {@code org.lotusia.libp2p.kad.pb.KadProto} (src/main/proto/kad.proto).
 */
package org.lotusia.libp2p.kad;
