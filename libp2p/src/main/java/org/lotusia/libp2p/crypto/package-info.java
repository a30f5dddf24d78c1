/**
 * libp2p keys, peer ids, identity files, signed envelopes and peer records.
 *
 * <p>Specs: <a href="https://github.com/libp2p/specs/blob/master/peer-ids/peer-ids.md">peer-ids</a>,
 * <a href="https://github.com/libp2p/specs/blob/master/RFC/0002-signed-envelopes.md">RFC 0002 signed
 * envelopes</a>, <a href="https://github.com/libp2p/specs/blob/master/RFC/0003-routing-records.md">RFC 0003
 * routing records</a>.
 *
 * <p>Usage:
 * <pre>{@code
 * PrivateKey key = IdentityFile.loadOrCreate(Path.of("identity.key"), KeyType.ED25519);
 * PeerId me = key.publicKey().peerId();                 // 12D3KooW...
 * byte[] sig = key.sign(data);
 * PublicKey remote = Keys.unmarshalPublicKey(bytesFromTheWire);
 * boolean ok = remote.verify(data, sig);
 * SignedEnvelope env = PeerRecord.create(me, addrs).seal(key);
 * PeerRecord rec = PeerRecord.openSigned(env.toBytes());
 * }</pre>
 *
 * <p>All decoders are bounded and strict and throw subclasses of
 * {@link org.lotusia.libp2p.Libp2pException} for any malformed input. Deliberate choices:
 * <ul>
 *   <li>Key protobufs must be canonically encoded (no unknown, repeated or reordered fields), so that a
 *       key's peer id is unique.</li>
 *   <li>Peer ids are identity multihashes of keys of at most 42 bytes or sha2-256 multihashes; other
 *       hash functions are rejected (as js-libp2p does).</li>
 *   <li>Peer records use the domain {@code libp2p-peer-record} and payload type {@code 0x03 0x01}, as
 *       js, go and rust do, not the constants in the RFC 0003 text.</li>
 *   <li>ECDSA keys follow the spec (SPKI / SEC1 DER, DER signatures) like go-libp2p; js-libp2p's ECDSA
 *       encoding is not interoperable. RSA keys of 1024 to 8192 bits are accepted.</li>
 * </ul>
 */
package org.lotusia.libp2p.crypto;
