package org.lotusia.libp2p.crypto;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * A libp2p private key: signs data with its {@link KeyType}'s libp2p signature scheme and exposes the
 * matching {@link PublicKey}.
 *
 * <p>Instances are immutable and thread-safe. {@link #raw()} and {@link #marshal()} return secret key
 * material; {@link #toString()} never does. Two keys are equal when their marshalled bytes are equal
 * (compared in constant time). Obtain instances from {@link Keys}.
 */
public abstract sealed class PrivateKey
        permits Ed25519PrivateKey, Secp256k1PrivateKey, EcdsaPrivateKey, RsaPrivateKey {

    private final KeyType type;
    private final byte[] raw;

    PrivateKey(KeyType type, byte[] raw) {
        this.type = type;
        this.raw = raw.clone();
    }

    /** Returns the key type. */
    public final KeyType type() {
        return type;
    }

    /** Returns a copy of the key's {@code Data} encoding (secret). */
    public final byte[] raw() {
        return raw.clone();
    }

    /** Returns the libp2p {@code PrivateKey} protobuf encoding (secret; the identity file format). */
    public final byte[] marshal() {
        return KeyCodec.encode(type, raw);
    }

    /**
     * Signs {@code data} with this key's libp2p signature scheme (Ed25519: RFC 8032; secp256k1 and
     * ECDSA: deterministic RFC 6979 ECDSA over SHA-256, DER encoded; RSA: PKCS#1 v1.5 with SHA-256).
     *
     * @throws NullPointerException if {@code data} is null
     */
    public abstract byte[] sign(byte[] data);

    /** Returns the public key that verifies this key's signatures. */
    public abstract PublicKey publicKey();

    @Override
    public final boolean equals(Object o) {
        return o instanceof PrivateKey other && type == other.type && MessageDigest.isEqual(raw, other.raw);
    }

    @Override
    public final int hashCode() {
        return publicKey().hashCode();
    }

    /** Returns the key type and the peer id of the public key; never key material. */
    @Override
    public String toString() {
        return type + "PrivateKey[" + publicKey().peerId() + "]";
    }

    static byte[] requireData(byte[] data) {
        return Objects.requireNonNull(data, "data");
    }
}
