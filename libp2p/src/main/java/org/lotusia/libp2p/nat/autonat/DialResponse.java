package org.lotusia.libp2p.nat.autonat;

import org.lotusia.libp2p.multiformats.Multiaddr;

import java.util.Optional;

/**
 * A server's answer to a dial-back request.
 *
 * @param status  the status code
 * @param text    the server's explanation (may be empty)
 * @param address the address it reached us at (OK) or tried last (E_DIAL_ERROR), when given
 */
public record DialResponse(Status status, String text, Optional<Multiaddr> address) {
    /** AutoNAT v1 response statuses (wire values in {@link #code()}). */
    public enum Status {
        OK(0), E_DIAL_ERROR(100), E_DIAL_REFUSED(101), E_BAD_REQUEST(200), E_INTERNAL_ERROR(300);

        private final int code;

        Status(int code) {
            this.code = code;
        }

        /** The protobuf value. */
        public int code() {
            return code;
        }
    }
}
