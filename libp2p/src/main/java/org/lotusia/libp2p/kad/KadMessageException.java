package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.Libp2pException;

/** A kad message could not be decoded or broke a bound (size, peer entries, addresses per entry). */
public final class KadMessageException extends Libp2pException {
    /** Creates the exception. */
    public KadMessageException(String message) {
        super(message);
    }

    /** Creates the exception with its cause. */
    public KadMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
