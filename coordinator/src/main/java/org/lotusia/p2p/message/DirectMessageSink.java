package org.lotusia.p2p.message;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;

/**
 * Where {@link DirectMessageService} delivers inbound direct messages. The body is the raw bytes
 * (parse with {@link P2PProtocol#deserialize}, then validate and dedup); {@code remotePeer} is the
 * peer authenticated by the connection's security handshake, which is what to trust, not the
 * message's {@code from}. Called on the service's executor (by default the stream's event loop:
 * do not block).
 */
public interface DirectMessageSink {
    /** A complete message from {@code remotePeer}. */
    void onMessage(byte[] body, PeerId remotePeer, Connection connection);

    /** A stream from {@code remotePeer} produced no message (default: ignored). */
    default void onFailure(ReceiveFailure failure, PeerId remotePeer, Connection connection, String detail) {
    }
}
