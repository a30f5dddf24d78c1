package org.lotusia.p2p;

/** A coordinator operation failed, e.g. {@link P2PCoordinator#start()} could not bind its addresses. */
public class P2PException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what failed */
    public P2PException(String message) {
        super(message);
    }

    /** @param message what failed; @param cause why */
    public P2PException(String message, Throwable cause) {
        super(message, cause);
    }
}
