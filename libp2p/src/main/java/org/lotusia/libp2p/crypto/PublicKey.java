package org.lotusia.libp2p.crypto;

import java.util.Arrays;
import java.util.Objects;

/**
 * A libp2p public key: one of the {@link KeyType} variants, its {@code Data} encoding ({@link #raw()})
 * and the libp2p {@code PublicKey} protobuf ({@link #marshal()}) from which the {@link PeerId} is derived.
 *
 * <p>Instances are immutable and thread-safe. Two keys are equal when their marshalled bytes are
 * equal. Obtain instances from {@link Keys#unmarshalPublicKey(byte[])}, {@link Keys#publicKey(KeyType,
 * byte[])} or {@link PrivateKey#publicKey()}.
 */
public abstract sealed class PublicKey
        permits Ed25519PublicKey, Secp256k1PublicKey, EcdsaPublicKey, RsaPublicKey {

    private final KeyType type;
    private final byte[] raw;
    private final byte[] marshalled;
    private final int hash;
    private volatile PeerId peerId;

    PublicKey(KeyType type, byte[] raw) {
        this.type = type;
        this.raw = raw.clone();
        this.marshalled = KeyCodec.encode(type, this.raw);
        this.hash = Arrays.hashCode(marshalled);
    }

    /** Returns the key type. */
    public final KeyType type() {
        return type;
    }

    /** Returns a copy of the key's {@code Data} encoding (the protobuf {@code Data} field). */
    public final byte[] raw() {
        return raw.clone();
    }

    /** Returns a copy of the libp2p {@code PublicKey} protobuf encoding (deterministic; both fields always written). */
    public final byte[] marshal() {
        return marshalled.clone();
    }

    /** Direct access for the package: callers must not modify the array. */
    final byte[] marshalledUnsafe() {
        return marshalled;
    }

    /** Direct access for subclasses: callers must not modify the array. */
    final byte[] rawUnsafe() {
        return raw;
    }

    /**
     * Verifies a signature made with the matching private key over {@code data}, using this key
     * type's libp2p signature scheme.
     *
     * @return {@code true} if the signature is valid; {@code false} for an invalid or malformed
     *     signature (this method does not throw for bad signature bytes)
     * @throws NullPointerException if an argument is null
     */
    public abstract boolean verify(byte[] data, byte[] signature);

    /** Returns the peer id derived from this key (identity multihash up to 42 marshalled bytes, else sha2-256). */
    public final PeerId peerId() {
        PeerId id = peerId;
        if (id == null) {
            id = PeerId.fromPublicKey(this);
            peerId = id;
        }
        return id;
    }

    @Override
    public final boolean equals(Object o) {
        return o instanceof PublicKey other && Arrays.equals(marshalled, other.marshalled);
    }

    @Override
    public final int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return type + "PublicKey[" + peerId() + "]";
    }

    static void requireArgs(byte[] data, byte[] signature) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(signature, "signature");
    }
}
