package org.lotusia.libp2p.nat.upnp;

import org.lotusia.libp2p.Libp2pException;

/** A UPnP gateway could not be found, answered with an error, or sent something malformed. */
public class UpnpException extends Libp2pException {
    private final int errorCode;

    /** A failure without a UPnP error code. */
    public UpnpException(String message) {
        this(message, -1, null);
    }

    /** A failure caused by {@code cause}. */
    public UpnpException(String message, Throwable cause) {
        this(message, -1, cause);
    }

    /** A SOAP fault with UPnP error {@code errorCode} (e.g. 718 ConflictInMappingEntry). */
    public UpnpException(String message, int errorCode, Throwable cause) {
        super(message, cause);
        this.errorCode = errorCode;
    }

    /** The UPnP error code of a SOAP fault, or -1. */
    public int errorCode() {
        return errorCode;
    }
}
