package org.lotusia.libp2p.transport;

import org.lotusia.libp2p.Libp2pException;

/** A dial or listen failed; the message names the multiaddr and the reason. */
public class TransportException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what failed and why. */
    public TransportException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the underlying failure. */
    public TransportException(String message, Throwable cause) {
        super(message, cause);
    }
}
