/**
 * Transports: how raw connections to other peers are made and accepted.
 *
 * <p>A {@link org.lotusia.libp2p.transport.Transport} dials and listens on multiaddrs and hands out
 * plain Netty {@link io.netty.channel.Channel}s; security and muxing are layered on top by the
 * upgrader. Event loops are shared through {@link org.lotusia.libp2p.transport.TransportResources}.
 * Failures are reported as {@link org.lotusia.libp2p.transport.TransportException}s in the returned
 * futures.
 */
package org.lotusia.libp2p.transport;
