// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

/**
 * Fails writes and futures of a stream that was reset, by the remote peer or locally through
 * {@link StreamChannel#reset()}. {@link #isRemote()} tells which side aborted the stream.
 */
public class StreamResetException extends MuxerException {
    private static final long serialVersionUID = 1L;

    private final boolean remote;

    /** Creates the exception; {@code remote} is true when the peer sent the reset. */
    public StreamResetException(String message, boolean remote) {
        super(message);
        this.remote = remote;
    }

    /** Returns true when the peer reset the stream, false when it was reset locally. */
    public boolean isRemote() {
        return remote;
    }
}
