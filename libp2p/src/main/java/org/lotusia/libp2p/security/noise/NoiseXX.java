package org.lotusia.libp2p.security.noise;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.lotusia.libp2p.security.SecurityHandshakeException;

/**
 * The Noise {@code HandshakeState} for pattern XX with 25519, ChaChaPoly and SHA256 (spec sections 5.3 and 7.5),
 * with arbitrary prologue and payloads so it can be checked against the standard test vectors. The libp2p rules
 * (payload contents, sizes) live in {@link NoiseHandshake}.
 * <pre>
 *   -&gt; e
 *   &lt;- e, ee, s, es
 *   -&gt; s, se
 * </pre>
 * X25519 is BouncyCastle's low-level {@code rfc7748.X25519} (about 2x faster than the JDK's XDH here). An all-zero
 * DH result (low-order remote point) is rejected. Not thread-safe.
 */
final class NoiseXX {
    static final String PROTOCOL_NAME = "Noise_XX_25519_ChaChaPoly_SHA256";
    static final int DH_LEN = X25519.POINT_SIZE;
    static final int TAG_LEN = ChaChaPolyAead.TAG_LENGTH;
    /** Overhead of each message before its payload: msg 1 = e, msg 2 = e + enc(s), msg 3 = enc(s); plus a tag once keyed. */
    private static final int[] PREFIX_LEN = {DH_LEN, DH_LEN + DH_LEN + TAG_LEN, DH_LEN + TAG_LEN};
    private static final int MESSAGES = 3;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean initiator;
    private final SymmetricState ss;
    private final byte[] s;
    private final byte[] sPub;
    private final byte[] e = new byte[DH_LEN];
    private final byte[] ePub = new byte[DH_LEN];
    private boolean haveE;
    private final byte[] re = new byte[DH_LEN];
    private final byte[] rs = new byte[DH_LEN];
    private final byte[] dh = new byte[DH_LEN];
    private int index;

    /**
     * @param initiator       role
     * @param prologue        prologue bytes (libp2p: empty)
     * @param staticPrivate   32-byte X25519 static private key (not copied: owned by the identity)
     * @param staticPublic    its public key
     * @param ephemeralPrivate fixed ephemeral private key for test vectors, or null for a fresh random one
     * @param aead            the AEAD for the handshake cipher
     */
    NoiseXX(boolean initiator, byte[] prologue, byte[] staticPrivate, byte[] staticPublic, byte[] ephemeralPrivate,
            ChaChaPolyAead aead) {
        this.initiator = initiator;
        this.s = staticPrivate;
        this.sPub = staticPublic;
        this.ss = new SymmetricState(PROTOCOL_NAME, aead);
        ss.mixHash(prologue, 0, prologue.length);
        if (ephemeralPrivate != null) {
            System.arraycopy(ephemeralPrivate, 0, e, 0, DH_LEN);
            X25519.generatePublicKey(e, 0, ePub, 0);
            haveE = true;
        }
    }

    /** Generates an X25519 key pair: {@code priv} gets 32 random clamped bytes, {@code pub} the public point. */
    static void generateKeyPair(byte[] priv, byte[] pub) {
        X25519.generatePrivateKey(RANDOM, priv);
        X25519.generatePublicKey(priv, 0, pub, 0);
    }

    boolean isInitiator() {
        return initiator;
    }

    /** Index of the next message (0, 1, 2), or 3 when the handshake is complete. */
    int messageIndex() {
        return index;
    }

    boolean isComplete() {
        return index == MESSAGES;
    }

    /** Whether this side writes the next message. */
    boolean isWriteTurn() {
        return !isComplete() && ((index % 2 == 0) == initiator);
    }

    /** Length of message {@code index} carrying a payload of {@code payloadLen} bytes. */
    static int messageLength(int index, int payloadLen) {
        return PREFIX_LEN[index] + payloadLen + (index == 0 ? 0 : TAG_LEN);
    }

    /** The smallest valid length of message {@code index} (empty payload). */
    static int minMessageLength(int index) {
        return messageLength(index, 0);
    }

    /** The remote's static public key (valid after the message carrying it was read). */
    byte[] remoteStatic() {
        return rs.clone();
    }

    byte[] handshakeHash() {
        return ss.handshakeHash();
    }

