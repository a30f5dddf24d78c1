package org.lotusia.libp2p.multiformats;

/** Thrown when a multibase (or bare base58/base32/base36/base64) string has an unknown prefix, an invalid character, an invalid length or non-zero trailing bits. */
public class InvalidMultibaseException extends MultiformatException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception whose message says what was wrong with the input. */
    public InvalidMultibaseException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public InvalidMultibaseException(String message, Throwable cause) {
        super(message, cause);
    }
}
