/**
 * DHT resource management of the coordinator (the reference's {@code announceResource},
 * {@code discoverResource}, {@code getLocalResources}, {@code getDHTStats} and DHT queue, plus the
 * guide's {@code discoverResources}) on the Kademlia DHT of {@code org.lotusia.libp2p.kad}.
 *
 * <ul>
 *   <li>{@link org.lotusia.p2p.dht.ResourceRecord}: the record and its JSON, byte-compatible with the reference.</li>
 *   <li>{@link org.lotusia.p2p.dht.ResourceService}: announce (queue, retries, republishing), discover,
 *       discover by type (provider records + the {@value org.lotusia.p2p.dht.ResourceService#LIST_PROTOCOL_NAME}
 *       listing protocol), checks on records from the network, routing-table events.</li>
 *   <li>{@link org.lotusia.p2p.dht.ResourceAnnouncementQueue}: the bounded retry queue.</li>
 *   <li>{@link org.lotusia.p2p.dht.SignedResourceRecords}: optional creator signatures.</li>
 *   <li>{@link org.lotusia.p2p.dht.ResourceFilter}, {@link org.lotusia.p2p.dht.AnnounceOptions},
 *       {@link org.lotusia.p2p.dht.DhtStats}, {@link org.lotusia.p2p.dht.DhtResourceConfig}: values.</li>
 * </ul>
 */
package org.lotusia.p2p.dht;
