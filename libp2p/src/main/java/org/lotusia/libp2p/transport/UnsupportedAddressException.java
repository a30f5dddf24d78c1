package org.lotusia.libp2p.transport;

/**
 * A multiaddr that the transport cannot dial or listen on (wrong protocol stack, a DNS name where
 * only IP literals are supported, an unknown IPv6 zone, …).
 */
public class UnsupportedAddressException extends TransportException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message naming the address and what is wrong with it. */
    public UnsupportedAddressException(String message) {
        super(message);
    }
}
