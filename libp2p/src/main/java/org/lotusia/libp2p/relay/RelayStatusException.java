package org.lotusia.libp2p.relay;

import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.relay.pb.CircuitProto;

/** A relay (or the target of a circuit) answered with a status other than {@code OK}. */
public final class RelayStatusException extends Libp2pException {
    private static final long serialVersionUID = 1L;
    private final transient CircuitProto.Status status;

    /** Creates the exception for {@code status}. */
    public RelayStatusException(CircuitProto.Status status, String message) {
        super(message + " (" + status + ")");
        this.status = status;
    }

    /** The status the peer answered. */
    public CircuitProto.Status status() {
        return status;
    }
}
