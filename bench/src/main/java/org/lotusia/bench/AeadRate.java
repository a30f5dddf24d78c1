package org.lotusia.bench;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.ThreadLocalRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.lotusia.libp2p.security.noise.ChaChaPolyAead;

/**
 * Timed loops (not JMH) measuring ChaCha20-Poly1305 on one thread with full Noise frames, for the connection
 * benchmark's "JDK AEAD rate" line: the raw JDK cipher (seal and open) and our wrapper as the node uses it (seal).
 * Each measurement runs a warm-up of the same loop first. Results are bytes of plaintext per second.
 */
final class AeadRate {
    static final int FRAME = ChaChaPolyBenchmark.FRAME;
    private static final int TAG = 16;
    private static final int RING = 8;

    private final byte[] key = new byte[32];
    private final byte[] plain = new byte[FRAME];
    private final byte[] out = new byte[FRAME + TAG];
    private final byte[] iv = new byte[12];
    private final double warmupSeconds;
    private final double seconds;
    private long sink;

    AeadRate(double warmupSeconds, double seconds) {
        this.warmupSeconds = warmupSeconds;
        this.seconds = seconds;
        ThreadLocalRandom.current().nextBytes(key);
        ThreadLocalRandom.current().nextBytes(plain);
    }

    private interface Op {
        int run(long n) throws GeneralSecurityException;
    }

    private double time(Op op) throws GeneralSecurityException {
        loop(op, warmupSeconds);
        return loop(op, seconds);
    }

    /** Runs {@code op} for about {@code secs}; returns plaintext bytes per second. */
    private double loop(Op op, double secs) throws GeneralSecurityException {
        long deadline = (long) (secs * 1e9);
        long start = System.nanoTime();
        long ops = 0;
        long elapsed;
        do {
            for (int i = 0; i < 16; i++) {
                sink += op.run(ops++);
            }
            elapsed = System.nanoTime() - start;
        } while (elapsed < deadline);
        return ops * (double) FRAME / (elapsed / 1e9);
    }

    private void nonce(long n) {
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (8 * i));
        }
    }

    /** Raw {@code Cipher.getInstance("ChaCha20-Poly1305")}, reused, re-initialised per frame: encryption. */
    double jdkSeal() throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        SecretKeySpec spec = new SecretKeySpec(key, "ChaCha20");
        long[] counter = {0};
        return time(n -> {
            nonce(counter[0]++);
            cipher.init(Cipher.ENCRYPT_MODE, spec, new IvParameterSpec(iv));
            return cipher.doFinal(plain, 0, FRAME, out, 0);
        });
    }

    /** The same for decryption (cycling through frames sealed under different nonces). */
    double jdkOpen() throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("ChaCha20-Poly1305");
        SecretKeySpec spec = new SecretKeySpec(key, "ChaCha20");
        byte[][] ring = new byte[RING][FRAME + TAG];
        for (int i = 0; i < RING; i++) {
            nonce(i);
            cipher.init(Cipher.ENCRYPT_MODE, spec, new IvParameterSpec(iv));
            cipher.doFinal(plain, 0, FRAME, ring[i], 0);
        }
        byte[] opened = new byte[FRAME];
        return time(n -> {
            int i = (int) (n % RING);
            nonce(i);
            cipher.init(Cipher.DECRYPT_MODE, spec, new IvParameterSpec(iv));
            return cipher.doFinal(ring[i], 0, FRAME + TAG, opened, 0);
        });
    }

    /** Our wrapper, in the implementation chosen for this JVM, on the buffers the transport codec gives it. */
    double wrapperSeal() throws GeneralSecurityException {
        ChaChaPolyAead aead = ChaChaPolyAead.newInstance();
        aead.setKey(key, 0);
        long[] counter = {0};
        if (aead.prefersDirectBuffers()) {
            ByteBuffer in = ByteBuffer.allocateDirect(FRAME).put(plain).flip();
            ByteBuffer dst = ByteBuffer.allocateDirect(FRAME + TAG);
            return time(n -> {
                in.rewind();
                dst.clear();
                return aead.seal(counter[0]++, in, dst);
            });
        }
        return time(n -> aead.seal(counter[0]++, null, plain, 0, FRAME, out, 0));
    }

    /** Keeps results observable so the loops are not optimised away. */
    long sink() {
        return sink;
    }
}
