package org.lotusia.libp2p.multiformats;

import org.lotusia.libp2p.Libp2pException;

/**
 * Base class of every exception thrown when multiformat input (varints, multibase strings,
 * multihashes, CIDs, multiaddrs) is malformed. Decoders in this package never let any other
 * runtime exception escape for bad input, so catching this type is sufficient when handling
 * untrusted data.
 */
public class MultiformatException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says what was wrong with the input. */
    public MultiformatException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public MultiformatException(String message, Throwable cause) {
        super(message, cause);
    }
}
