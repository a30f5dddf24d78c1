/**
 * Multiformats used by libp2p: unsigned varints ({@link org.lotusia.libp2p.multiformats.Varint}),
 * base encodings and multibase ({@link org.lotusia.libp2p.multiformats.Multibase}),
 * {@link org.lotusia.libp2p.multiformats.Multihash}, {@link org.lotusia.libp2p.multiformats.Cid}
 * and {@link org.lotusia.libp2p.multiformats.Multiaddr}.
 *
 * <p>All decoders treat their input as untrusted: they are bounded in size and work, and any
 * malformed input raises a subclass of
 * {@link org.lotusia.libp2p.multiformats.MultiformatException} whose message says what is wrong
 * and where; no other runtime exception escapes for bad input. Encoders and factories throw
 * {@link java.lang.IllegalArgumentException} or {@link java.lang.NullPointerException} for
 * programming errors (negative varint values, null arguments).
 */
package org.lotusia.libp2p.multiformats;
