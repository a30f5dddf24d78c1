// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

/** The error codes a yamux GoAway frame carries in its length field. */
public enum GoAwayCode {
    /** Normal termination. */
    NORMAL(0),
    /** The peer broke the protocol. */
    PROTOCOL_ERROR(1),
    /** The sender failed internally. */
    INTERNAL_ERROR(2);

    private final int code;

    GoAwayCode(int code) {
        this.code = code;
    }

    /** Returns the wire value. */
    public int code() {
        return code;
    }

    /** Returns the constant for a wire value, or null for a value this implementation does not know. */
    public static GoAwayCode fromCode(long code) {
        for (GoAwayCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }
}
