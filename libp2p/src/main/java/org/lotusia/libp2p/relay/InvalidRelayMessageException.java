package org.lotusia.libp2p.relay;

import org.lotusia.libp2p.Libp2pException;

/** A hop or stop message, or a reservation voucher, could not be decoded or breaks the protocol. */
public final class InvalidRelayMessageException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public InvalidRelayMessageException(String message) {
        super(message);
    }

    /** Creates the exception with its cause. */
    public InvalidRelayMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
