package org.lotusia.libp2p.codec;

import org.lotusia.libp2p.Libp2pException;

/** A peer announced a length-prefixed frame larger than the protocol allows. */
public final class FrameTooLongException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception for a frame of {@code length} bytes where {@code max} are allowed. */
    public FrameTooLongException(long length, int max) {
        super("length-prefixed frame of " + length + " bytes exceeds the limit of " + max + " bytes");
    }
}
