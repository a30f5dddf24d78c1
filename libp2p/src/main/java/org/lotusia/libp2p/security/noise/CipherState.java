package org.lotusia.libp2p.security.noise;

import java.nio.ByteBuffer;
import javax.crypto.AEADBadTagException;
import org.lotusia.libp2p.security.SecureChannelException;

/**
 * A Noise {@code CipherState}: a ChaCha20-Poly1305 key and the 64-bit message counter used as nonce
 * (4 zero bytes || counter little-endian). After the handshake each direction of a session owns one. The
 * counter increments after every successful encryption or decryption and never wraps: the value
 * 2<sup>64</sup>-1 is reserved by the Noise spec, so using it throws {@link SecureChannelException} with
 * {@link SecureChannelException.Reason#NONCE_EXHAUSTED}. Not thread-safe.
 */
public final class CipherState {
    /** Reserved counter value 2<sup>64</sup>-1 (as an unsigned long); a state that reaches it is exhausted. */
    static final long RESERVED_NONCE = -1L;

    private final ChaChaPolyAead aead;
    private boolean hasKey;
    private long n;

    CipherState(ChaChaPolyAead aead) {
        this.aead = aead;
    }

    /** Sets the key ({@code k[off..off+32)}, copied) and resets the counter to zero. */
    void initializeKey(byte[] k, int off) {
        aead.setKey(k, off);
        n = 0;
        hasKey = true;
    }

    /** Whether a key is set. */
    public boolean hasKey() {
        return hasKey;
    }

    /** The next nonce (number of messages processed so far), as an unsigned 64-bit value. */
    public long nonce() {
        return n;
    }

    /** For tests: jump the counter. */
    void setNonce(long nonce) {
        n = nonce;
    }

    /** The AEAD implementation in use. */
    public ChaChaPolyAead.Kind aeadKind() {
        return aead.kind();
    }

    /** Whether {@link #encrypt(ByteBuffer, ByteBuffer)} and friends are fastest with direct buffers. */
    public boolean prefersDirectBuffers() {
        return aead.prefersDirectBuffers();
    }

    private long next() {
        if (!hasKey) {
            throw new IllegalStateException("CipherState has no key");
        }
        if (n == RESERVED_NONCE) {
            throw new SecureChannelException(SecureChannelException.Reason.NONCE_EXHAUSTED,
                    "Noise nonce exhausted after 2^64-1 messages");
        }
        return n;
    }

    /**
     * Encrypts {@code in[inOff..inOff+len)} with additional data {@code ad} (null = empty) into {@code out} at
     * {@code outOff}: ciphertext then the 16-byte tag. Buffers must not overlap.
     *
     * @return bytes written, {@code len + 16}
     */
    public int encryptWithAd(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff) {
        int written = aead.seal(next(), ad, in, inOff, len, out, outOff);
        n++;
        return written;
    }

    /**
     * Verifies and decrypts {@code in[inOff..inOff+len)} (ciphertext || tag) with additional data {@code ad}.
     * On failure the counter does not advance and the output range must be ignored.
     *
     * @return plaintext bytes written, {@code len - 16}
     * @throws AEADBadTagException if authentication fails
     */
    public int decryptWithAd(byte[] ad, byte[] in, int inOff, int len, byte[] out, int outOff)
            throws AEADBadTagException {
        int written = aead.open(next(), ad, in, inOff, len, out, outOff);
        n++;
        return written;
    }

    /** Transport encryption (empty additional data) of {@code in}'s remaining bytes into {@code out}. */
    public int encrypt(ByteBuffer in, ByteBuffer out) {
        int written = aead.seal(next(), in, out);
        n++;
        return written;
    }

    /**
     * Transport decryption (empty additional data) of {@code in}'s remaining bytes into {@code out}.
     *
     * @throws AEADBadTagException if authentication fails
     */
    public int decrypt(ByteBuffer in, ByteBuffer out) throws AEADBadTagException {
        int written = aead.open(next(), in, out);
        n++;
        return written;
    }

    /** Forgets the key; the state cannot be used afterwards. */
    public void destroy() {
        hasKey = false;
        aead.destroy();
    }
}
