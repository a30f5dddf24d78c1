package org.lotusia.libp2p.transport;

/** A dial did not connect within its timeout. */
public class DialTimeoutException extends TransportException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the address and the timeout. */
    public DialTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
