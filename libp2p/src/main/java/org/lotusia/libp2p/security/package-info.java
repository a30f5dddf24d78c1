/**
 * Connection security: the types every security protocol shares.
 *
 * <ul>
 *   <li>{@link org.lotusia.libp2p.security.SecureSession}: who is on each end of a secured connection and what
 *       the handshake negotiated (early muxer selection).</li>
 *   <li>{@link org.lotusia.libp2p.security.SecureSessionEstablished}: the user event a security handler fires
 *       down the pipeline when the session is ready.</li>
 *   <li>{@link org.lotusia.libp2p.security.SecurityHandshakeException} (handshake failures, with a
 *       {@link org.lotusia.libp2p.security.SecurityHandshakeException.Reason}) and
 *       {@link org.lotusia.libp2p.security.SecureChannelException} (failures of the encrypted transport).</li>
 * </ul>
 *
 * <p>The protocol implementation is in {@link org.lotusia.libp2p.security.noise}.
 */
package org.lotusia.libp2p.security;
