// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import org.lotusia.libp2p.Libp2pException;

/**
 * Reports a failure of a stream muxer: the session is closed or going away, a limit was reached, or
 * the peer broke the muxer protocol (see the implementation's subclasses for wire error codes).
 */
public class MuxerException extends Libp2pException {
    private static final long serialVersionUID = 1L;

    /** Creates an exception with a message that says what went wrong. */
    public MuxerException(String message) {
        super(message);
    }

    /** Creates an exception with a message and the failure that caused it. */
    public MuxerException(String message, Throwable cause) {
        super(message, cause);
    }
}
