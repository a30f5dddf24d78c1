/**
 * Circuit relay v2 ({@code /libp2p/circuit/relay/0.2.0/hop} and {@code /stop}): {@link
 * org.lotusia.libp2p.relay.RelayServer} grants reservations and relays circuits within limits;
 * {@link org.lotusia.libp2p.relay.RelayClient} reserves slots on relays, dials peers through them and
 * accepts relayed connections. A relayed connection is an ordinary host connection (Noise and Yamux
 * run over the relayed stream) marked {@linkplain org.lotusia.libp2p.host.Connection#isLimited()
 * limited} when the relay caps it.
 */
package org.lotusia.libp2p.relay;
