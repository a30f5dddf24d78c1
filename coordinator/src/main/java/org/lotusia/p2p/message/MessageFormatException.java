package org.lotusia.p2p.message;

import org.lotusia.libp2p.Libp2pException;

/**
 * Thrown when bytes are not a well-formed {@link P2PMessage}: too large, too deeply nested, not
 * UTF-8 JSON, not a JSON object, or a field of the wrong JSON type. Also thrown when a value cannot
 * be converted to a JSON payload.
 */
public class MessageFormatException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception saying what was wrong. */
    public MessageFormatException(String message) {
        super(message);
    }

    /** Creates an exception saying what was wrong, with the underlying parser failure. */
    public MessageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
