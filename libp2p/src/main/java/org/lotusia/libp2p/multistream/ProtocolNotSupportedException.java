package org.lotusia.libp2p.multistream;

import java.util.List;

/**
 * The remote answered {@code na} to every protocol the dialer proposed. {@link #triedProtocols()}
 * lists them in the order they were proposed.
 */
public class ProtocolNotSupportedException extends MultistreamException {
    private static final long serialVersionUID = 1L;

    private final List<String> triedProtocols;

    /** Creates the exception for the protocols the remote rejected, in proposal order. */
    public ProtocolNotSupportedException(List<String> triedProtocols) {
        super(Reason.PROTOCOL_NOT_SUPPORTED, "remote supports none of the proposed protocols " + triedProtocols);
        this.triedProtocols = List.copyOf(triedProtocols);
    }

    /** The protocols that were proposed and rejected, in proposal order. */
    public List<String> triedProtocols() {
        return triedProtocols;
    }
}
