/**
 * multistream-select 1.0 ({@code /multistream/1.0.0}) as Netty handlers.
 *
 * <p>{@link org.lotusia.libp2p.multistream.MultistreamDialer} proposes protocols on an outbound
 * channel, {@link org.lotusia.libp2p.multistream.MultistreamListener} answers proposals on an inbound
 * one. Both work on a raw connection (choosing the security protocol, then the muxer) and on every
 * muxed stream (a child {@code Channel}). Each handler removes itself once a protocol is agreed and
 * hands any bytes that arrived after the negotiation to the next handler in the pipeline, so nothing
 * is lost when the remote pipelines application data behind its proposal.
 *
 * <p>Wire format and behaviour follow js-libp2p 3.x ({@code @libp2p/multistream-select} 7.x): every
 * message is {@code uvarint(len) || utf8 || '\n'}, {@code len} counts the newline and may not exceed
 * {@value org.lotusia.libp2p.multistream.MultistreamCodec#MAX_MESSAGE_LENGTH} bytes.
 * Malformed input fails with {@link org.lotusia.libp2p.multistream.MultistreamException} and the
 * channel is closed.
 */
package org.lotusia.libp2p.multistream;
