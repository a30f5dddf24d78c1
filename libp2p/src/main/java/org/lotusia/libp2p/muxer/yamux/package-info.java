// SPDX-License-Identifier: MIT
/**
 * Yamux ({@code /yamux/1.0.0}) as a Netty handler with one child channel per stream.
 *
 * <p>Spec: https://github.com/libp2p/specs/blob/master/yamux/README.md (and hashicorp/yamux spec.md).
 * Interop target: {@code @chainsafe/libp2p-yamux} 8.x as js-libp2p 3.x speaks it.
 *
 * <h2>Usage</h2>
 * <pre>{@code
 * ChannelHandler inbound = new ChannelInitializer<Channel>() {   // @Sharable, runs per inbound stream
 *     protected void initChannel(Channel stream) { stream.pipeline().addLast(new MultistreamListener(...)); }
 * };
 * YamuxHandler session = new YamuxHandler(isDialer, YamuxConfig.defaults(), inbound);
 * connection.pipeline().addLast("yamux", session);          // last handler, after the security layer
 * session.openStream(initializer).thenAccept(stream -> ...); // writable at once
 * }</pre>
 *
 * <h2>Design</h2>
 * <ul>
 *   <li>{@link org.lotusia.libp2p.muxer.yamux.YamuxFrameDecoder} streams Data payloads to the stream
 *       as retained slices of the inbound buffers (no cumulation, no copy, any frame size up to the
 *       window); only split headers are copied.</li>
 *   <li>{@link org.lotusia.libp2p.muxer.yamux.YamuxFrameWriter} collects all frames of a read batch or
 *       flush into one (composite) buffer: headers are packed into a shared scratch buffer, payloads are
 *       retained slices of what the application wrote; consecutive small writes of a stream share one
 *       Data frame.</li>
 *   <li>Send side: a stream's outbound buffer holds what the window (or a congested connection) does
 *       not admit; its water marks drive {@code isWritable()}. Receive side: data counts as consumed
 *       when handed to the stream pipeline, so {@code autoRead=false} stops the sender after one window.
 *       Credit goes back once half the window is consumed; the window doubles up to
 *       {@code maxStreamWindow} when that happens within four (minimum) ping round trips.</li>
 * </ul>
 *
 * <h2>Deliberate differences</h2>
 * <ul>
 *   <li>Inbound streams are acknowledged at once with a WindowUpdate ACK (js piggybacks the ACK on its
 *       first frame back); both are allowed by the spec.</li>
 *   <li>One WindowUpdate per half window consumed, not one per Data frame as js sends.</li>
 *   <li>A ping answer that matches no outstanding ping is ignored (js treats it as a protocol error).</li>
 *   <li>A peer that opens a stream with this side's id parity gets GoAway(1); js sends GoAway(0)
 *       for this case because of a quirk.</li>
 *   <li>{@code close()} on a stream with unsent data resets it instead of sending FIN, so the peer never
 *       mistakes a truncated message for a complete one (see {@link
 *       org.lotusia.libp2p.muxer.yamux.YamuxStreamChannel}).</li>
 *   <li>An unanswered ping closes the connection only if nothing at all arrived during the timeout.</li>
 * </ul>
 */
package org.lotusia.libp2p.muxer.yamux;
