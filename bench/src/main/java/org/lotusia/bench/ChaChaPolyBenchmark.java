package org.lotusia.bench;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.lotusia.libp2p.security.noise.ChaChaPolyAead;
import org.lotusia.libp2p.security.noise.ChaChaPolyAead.Kind;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ChaCha20-Poly1305 on one core with full Noise transport frames (65,519 plaintext bytes, the most one 64 KiB
 * Noise message carries), empty additional data, nonce = Noise counter: our {@link ChaChaPolyAead} wrapper in
 * each implementation against the raw JDK {@link Cipher} it wraps.
 *
 * <p>{@code impl}:
 * <ul>
 *   <li>{@code raw-jdk}: {@code Cipher.getInstance("ChaCha20-Poly1305")}, reused, {@code init} per message with a new
 *       nonce, {@code doFinal} on arrays: the JDK's own rate, the ceiling for the {@code lotus-jdk} wrapper.</li>
 *   <li>{@code lotus-jdk}: the wrapper on SunJCE, on arrays (what the transport codec does with it).</li>
 *   <li>{@code lotus-conscrypt}: the wrapper on Conscrypt (BoringSSL), on direct buffers (what the codec does with
 *       it). Skipped (throws at setup) where Conscrypt's native library does not load.</li>
 *   <li>{@code lotus-bc}: the wrapper on BouncyCastle's pure-Java engine (the last-resort fallback).</li>
 * </ul>
 * Read the {@code bytes} secondary result (bytes per second; divide by 10^9 for GB/s); the primary result is
 * frames per second. Run: {@code java -jar bench/target/lotus-p2p-bench.jar ChaChaPolyBenchmark}; the AEAD chosen
 * automatically on that JVM is {@link ChaChaPolyAead#describe()}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Threads(1)
@State(Scope.Thread)
public class ChaChaPolyBenchmark {
    /** Largest plaintext in one Noise transport message (65,535 minus the 16-byte tag). */
    static final int FRAME = 65_519;
    private static final int TAG = 16;
    /** Distinct sealed frames cycled through by the open benchmarks (nonces must change between calls). */
    private static final int RING = 8;

    @Param({"raw-jdk", "lotus-jdk", "lotus-conscrypt", "lotus-bc"})
    public String impl;

    private final byte[] key = new byte[32];
    private final byte[] plain = new byte[FRAME];
    private final byte[] sealed = new byte[FRAME + TAG];
    private final byte[] opened = new byte[FRAME];
    private final byte[][] ring = new byte[RING][];
    private ByteBuffer directPlain;
    private ByteBuffer directSealed;
    private ByteBuffer directOpened;
    private ByteBuffer[] directRing;

    private ChaChaPolyAead aead;
    private Cipher cipher;
    private SecretKeySpec keySpec;
    private final byte[] iv = new byte[12];
    private long nonce;
    private int slot;

    /** Bytes processed; JMH reports it as a rate (bytes per second). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long bytes;
    }

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        ThreadLocalRandom.current().nextBytes(key);
        ThreadLocalRandom.current().nextBytes(plain);
        switch (impl) {
            case "raw-jdk" -> {
                cipher = Cipher.getInstance("ChaCha20-Poly1305");
                keySpec = new SecretKeySpec(key, "ChaCha20");
            }
            case "lotus-jdk" -> aead = ChaChaPolyAead.newInstance(Kind.JDK);
            case "lotus-conscrypt" -> aead = ChaChaPolyAead.newInstance(Kind.CONSCRYPT);
            case "lotus-bc" -> aead = ChaChaPolyAead.newInstance(Kind.BOUNCY_CASTLE);
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        }
        if (aead != null) {
            aead.setKey(key, 0);
        }
        boolean direct = aead != null && aead.prefersDirectBuffers();
        if (direct) {
            directPlain = ByteBuffer.allocateDirect(FRAME).put(plain).flip();
            directSealed = ByteBuffer.allocateDirect(FRAME + TAG);
            directOpened = ByteBuffer.allocateDirect(FRAME);
            directRing = new ByteBuffer[RING];
        }
        // Frames sealed under nonces 0..RING-1 for the open benchmarks; sealing continues at RING.
        for (int i = 0; i < RING; i++) {
            ring[i] = new byte[FRAME + TAG];
            sealArrays(i, ring[i]);
            if (direct) {
                directRing[i] = ByteBuffer.allocateDirect(FRAME + TAG).put(ring[i]).flip();
            }
        }
        nonce = RING;
    }

    private void sealArrays(long n, byte[] out) throws GeneralSecurityException {
        if (aead != null) {
            aead.seal(n, null, plain, 0, FRAME, out, 0);
        } else {
            noiseNonce(n);
            cipher.init(Cipher.ENCRYPT_MODE, keySpec, new IvParameterSpec(iv));
            cipher.doFinal(plain, 0, FRAME, out, 0);
        }
    }

    private void noiseNonce(long n) {
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (8 * i));
        }
    }

    @Benchmark
    public int seal(Bytes counter) throws GeneralSecurityException {
        long n = nonce++;
        int written;
        if (aead == null) {
            noiseNonce(n);
            cipher.init(Cipher.ENCRYPT_MODE, keySpec, new IvParameterSpec(iv));
            written = cipher.doFinal(plain, 0, FRAME, sealed, 0);
        } else if (directPlain != null) {
            directPlain.rewind();
            directSealed.clear();
            written = aead.seal(n, directPlain, directSealed);
        } else {
            written = aead.seal(n, null, plain, 0, FRAME, sealed, 0);
        }
        counter.bytes += FRAME;
        return written;
    }

    @Benchmark
    public int open(Bytes counter) throws GeneralSecurityException {
        int i = slot;
        slot = i + 1 == RING ? 0 : i + 1;
        int written;
        if (aead == null) {
            noiseNonce(i);
            cipher.init(Cipher.DECRYPT_MODE, keySpec, new IvParameterSpec(iv));
            written = cipher.doFinal(ring[i], 0, FRAME + TAG, opened, 0);
        } else if (directRing != null) {
            ByteBuffer in = directRing[i];
            in.rewind();
            directOpened.clear();
            written = aead.open(i, in, directOpened);
        } else {
            try {
                written = aead.open(i, null, ring[i], 0, FRAME + TAG, opened, 0);
            } catch (AEADBadTagException e) {
                throw new IllegalStateException(e);
            }
        }
        counter.bytes += FRAME;
        return written;
    }
}
