package org.lotusia.libp2p.security.noise;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@link ChaChaPolyAead} on a JCA {@link Cipher} (SunJCE or Conscrypt). One {@code Cipher} is reused for every
 * message and re-initialised with the message's nonce: the nonce always changes, so SunJCE's refusal to
 * re-initialise an encryption with the previous key and nonce never triggers.
 */
final class JcaChaChaPolyAead extends ChaChaPolyAead {
    private final Kind kind;
    private final Cipher cipher;
    private final byte[] iv = new byte[NONCE_LENGTH];
    private SecretKeySpec key;
    private final byte[] keyBytes = new byte[KEY_LENGTH];
    /** The nonce of the last {@code init} with the current key, valid when {@link #haveLast}. */
    private long lastNonce;
    private boolean lastEncrypt;
    private boolean haveLast;

    JcaChaChaPolyAead(Kind kind, Cipher cipher) {
        this.kind = kind;
        this.cipher = cipher;
    }

    @Override
    public Kind kind() {
        return kind;
    }

    @Override
    public boolean prefersDirectBuffers() {
        return kind == Kind.CONSCRYPT;
    }

    @Override
    public void setKey(byte[] k, int off) {
        // The provider remembers the last key and nonce across re-keying; so do we, unless the key really changed.
        if (key == null || !Arrays.equals(keyBytes, 0, KEY_LENGTH, k, off, off + KEY_LENGTH)) {
            haveLast = false;
        }
        System.arraycopy(k, off, keyBytes, 0, KEY_LENGTH);
        key = new SecretKeySpec(keyBytes, "ChaCha20");
    }

    private void init(int mode, long nonce) throws GeneralSecurityException {
        if (key == null) {
            throw new IllegalStateException("no key set");
        }
        boolean encrypt = mode == Cipher.ENCRYPT_MODE;
        if (haveLast && nonce == lastNonce) {
            // Same key and nonce as the previous init. Protocol flow never does this (nonces only grow), but a
            // caller may decrypt a message it just sealed, or retry a failed decryption. SunJCE (JDK 17 in both
            // modes, later JDKs for encryption) and Conscrypt refuse such a re-init, so step through another nonce
            // first. Encrypting twice under one nonce stays refused: that would break the cipher.
            if (encrypt && lastEncrypt) {
                throw new IllegalStateException("refusing to encrypt twice with the same ChaCha20-Poly1305 nonce");
            }
            encodeNonce(nonce ^ 1, iv);
            cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(iv));
        }
        encodeNonce(nonce, iv);
        cipher.init(mode, key, new IvParameterSpec(iv));
        lastNonce = nonce;
        lastEncrypt = encrypt;
        haveLast = true;
    }

    @Override
    public int seal(long nonce, byte[] ad, byte[] in, int inOff, int inLen, byte[] out, int outOff) {
        try {
            init(Cipher.ENCRYPT_MODE, nonce);
            if (ad != null && ad.length > 0) {
                cipher.updateAAD(ad);
            }
            return cipher.doFinal(in, inOff, inLen, out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(kind + " ChaCha20-Poly1305 encryption failed", e);
        }
    }

    @Override
    public int open(long nonce, byte[] ad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws AEADBadTagException {
        if (inLen < TAG_LENGTH) {
            throw new AEADBadTagException("ciphertext shorter than the tag");
        }
        try {
            init(Cipher.DECRYPT_MODE, nonce);
            if (ad != null && ad.length > 0) {
                cipher.updateAAD(ad);
            }
            return cipher.doFinal(in, inOff, inLen, out, outOff);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (BadPaddingException e) {
            throw badTag(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(kind + " ChaCha20-Poly1305 decryption failed", e);
        }
    }

    @Override
    public int seal(long nonce, ByteBuffer in, ByteBuffer out) {
        try {
            init(Cipher.ENCRYPT_MODE, nonce);
            return cipher.doFinal(in, out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(kind + " ChaCha20-Poly1305 encryption failed", e);
        }
    }

    @Override
    public int open(long nonce, ByteBuffer in, ByteBuffer out) throws AEADBadTagException {
        if (in.remaining() < TAG_LENGTH) {
            throw new AEADBadTagException("ciphertext shorter than the tag");
        }
        try {
            init(Cipher.DECRYPT_MODE, nonce);
            return cipher.doFinal(in, out);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (BadPaddingException e) {
            throw badTag(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(kind + " ChaCha20-Poly1305 decryption failed", e);
        }
    }

    private static AEADBadTagException badTag(BadPaddingException e) {
        AEADBadTagException t = new AEADBadTagException(e.getMessage());
        t.initCause(e);
        return t;
    }

    @Override
    public void destroy() {
        key = null;
        Arrays.fill(keyBytes, (byte) 0);
    }
}
