package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.PeerId;

import java.util.List;
import java.util.Map;

/**
 * What a broadcast did. As in the reference there is no acknowledgement: "sent" means the message
 * was written and the stream half-closed, not that the peer processed it.
 *
 * @param sent   peers the message was written to
 * @param failed peers it could not be sent to, with the error
 */
public record BroadcastResult(List<PeerId> sent, Map<PeerId, Throwable> failed) {
    /** Copies. */
    public BroadcastResult {
        sent = List.copyOf(sent);
        failed = Map.copyOf(failed);
    }
}
