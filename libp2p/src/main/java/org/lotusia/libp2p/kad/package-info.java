/**
 * Kademlia DHT compatible with js {@code @libp2p/kad-dht} 16.x: {@link org.lotusia.libp2p.kad.KadDht} (server
 * and client mode, iterative lookups for closest peers, values and providers), its
 * {@link org.lotusia.libp2p.kad.RoutingTable}, the in-memory {@link org.lotusia.libp2p.kad.RecordStore} and
 * {@link org.lotusia.libp2p.kad.ProviderStore}, and record rules ({@link org.lotusia.libp2p.kad.RecordValidation}).
 * Messages are {@code org.lotusia.libp2p.kad.pb.KadProto} (src/main/proto/kad.proto).
 *
 * <h2>Record keys: raw or namespaced</h2>
 * Lotus nodes (kad-dht 16.1.0) store resources under the reference's raw keys {@code resource:<type>:<id>}:
 * a key without a {@code /<namespace>/} prefix is stored and served unvalidated, and
 * {@link org.lotusia.libp2p.kad.RecordValidation#lenient()} (the default) does the same, so Java and js
 * Lotus nodes share records on the wire. Newer js kad-dht releases reject such keys ("Record key is missing a
 * namespace"); for networks of those, use the namespaced key mode: keys built with
 * {@link org.lotusia.libp2p.kad.KadKeys#namespaced KadKeys.namespaced("lotus", key)} ({@code /lotus/<key>}),
 * {@link org.lotusia.libp2p.kad.RecordValidation#strict()} with the namespace registered
 * ({@link org.lotusia.libp2p.kad.KadKeys#acceptingNamespace}), and the same namespace registered on the js nodes.
 * The two forms name different records: a network picks one. Raw stays the default because it is what deployed
 * Lotus nodes speak.
 *
 * <p>Namespaced keys dispatch on their first path segment: {@code /pk/…} to the built-in public-key validator,
 * {@code /<ns>/…} to the validator and selector registered for {@code <ns>}; a namespace without a validator is
 * rejected in both modes (as js does).
 *
 * <h2>Bounds</h2>
 * Every inbound message is bounded by {@link org.lotusia.libp2p.kad.KadConfig#maxMessageBytes()} (frame decoder),
 * {@link org.lotusia.libp2p.kad.KadConfig#maxPeersPerMessage()} closer/provider entries, 64 addresses of at most
 * 1 KiB per entry (of which {@link org.lotusia.libp2p.kad.KadConfig#maxAddressesPerPeer()} are used), key and value
 * sizes, per-request and per-lookup timeouts, and an idle timeout and request count per inbound stream; a message
 * breaking them fails with {@link org.lotusia.libp2p.kad.KadMessageException} and costs the sender its stream.
 * The stores are bounded in records, provider keys and providers per key.
 */
package org.lotusia.libp2p.kad;
