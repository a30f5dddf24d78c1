package org.lotusia.libp2p.crypto;

import java.security.SecureRandom;
import java.util.Objects;
import org.lotusia.libp2p.Libp2pException;

/**
 * Creates, decodes and generates libp2p keys.
 *
 * <p>Decoding is strict and bounded: marshalled keys larger than {@value #MAX_MARSHALLED_KEY_BYTES}
 * bytes, non-canonical protobuf (unknown, repeated or reordered fields, trailing bytes), unsupported key
 * types and {@code Data} of the wrong length or encoding all throw {@link KeyFormatException}; no other
 * exception type escapes the decoding methods for any input.
 *
 * <p>Key encodings ({@code Data} field): Ed25519 public 32 bytes, private {@code seed || public} (64,
 * legacy 96 accepted); secp256k1 public 33-byte compressed point (65-byte uncompressed accepted and
 * re-encoded), private 32-byte scalar; ECDSA (P-256/384/521) public DER SubjectPublicKeyInfo, private
 * SEC1 DER; RSA (1024–8192 bits) public DER SubjectPublicKeyInfo, private PKCS#1 DER.
 */
public final class Keys {
    /** Largest marshalled key protobuf accepted (an 8192-bit RSA private key is about 4.7 KiB). */
    public static final int MAX_MARSHALLED_KEY_BYTES = 8192;

    /** RSA modulus size used by {@link #generate(KeyType)}. */
    public static final int DEFAULT_RSA_BITS = 2048;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Keys() {
    }

    /**
     * Generates a new private key of the given type from a strong random source. ECDSA keys are on P-256,
     * RSA keys have {@value #DEFAULT_RSA_BITS} bits (slow; prefer Ed25519 for identities).
     */
    public static PrivateKey generate(KeyType type) {
        Objects.requireNonNull(type, "type");
        return switch (type) {
            case ED25519 -> generateEd25519();
            case SECP256K1 -> Secp256k1PrivateKey.generate(RANDOM);
            case ECDSA -> EcdsaPrivateKey.generate(EcdsaCurve.P256, RANDOM);
            case RSA -> generateRsa(DEFAULT_RSA_BITS);
        };
    }

    /** Generates a new Ed25519 private key, the recommended identity key type. */
    public static PrivateKey generateEd25519() {
        byte[] seed = new byte[Ed25519PrivateKey.SEED_SIZE];
        RANDOM.nextBytes(seed);
        return Ed25519PrivateKey.fromSeed(seed);
    }

    /**
     * Derives an Ed25519 private key from a 32-byte RFC 8032 seed (deterministic; for tests and
     * imported keys).
     *
     * @throws KeyFormatException if the seed is not 32 bytes
     */
    public static PrivateKey ed25519FromSeed(byte[] seed) {
        return Ed25519PrivateKey.fromSeed(Objects.requireNonNull(seed, "seed"));
    }

    /**
     * Generates a new RSA private key with public exponent 65537.
     *
     * @throws IllegalArgumentException if {@code bits} is outside 1024–8192
     */
    public static PrivateKey generateRsa(int bits) {
        return RsaPrivateKey.generate(bits, RANDOM);
    }

    /**
     * Decodes a libp2p {@code PublicKey} protobuf (as carried in Noise handshakes, identify, envelopes
     * and identity peer ids).
     *
     * @throws KeyFormatException if the bytes are not a canonical, supported public key
     */
    public static PublicKey unmarshalPublicKey(byte[] bytes) {
        KeyCodec.Decoded d = KeyCodec.decodePublic(bytes);
        return publicKey(d.type(), d.data());
    }

    /**
     * Decodes a libp2p {@code PrivateKey} protobuf (the identity file format).
     *
     * @throws KeyFormatException if the bytes are not a canonical, supported private key
     */
    public static PrivateKey unmarshalPrivateKey(byte[] bytes) {
        KeyCodec.Decoded d = KeyCodec.decodePrivate(bytes);
        return privateKey(d.type(), d.data());
    }

    /**
     * Creates a public key from its type and {@code Data} encoding.
     *
     * @throws KeyFormatException if {@code raw} is not a valid encoding for {@code type}
     */
    public static PublicKey publicKey(KeyType type, byte[] raw) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(raw, "raw");
        checkRawSize(raw);
        try {
            return switch (type) {
                case ED25519 -> Ed25519PublicKey.fromRaw(raw);
                case SECP256K1 -> Secp256k1PublicKey.fromRaw(raw);
                case ECDSA -> EcdsaPublicKey.fromRaw(raw);
                case RSA -> RsaPublicKey.fromRaw(raw);
            };
        } catch (Libp2pException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KeyFormatException("invalid " + type + " public key: " + e, e);
        }
    }

    /**
     * Creates a private key from its type and {@code Data} encoding.
     *
     * @throws KeyFormatException if {@code raw} is not a valid encoding for {@code type}
     */
    public static PrivateKey privateKey(KeyType type, byte[] raw) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(raw, "raw");
        checkRawSize(raw);
        try {
            return switch (type) {
                case ED25519 -> Ed25519PrivateKey.fromRaw(raw);
                case SECP256K1 -> Secp256k1PrivateKey.fromRaw(raw);
                case ECDSA -> EcdsaPrivateKey.fromRaw(raw);
                case RSA -> RsaPrivateKey.fromRaw(raw);
            };
        } catch (Libp2pException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KeyFormatException("invalid " + type + " private key: " + e, e);
        }
    }

    private static void checkRawSize(byte[] raw) {
        if (raw.length > MAX_MARSHALLED_KEY_BYTES) {
            throw new KeyFormatException("key data too large: " + raw.length + " bytes (max "
                    + MAX_MARSHALLED_KEY_BYTES + ")");
        }
    }
}
