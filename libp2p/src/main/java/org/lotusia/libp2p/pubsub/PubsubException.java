package org.lotusia.libp2p.pubsub;

import org.lotusia.libp2p.Libp2pException;

/** A pubsub message or operation was refused (bad signature, no peers to publish to, router closed …). */
public class PubsubException extends Libp2pException {
    /** Creates the exception. */
    public PubsubException(String message) {
        super(message);
    }

    /** Creates the exception with a cause. */
    public PubsubException(String message, Throwable cause) {
        super(message, cause);
    }
}
