package org.lotusia.libp2p.security.noise;

import java.nio.ByteBuffer;
import javax.crypto.AEADBadTagException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** {@link ChaChaPolyAead} on BouncyCastle's low-level engine (fallback; never the automatic first choice). */
final class BcChaChaPolyAead extends ChaChaPolyAead {
    private final ChaCha20Poly1305 engine = new ChaCha20Poly1305();
    private KeyParameter key;

    @Override
    public Kind kind() {
        return Kind.BOUNCY_CASTLE;
    }

    @Override
    public boolean prefersDirectBuffers() {
        return false;
    }

    @Override
    public void setKey(byte[] k, int off) {
        key = new KeyParameter(k, off, KEY_LENGTH);
    }

    private void init(boolean encrypt, long nonce, byte[] ad) {
        if (key == null) {
            throw new IllegalStateException("no key set");
        }
        byte[] iv = new byte[NONCE_LENGTH]; // BC keeps a reference for its nonce-reuse check: never mutate it
        encodeNonce(nonce, iv);
        engine.init(encrypt, new AEADParameters(key, TAG_LENGTH * 8, iv));
        if (ad != null && ad.length > 0) {
            engine.processAADBytes(ad, 0, ad.length);
        }
    }

    @Override
    public int seal(long nonce, byte[] ad, byte[] in, int inOff, int inLen, byte[] out, int outOff) {
        init(true, nonce, ad);
        int n = engine.processBytes(in, inOff, inLen, out, outOff);
        try {
            return n + engine.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("BouncyCastle ChaCha20-Poly1305 encryption failed", e);
        }
    }

    @Override
    public int open(long nonce, byte[] ad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws AEADBadTagException {
        if (inLen < TAG_LENGTH) {
            throw new AEADBadTagException("ciphertext shorter than the tag");
        }
        init(false, nonce, ad);
        int n = engine.processBytes(in, inOff, inLen, out, outOff);
        try {
            return n + engine.doFinal(out, outOff + n);
        } catch (InvalidCipherTextException e) {
            AEADBadTagException t = new AEADBadTagException(e.getMessage());
            t.initCause(e);
            throw t;
        }
    }

    @Override
    public int seal(long nonce, ByteBuffer in, ByteBuffer out) {
        int len = in.remaining();
        byte[] src = toArray(in);
        byte[] dst = new byte[len + TAG_LENGTH];
        int n = seal(nonce, null, src, 0, len, dst, 0);
        out.put(dst, 0, n);
        return n;
    }

    @Override
    public int open(long nonce, ByteBuffer in, ByteBuffer out) throws AEADBadTagException {
        int len = in.remaining();
        byte[] src = toArray(in);
        byte[] dst = new byte[Math.max(0, len - TAG_LENGTH)];
        int n = open(nonce, null, src, 0, len, dst, 0);
        out.put(dst, 0, n);
        return n;
    }

    private static byte[] toArray(ByteBuffer in) {
        byte[] a = new byte[in.remaining()];
        in.get(a);
        return a;
    }

    @Override
    public void destroy() {
        key = null;
    }
}
