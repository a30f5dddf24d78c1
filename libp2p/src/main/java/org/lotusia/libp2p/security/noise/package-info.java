/**
 * libp2p Noise ({@code /noise}): the {@code Noise_XX_25519_ChaChaPoly_SHA256} handshake with libp2p identity
 * payloads and early muxer negotiation, byte-compatible with js-libp2p 3.x ({@code @chainsafe/libp2p-noise} 17).
 *
 * <p>Layers:
 * <ul>
 *   <li>{@link org.lotusia.libp2p.security.noise.NoiseHandshake}: the handshake as a state machine on byte arrays,
 *       no Netty; {@link org.lotusia.libp2p.security.noise.CipherState}: one direction of the transport.</li>
 *   <li>{@link org.lotusia.libp2p.security.noise.NoiseSecureChannelHandler}: runs the handshake on a Netty
 *       connection (2-byte length-prefixed frames) and replaces itself with a
 *       {@link org.lotusia.libp2p.security.noise.NoiseTransportCodec}.</li>
 *   <li>{@link org.lotusia.libp2p.security.noise.ChaChaPolyAead}: the AEAD, with the implementation chosen at run
 *       time (JDK, Conscrypt or BouncyCastle; {@link org.lotusia.libp2p.security.noise.ChaChaPolyAead#describe()}
 *       says which).</li>
 *   <li>{@link org.lotusia.libp2p.security.noise.NoiseIdentity}: a node's static key and identity proof, shared by
 *       all its handshakes.</li>
 * </ul>
 *
 * <p>Usage, once multistream-select has agreed on {@value org.lotusia.libp2p.security.noise.NoiseHandshake#PROTOCOL_ID}:
 * <pre>{@code
 * NoiseSecureChannelHandler noise = new NoiseSecureChannelHandler(
 *         true, identityKey, dialledPeerOrNull, List.of("/yamux/1.0.0"), Duration.ofSeconds(10));
 * channel.pipeline().addLast("noise", noise);
 * noise.sessionFuture().thenAccept(session -> {
 *     // session.remotePeer() is authenticated. If session.selectedMuxer() != null, start that muxer now
 *     // (no multistream-select); otherwise negotiate the muxer with multistream-select.
 * });
 * }</pre>
 *
 * <p>Wire rules followed (see the interop notes): empty prologue; message 1 is the 32-byte ephemeral key only;
 * the identity signature covers {@code "noise-libp2p-static-key:" || static key}; frames are
 * {@code u16 BE length || message} with at most 65535 bytes, so transport plaintext is split at 65519 bytes;
 * nonces are 4 zero bytes then a 64-bit little-endian counter; no rekeying.
 */
package org.lotusia.libp2p.security.noise;