    ChaChaPolyAead handshakeAead() {
        return ss.aead();
    }

    /**
     * Writes the next message with {@code payload} into {@code out} at {@code outOff}.
     *
     * @return the message length ({@link #messageLength})
     */
    int writeMessage(byte[] payload, int pOff, int pLen, byte[] out, int outOff) {
        if (!isWriteTurn()) {
            throw new IllegalStateException("not this side's turn to write (message " + index + ")");
        }
        int o = outOff;
        switch (index) {
            case 0: // -> e
                o = writeE(out, o);
                break;
            case 1: // <- e, ee, s, es
                o = writeE(out, o);
                mixDh(e, re);
                o += ss.encryptAndHash(sPub, 0, DH_LEN, out, o);
                mixDh(s, re);
                break;
            case 2: // -> s, se
                o += ss.encryptAndHash(sPub, 0, DH_LEN, out, o);
                mixDh(s, re);
                break;
            default:
                throw new IllegalStateException();
        }
        o += ss.encryptAndHash(payload, pOff, pLen, out, o);
        index++;
        return o - outOff;
    }

    private int writeE(byte[] out, int o) {
        if (!haveE) {
            generateKeyPair(e, ePub);
            haveE = true;
        }
        System.arraycopy(ePub, 0, out, o, DH_LEN);
        ss.mixHash(ePub, 0, DH_LEN);
        return o + DH_LEN;
    }

    /**
     * Reads the next message {@code msg[off..off+len)} and writes its payload into {@code payloadOut} at
     * {@code pOff} (room for {@code len} bytes is enough).
     *
     * @return the payload length
     * @throws AEADBadTagException if an encrypted part does not authenticate
     * @throws SecurityHandshakeException (MALFORMED_MESSAGE) if the message is too short or carries a low-order key
     */
    int readMessage(byte[] msg, int off, int len, byte[] payloadOut, int pOff) throws AEADBadTagException {
        if (isComplete() || isWriteTurn()) {
            throw new IllegalStateException("not this side's turn to read (message " + index + ")");
        }
        if (len < minMessageLength(index)) {
            throw malformed("Noise handshake message " + (index + 1) + " too short: " + len + " bytes, need at least "
                    + minMessageLength(index));
        }
        int o = off;
        switch (index) {
            case 0: // -> e
                o = readE(msg, o);
                break;
            case 1: // <- e, ee, s, es
                o = readE(msg, o);
                mixDh(e, re);
                ss.decryptAndHash(msg, o, DH_LEN + TAG_LEN, rs, 0);
                o += DH_LEN + TAG_LEN;
                mixDh(e, rs);
                break;
            case 2: // -> s, se
                ss.decryptAndHash(msg, o, DH_LEN + TAG_LEN, rs, 0);
                o += DH_LEN + TAG_LEN;
                mixDh(e, rs);
                break;
            default:
                throw new IllegalStateException();
        }
        int n = ss.decryptAndHash(msg, o, len - (o - off), payloadOut, pOff);
        index++;
        return n;
    }

    private int readE(byte[] msg, int o) {
        System.arraycopy(msg, o, re, 0, DH_LEN);
        ss.mixHash(re, 0, DH_LEN);
        return o + DH_LEN;
    }

    private void mixDh(byte[] priv, byte[] pub) {
        if (!X25519.calculateAgreement(priv, 0, pub, 0, dh, 0)) {
            throw malformed("remote sent a low-order X25519 public key");
        }
        ss.mixKey(dh, 0, DH_LEN);
        Arrays.fill(dh, (byte) 0);
    }

    /**
     * {@code Split()} after the last message: {@code [sender, receiver]} for this side. The first AEAD is used for
     * the initiator-to-responder direction.
     */
    CipherState[] split(ChaChaPolyAead first, ChaChaPolyAead second) {
        if (!isComplete()) {
            throw new IllegalStateException("handshake not complete");
        }
        CipherState[] c = ss.split(first, second);
        Arrays.fill(e, (byte) 0);
        return initiator ? c : new CipherState[] {c[1], c[0]};
    }

    private static SecurityHandshakeException malformed(String message) {
        return new SecurityHandshakeException(SecurityHandshakeException.Reason.MALFORMED_MESSAGE, message);
    }
}
