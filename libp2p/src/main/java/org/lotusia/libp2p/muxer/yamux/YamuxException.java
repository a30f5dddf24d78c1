// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import org.lotusia.libp2p.muxer.MuxerException;

/**
 * A yamux failure that ends the whole session. {@link #code()} is the GoAway code sent to the peer
 * (or received from it, see {@link #isRemote()}).
 */
public class YamuxException extends MuxerException {
    private static final long serialVersionUID = 1L;

    private final GoAwayCode code;
    private final boolean remote;

    /** Creates an exception for a local decision to end the session with {@code code}. */
    public YamuxException(GoAwayCode code, String message) {
        this(code, message, false);
    }

    /** Creates an exception; {@code remote} is true when the peer ended the session. */
    public YamuxException(GoAwayCode code, String message, boolean remote) {
        super(message);
        this.code = code;
        this.remote = remote;
    }

    /** Returns the GoAway code that describes the failure. */
    public GoAwayCode code() {
        return code;
    }

    /** Returns true when the peer ended the session (a GoAway we received). */
    public boolean isRemote() {
        return remote;
    }

    static YamuxException protocol(String message) {
        return new YamuxException(GoAwayCode.PROTOCOL_ERROR, message);
    }
}
