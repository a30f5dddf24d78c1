package org.lotusia.libp2p.multiformats;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An immutable multihash: {@code varint(code) || varint(digestLength) || digest}.
 *
 * <p>Only {@link #IDENTITY} and {@link #SHA2_256} can be computed here; any other code decodes as
 * a generic (code, digest) pair. Validation rules:
 * <ul>
 *   <li>the code must fit in an {@code int} (every registered hash function does);</li>
 *   <li>the digest length must match the bytes present and be at most
 *       {@value #MAX_DIGEST_LENGTH};</li>
 *   <li>a sha2-256 digest must be at most 32 bytes (shorter is allowed: the multihash spec permits
 *       truncated digests).</li>
 * </ul>
 * Equality and hash code are defined by the encoded bytes.
 */
public final class Multihash {

    /** The identity "hash": the digest is the data itself. */
    public static final int IDENTITY = 0x00;

    /** SHA2-256, 32-byte digest. */
    public static final int SHA2_256 = 0x12;

    /** Largest digest length accepted (identity multihashes of public keys are far smaller). */
    public static final int MAX_DIGEST_LENGTH = 1024;

    private static final int SHA2_256_LENGTH = 32;

    private final int code;
    private final byte[] digest;
    private final byte[] bytes;

    private Multihash(int code, byte[] digest) {
        this.code = code;
        this.digest = digest;
        this.bytes = new byte[Varint.encodedLength(code) + Varint.encodedLength(digest.length)
                + digest.length];
        int offset = Varint.write(code, bytes, 0);
        offset += Varint.write(digest.length, bytes, offset);
        System.arraycopy(digest, 0, bytes, offset, digest.length);
    }

    /**
     * Wraps data in an identity multihash (the digest is the data).
     *
     * @throws InvalidMultihashException if {@code data} is longer than {@value #MAX_DIGEST_LENGTH}
     */
    public static Multihash identity(byte[] data) {
        return of(IDENTITY, data);
    }

    /** Hashes {@code data} with SHA2-256. */
    public static Multihash sha256(byte[] data) {
        Objects.requireNonNull(data, "data");
        try {
            return new Multihash(SHA2_256, MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /**
     * Creates a multihash from a code and an already computed digest.
     *
     * @throws InvalidMultihashException if the code is negative or the digest length is invalid
     *     for the code
     */
    public static Multihash of(int code, byte[] digest) {
        Objects.requireNonNull(digest, "digest");
        if (code < 0) {
            throw new InvalidMultihashException("multihash code must not be negative, got " + code);
        }
        checkDigestLength(code, digest.length);
        return new Multihash(code, digest.clone());
    }

    /**
     * Decodes an array that must hold exactly one multihash.
     *
     * @throws InvalidMultihashException if the bytes are not exactly one valid multihash
     */
    public static Multihash decode(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        ByteBuffer buffer = ByteBuffer.wrap(encoded);
        Multihash multihash = decode(buffer);
        if (buffer.hasRemaining()) {
            throw new InvalidMultihashException(buffer.remaining()
                    + " trailing byte(s) after a multihash with a " + multihash.digest.length
                    + "-byte digest");
        }
        return multihash;
    }

    /**
     * Decodes one multihash at the buffer's position and advances the position past it. On
     * failure the position is left unchanged.
     *
     * @throws InvalidMultihashException if the multihash is malformed or truncated
     */
    public static Multihash decode(ByteBuffer in) {
        int start = in.position();
        try {
            int code;
            int length;
            try {
                code = Varint.decodeBounded(in, Integer.MAX_VALUE, "multihash code");
            } catch (InvalidVarintException e) {
                throw new InvalidMultihashException("invalid multihash code: " + e.getMessage(), e);
            }
            try {
                length = Varint.decodeBounded(in, MAX_DIGEST_LENGTH, "multihash digest length");
            } catch (InvalidVarintException e) {
                throw new InvalidMultihashException("invalid multihash digest length (code 0x"
                        + Integer.toHexString(code) + "): " + e.getMessage(), e);
            }
            checkDigestLength(code, length);
            if (in.remaining() < length) {
                throw new InvalidMultihashException("truncated multihash: digest length is "
                        + length + " but only " + in.remaining() + " byte(s) follow");
            }
            byte[] digest = new byte[length];
            in.get(digest);
            return new Multihash(code, digest);
        } catch (InvalidMultihashException e) {
            in.position(start);
            throw e;
        }
    }

    private static void checkDigestLength(int code, int length) {
        if (length > MAX_DIGEST_LENGTH) {
            throw new InvalidMultihashException("multihash digest length " + length
                    + " exceeds the maximum of " + MAX_DIGEST_LENGTH);
        }
        if (code == SHA2_256 && length > SHA2_256_LENGTH) {
            throw new InvalidMultihashException("sha2-256 digest length " + length
                    + " exceeds 32 bytes");
        }
    }

    /** Returns the hash function code, e.g. {@link #IDENTITY} or {@link #SHA2_256}. */
    public int code() {
        return code;
    }

    /** Returns a copy of the digest (for identity: the data itself). */
    public byte[] digest() {
        return digest.clone();
    }

    /** Returns the length of the digest in bytes. */
    public int digestLength() {
        return digest.length;
    }

    /** Returns a copy of the encoded multihash {@code varint(code) || varint(len) || digest}. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Returns the length of {@link #toBytes()}. */
    public int encodedLength() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Multihash && Arrays.equals(bytes, ((Multihash) other).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Returns the encoded bytes in lower-case hex, for diagnostics. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
