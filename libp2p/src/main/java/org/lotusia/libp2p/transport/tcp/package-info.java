/**
 * TCP transport on Netty: {@link org.lotusia.libp2p.transport.tcp.TcpTransport} for
 * {@code /ip4/…/tcp/…} and {@code /ip6/…/tcp/…} multiaddrs, and
 * {@link org.lotusia.libp2p.transport.tcp.TcpAddresses} for converting between multiaddrs and
 * socket addresses.
 */
package org.lotusia.libp2p.transport.tcp;
