package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.Libp2pException;

/** A DHT record was rejected by its validator or key rules. */
public final class InvalidRecordException extends Libp2pException {
    /** Creates the exception. */
    public InvalidRecordException(String message) {
        super(message);
    }
}
