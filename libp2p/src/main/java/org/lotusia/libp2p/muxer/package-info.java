// SPDX-License-Identifier: MIT
/**
 * Stream multiplexing: the Netty stream model shared by every muxer.
 *
 * <p>A secured connection is a Netty {@link io.netty.channel.Channel} whose pipeline ends in a muxer
 * handler. The handler implements {@link org.lotusia.libp2p.muxer.StreamMuxerSession}; every muxed
 * stream is a child {@link org.lotusia.libp2p.muxer.StreamChannel} on the connection's event loop with
 * its own pipeline.
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * StreamMuxerSession session = ...;              // e.g. a YamuxHandler in the connection pipeline
 * session.openStream(new ChannelInitializer<Channel>() {
 *     protected void initChannel(Channel ch) { ch.pipeline().addLast(new MyProtocolHandler()); }
 * }).thenAccept(stream -> stream.writeAndFlush(request));
 * }</pre>
 *
 * <p>Ownership: inbound {@link io.netty.buffer.ByteBuf}s handed to a stream pipeline belong to that
 * pipeline, which must release them; outbound buffers written to a stream are released by the muxer.
 * The only implementation today is {@link org.lotusia.libp2p.muxer.yamux}.
 */
package org.lotusia.libp2p.muxer;
