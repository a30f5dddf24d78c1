package org.lotusia.libp2p.host;

import org.lotusia.libp2p.Libp2pException;

/** A stream was refused because its protocol may not run on a limited (relayed) connection. */
public final class LimitedConnectionException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the protocols and the peer. */
    public LimitedConnectionException(String message) {
        super(message);
    }
}
