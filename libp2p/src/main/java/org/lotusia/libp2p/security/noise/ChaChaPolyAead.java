package org.lotusia.libp2p.security.noise;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import java.util.Locale;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IETF ChaCha20-Poly1305 (RFC 8439) with Noise nonces: the 96-bit nonce is 4 zero bytes followed by the
 * 64-bit message counter in little-endian order. One instance holds one key at a time and is not
 * thread-safe; it is meant to be owned by one {@link CipherState} and reused for every message.
 *
 * <p>Three implementations exist and one is chosen once per JVM, at first use:
 * <ul>
 *   <li>{@link Kind#JDK}: SunJCE {@code ChaCha20-Poly1305}. Fast on JDK 21+ when the CPU lets HotSpot use its
 *       Poly1305 intrinsic (AVX-512 IFMA, or AVX-IFMA on newer JDKs); pure Java otherwise.</li>
 *   <li>{@link Kind#CONSCRYPT}: Conscrypt's BoringSSL cipher, loaded reflectively so Conscrypt stays an
 *       optional dependency. Fast everywhere, best with direct buffers.</li>
 *   <li>{@link Kind#BOUNCY_CASTLE}: BouncyCastle's low-level engine; only when forced or nothing else works.</li>
 * </ul>
 * Automatic choice: the JDK's on JDK 21+ when the CPU has the Poly1305 intrinsic's instructions (or when that
 * cannot be told); else Conscrypt if it is on the class path and loads; else the JDK's. The system property
 * {@value #PROPERTY} ({@code jdk}, {@code conscrypt}, {@code bc}, {@code auto}) overrides the choice.
 * {@link #describe()} says which one is in use and why, for logs and benchmark output.
 */
public abstract class ChaChaPolyAead {
    /** System property that forces an implementation: {@code jdk}, {@code conscrypt}, {@code bc} or {@code auto}. */
    public static final String PROPERTY = "lotus.noise.aead";
    /** Key length in bytes. */
    public static final int KEY_LENGTH = 32;
    /** Authentication tag length in bytes. */
    public static final int TAG_LENGTH = 16;
    /** Nonce length in bytes (4 zero bytes || 64-bit little-endian counter). */
    public static final int NONCE_LENGTH = 12;

    private static final Logger LOG = LoggerFactory.getLogger(ChaChaPolyAead.class);

    /** The available implementations. */
    public enum Kind {
        /** The JDK's SunJCE {@code ChaCha20-Poly1305}. */
        JDK,
        /** Conscrypt (BoringSSL), optional dependency. */
        CONSCRYPT,
        /** BouncyCastle's pure-Java engine. */
        BOUNCY_CASTLE
    }

    ChaChaPolyAead() {
    }

    /** A new instance of the implementation chosen for this JVM (see the class description). */
    public static ChaChaPolyAead newInstance() {
        return newInstance(Selection.INSTANCE.kind);
    }

    /**
     * A new instance of a specific implementation.
     *
     * @throws IllegalStateException if that implementation is not available in this JVM
     */
    public static ChaChaPolyAead newInstance(Kind kind) {
        switch (kind) {
            case JDK:
                return new JcaChaChaPolyAead(Kind.JDK, newJdkCipher());
            case CONSCRYPT:
                Provider p = Conscrypt.provider();
                if (p == null) {
                    throw new IllegalStateException("Conscrypt is not available: " + Conscrypt.failure());
                }
                return new JcaChaChaPolyAead(Kind.CONSCRYPT, newCipher("ChaCha20/Poly1305/NoPadding", p));
            case BOUNCY_CASTLE:
                return new BcChaChaPolyAead();
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
    }

    /** The implementation {@link #newInstance()} returns. */
    public static Kind defaultKind() {
        return Selection.INSTANCE.kind;
    }

    /** Whether {@code kind} can be instantiated in this JVM (Conscrypt: on the class path and its native library loads). */
    public static boolean isAvailable(Kind kind) {
        return kind != Kind.CONSCRYPT || Conscrypt.provider() != null;
    }

    /**
     * One line for logs and benchmark output: which implementation is in use, on which Java version, and
     * why it was chosen.
     */
    public static String describe() {
        return Selection.INSTANCE.description;
    }

    /** Which implementation this is. */
    public abstract Kind kind();

    /** Whether this implementation is fastest with direct (off-heap) buffers rather than heap arrays. */
    public abstract boolean prefersDirectBuffers();

    /** Sets the 32-byte key at {@code key[off..off+32)} (copied). */
    public abstract void setKey(byte[] key, int off);

    /**
     * Encrypts {@code in[inOff..inOff+inLen)} with additional data {@code ad} (may be null or empty) and writes
     * ciphertext followed by the 16-byte tag to {@code out} at {@code outOff}. Input and output must not overlap.
     *
     * @return the number of bytes written ({@code inLen + 16})
     */
    public abstract int seal(long nonce, byte[] ad, byte[] in, int inOff, int inLen, byte[] out, int outOff);

    /**
     * Verifies and decrypts {@code in[inOff..inOff+inLen)} (ciphertext followed by the tag). Input and output must
     * not overlap. On failure the output range may hold garbage and must be ignored.
     *
     * @return the number of plaintext bytes written ({@code inLen - 16})
     * @throws AEADBadTagException if the tag does not verify (also when {@code inLen < 16})
     */
    public abstract int open(long nonce, byte[] ad, byte[] in, int inOff, int inLen, byte[] out, int outOff)
            throws AEADBadTagException;

    /**
     * Encrypts the remaining bytes of {@code in} with empty additional data into {@code out} (ciphertext || tag),
     * advancing both positions. The buffers must not share memory.
     *
     * @return the number of bytes written
     */
    public abstract int seal(long nonce, ByteBuffer in, ByteBuffer out);

    /**
     * Verifies and decrypts the remaining bytes of {@code in} with empty additional data into {@code out},
     * advancing both positions. The buffers must not share memory.
     *
     * @return the number of plaintext bytes written
     * @throws AEADBadTagException if the tag does not verify
     */
    public abstract int open(long nonce, ByteBuffer in, ByteBuffer out) throws AEADBadTagException;

    /** Forgets the key (best effort: JCA providers keep their own copies until re-keyed). */
    public abstract void destroy();

    /** Writes the Noise nonce for counter {@code n} into a 12-byte array. */
    static void encodeNonce(long n, byte[] iv) {
        iv[0] = 0;
        iv[1] = 0;
        iv[2] = 0;
        iv[3] = 0;
        for (int i = 0; i < 8; i++) {
            iv[4 + i] = (byte) (n >>> (8 * i));
        }
    }

    private static Cipher newJdkCipher() {
        try {
            return Cipher.getInstance("ChaCha20-Poly1305");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no ChaCha20-Poly1305 cipher", e);
        }
    }

    private static Cipher newCipher(String algorithm, Provider provider) {
        try {
            return Cipher.getInstance(algorithm, provider);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(provider.getName() + " has no " + algorithm, e);
        }
    }

    /** Encrypts and decrypts a few messages to make sure an implementation works here before choosing it. */
    static boolean selfTest(Kind kind) {
        try {
            ChaChaPolyAead aead = newInstance(kind);
            byte[] key = new byte[KEY_LENGTH];
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) (0x80 + i);
            }
            aead.setKey(key, 0);
            byte[] ad = "lotus".getBytes(StandardCharsets.US_ASCII);
            byte[] msg = "self-test message for the AEAD choice".getBytes(StandardCharsets.US_ASCII);
            byte[] ct = new byte[msg.length + TAG_LENGTH];
            byte[] pt = new byte[msg.length];
            for (long n = 0; n < 3; n++) {
                aead.seal(n, ad, msg, 0, msg.length, ct, 0);
                aead.open(n, ad, ct, 0, ct.length, pt, 0);
                if (!Arrays.equals(pt, msg)) {
                    return false;
                }
            }
            ByteBuffer in = ByteBuffer.allocateDirect(msg.length).put(msg).flip();
            ByteBuffer sealed = ByteBuffer.allocateDirect(ct.length);
            aead.seal(7, in, sealed);
            sealed.flip();
            ByteBuffer opened = ByteBuffer.allocateDirect(msg.length);
            aead.open(7, sealed, opened);
            opened.flip();
            byte[] back = new byte[msg.length];
            opened.get(back);
            return Arrays.equals(back, msg);
        } catch (RuntimeException | AEADBadTagException | LinkageError e) {
            LOG.debug("ChaCha20-Poly1305 implementation {} failed its self-test", kind, e);
            return false;
        }
    }

    /** Whether HotSpot on this CPU is likely to use its Poly1305 intrinsic (read from /proc/cpuinfo on Linux). */
    static Boolean cpuHasPoly1305Intrinsic(int javaFeature) {
        String flags;
        try {
            flags = cpuFlags();
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (flags == null) {
            return null;
        }
        boolean avx512 = flags.contains(" avx512ifma ") && flags.contains(" avx512vl ") && flags.contains(" avx512bw ");
        boolean avxIfma = flags.contains(" avx_ifma ");
        return javaFeature >= 21 && (avx512 || (javaFeature >= 23 && avxIfma));
    }

    private static String cpuFlags() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        String arch = System.getProperty("os.arch", "");
        if (!Files.isReadable(cpuinfo) || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return null;
        }
        for (String line : Files.readAllLines(cpuinfo, StandardCharsets.ISO_8859_1)) {
            if (line.startsWith("flags")) {
                int colon = line.indexOf(':');
                return " " + line.substring(colon + 1).trim().toLowerCase(Locale.ROOT) + " ";
            }
        }
        return null;
    }

    /** Conscrypt, loaded reflectively once. */
    static final class Conscrypt {
        private static final Provider PROVIDER;
        private static final String VERSION;
        private static final String FAILURE;

        static {
            Provider provider = null;
            String version = "?";
            String failure = null;
            try {
                Class<?> c = Class.forName("org.conscrypt.Conscrypt");
                if (!(Boolean) c.getMethod("isAvailable").invoke(null)) {
                    failure = "native library not available on this platform";
                } else {
                    provider = (Provider) c.getMethod("newProvider").invoke(null);
                    Object v = c.getMethod("version").invoke(null);
                    Method major = v.getClass().getMethod("major");
                    Method minor = v.getClass().getMethod("minor");
                    Method patch = v.getClass().getMethod("patch");
                    version = major.invoke(v) + "." + minor.invoke(v) + "." + patch.invoke(v);
                }
            } catch (ClassNotFoundException e) {
                failure = "not on the class path";
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                failure = e.toString();
                provider = null;
            }
            PROVIDER = provider;
            VERSION = version;
            FAILURE = failure;
        }

        private Conscrypt() {
        }

        static Provider provider() {
            return PROVIDER;
        }

        static String version() {
            return VERSION;
        }

        static String failure() {
            return FAILURE;
        }
    }

    /** The per-JVM choice. */
    private static final class Selection {
        static final Selection INSTANCE = new Selection();

        final Kind kind;
        final String description;

        private Selection() {
            int feature = Runtime.version().feature();
            String forced = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
            Kind chosen = null;
            String why;
            switch (forced) {
                case "jdk":
                    chosen = Kind.JDK;
                    why = "forced by -D" + PROPERTY;
                    break;
                case "conscrypt":
                    chosen = Kind.CONSCRYPT;
                    why = "forced by -D" + PROPERTY;
                    break;
                case "bc":
                case "bouncycastle":
                case "bouncy_castle":
                    chosen = Kind.BOUNCY_CASTLE;
                    why = "forced by -D" + PROPERTY;
                    break;
                default:
                    why = null;
            }
            if (chosen != null && !selfTest(chosen)) {
                LOG.warn("-D{}={} is not usable here; choosing automatically", PROPERTY, forced);
                chosen = null;
            }
            if (chosen == null) {
                Boolean intrinsic = cpuHasPoly1305Intrinsic(feature);
                boolean conscrypt = Conscrypt.provider() != null && selfTest(Kind.CONSCRYPT);
                if (feature >= 21 && !Boolean.FALSE.equals(intrinsic)) {
                    chosen = Kind.JDK;
                    why = intrinsic == null ? "JDK " + feature + ", CPU features unknown" : "JDK " + feature
                            + " with Poly1305 intrinsics";
                } else if (conscrypt) {
                    chosen = Kind.CONSCRYPT;
                    why = feature >= 21 ? "JDK " + feature + " lacks Poly1305 intrinsics on this CPU"
                            : "JDK " + feature + " < 21";
                } else {
                    why = "Conscrypt " + (Conscrypt.provider() == null ? "unavailable (" + Conscrypt.failure() + ")"
                            : "failed its self-test");
                    chosen = selfTest(Kind.JDK) ? Kind.JDK : Kind.BOUNCY_CASTLE;
                }
            }
            kind = chosen;
            String impl;
            switch (chosen) {
                case JDK:
                    impl = "JDK SunJCE";
                    break;
                case CONSCRYPT:
                    impl = "Conscrypt " + Conscrypt.version() + " (BoringSSL)";
                    break;
                default:
                    impl = "BouncyCastle";
            }
            description = "ChaCha20-Poly1305: " + impl + " on Java " + Runtime.version() + " (" + why + ")";
            LOG.debug("{}", description);
        }
    }
}
