package org.lotusia.p2p.dht;

import org.lotusia.libp2p.Libp2pException;

/** A resource record from the network is malformed, mismatched, expired or forged. */
public final class InvalidResourceRecordException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public InvalidResourceRecordException(String message) {
        super(message);
    }
}
