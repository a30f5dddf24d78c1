package org.lotusia.libp2p.security.noise;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;

/** The Noise {@code SymmetricState} (spec section 5.2): chaining key, handshake hash and the handshake cipher. */
final class SymmetricState {
    private final NoiseHash hash = new NoiseHash();
    private final byte[] ck = new byte[NoiseHash.HASH_LEN];
    private final byte[] h = new byte[NoiseHash.HASH_LEN];
    private final byte[] k = new byte[NoiseHash.HASH_LEN];
    private final CipherState cipher;
    private final ChaChaPolyAead aead;

    /** {@code InitializeSymmetric(protocolName)}. */
    SymmetricState(String protocolName, ChaChaPolyAead aead) {
        byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
        if (name.length <= NoiseHash.HASH_LEN) {
            System.arraycopy(name, 0, h, 0, name.length);
        } else {
            hash.hash(name, 0, name.length, null, 0, 0, h, 0);
        }
        System.arraycopy(h, 0, ck, 0, ck.length);
        this.aead = aead;
        this.cipher = new CipherState(aead);
    }

    /** {@code h = HASH(h || data)}. */
    void mixHash(byte[] data, int off, int len) {
        hash.hash(h, 0, h.length, data, off, len, h, 0);
    }

    /** {@code ck, tempK = HKDF(ck, ikm); InitializeKey(tempK)}. */
    void mixKey(byte[] ikm, int off, int len) {
        hash.hkdf(ck, ikm, off, len, ck, k);
        cipher.initializeKey(k, 0);
        Arrays.fill(k, (byte) 0);
    }

    /** Encrypts (or copies, before the first key) {@code in} into {@code out}, then mixes the result into {@code h}. */
    int encryptAndHash(byte[] in, int inOff, int len, byte[] out, int outOff) {
        int n;
        if (cipher.hasKey()) {
            n = cipher.encryptWithAd(h, in, inOff, len, out, outOff);
        } else {
            System.arraycopy(in, inOff, out, outOff, len);
            n = len;
        }
        mixHash(out, outOff, n);
        return n;
    }

    /** Decrypts (or copies, before the first key) {@code in} into {@code out}, then mixes the ciphertext into {@code h}. */
    int decryptAndHash(byte[] in, int inOff, int len, byte[] out, int outOff) throws AEADBadTagException {
        int n;
        if (cipher.hasKey()) {
            n = cipher.decryptWithAd(h, in, inOff, len, out, outOff);
        } else {
            System.arraycopy(in, inOff, out, outOff, len);
            n = len;
        }
        mixHash(in, inOff, len);
        return n;
    }

    /** The AEAD of the handshake cipher (reusable for one transport direction after {@link #split}). */
    ChaChaPolyAead aead() {
        return aead;
    }

    /** Whether a key has been mixed in (so payloads are encrypted). */
    boolean hasKey() {
        return cipher.hasKey();
    }

    /** {@code Split()}: the two transport cipher states, first = initiator to responder. Destroys this state's key. */
    CipherState[] split(ChaChaPolyAead first, ChaChaPolyAead second) {
        byte[] k1 = new byte[NoiseHash.HASH_LEN];
        byte[] k2 = new byte[NoiseHash.HASH_LEN];
        hash.hkdf(ck, new byte[0], 0, 0, k1, k2);
        cipher.destroy(); // first: the caller may hand the handshake's AEAD back as one of the two
        CipherState c1 = new CipherState(first);
        CipherState c2 = new CipherState(second);
        c1.initializeKey(k1, 0);
        c2.initializeKey(k2, 0);
        Arrays.fill(k1, (byte) 0);
        Arrays.fill(k2, (byte) 0);
        Arrays.fill(ck, (byte) 0);
        return new CipherState[] {c1, c2};
    }

    /** A copy of the handshake hash {@code h}. */
    byte[] handshakeHash() {
        return h.clone();
    }
}
