package org.lotusia.libp2p.host;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.muxer.StreamChannel;

/**
 * A muxed stream whose protocol has been negotiated.
 *
 * @param channel    the stream as a Netty channel: write ByteBufs, add handlers to read them
 * @param protocol   the protocol both sides agreed on
 * @param connection the connection that carries it
 */
public record Libp2pStream(StreamChannel channel, String protocol, Connection connection) {

    /** The peer at the other end. */
    public PeerId remotePeer() {
        return connection.remotePeer();
    }
}
