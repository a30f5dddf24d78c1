package org.lotusia.p2p.security;

import org.lotusia.libp2p.crypto.PeerId;

/** Shared helpers: cheap distinct peer ids (the clock is {@link org.lotusia.libp2p.testing.ManualClock}). */
final class TestSupport {
    private TestSupport() {
    }


    /** A distinct, valid sha2-256 peer id for each n. */
    static PeerId peer(int n) {
        byte[] b = new byte[34];
        b[0] = 0x12;
        b[1] = 0x20;
        b[2] = (byte) (n >>> 24);
        b[3] = (byte) (n >>> 16);
        b[4] = (byte) (n >>> 8);
        b[5] = (byte) n;
        b[33] = 0x5a;
        return PeerId.fromBytes(b);
    }
}
