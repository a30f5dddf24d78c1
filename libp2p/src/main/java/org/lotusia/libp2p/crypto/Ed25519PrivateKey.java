package org.lotusia.libp2p.crypto;

import java.security.MessageDigest;
import java.util.Arrays;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 private key: {@code Data} is {@code seed(32) || public(32)}. The legacy 96-byte form
 * {@code seed || public || public} is accepted on input and re-encoded as 64 bytes. In both forms the
 * embedded public key must be the one derived from the seed.
 */
final class Ed25519PrivateKey extends PrivateKey {
    static final int SEED_SIZE = Ed25519.SECRET_KEY_SIZE;
    static final int SIZE = SEED_SIZE + Ed25519PublicKey.SIZE;
    static final int LEGACY_SIZE = SIZE + Ed25519PublicKey.SIZE;

    private final byte[] seed;
    private final byte[] pub;
    private final Ed25519PublicKey publicKey;

    private Ed25519PrivateKey(byte[] seed, byte[] pub) {
        super(KeyType.ED25519, concat(seed, pub));
        this.seed = seed;
        this.pub = pub;
        this.publicKey = Ed25519PublicKey.fromRaw(pub);
    }

    static Ed25519PrivateKey fromSeed(byte[] seed) {
        if (seed.length != SEED_SIZE) {
            throw new KeyFormatException("Ed25519 seed must be " + SEED_SIZE + " bytes, got " + seed.length);
        }
        byte[] s = seed.clone();
        byte[] pub = new byte[Ed25519PublicKey.SIZE];
        Ed25519.generatePublicKey(s, 0, pub, 0);
        return new Ed25519PrivateKey(s, pub);
    }

    static Ed25519PrivateKey fromRaw(byte[] raw) {
        if (raw.length != SIZE && raw.length != LEGACY_SIZE) {
            throw new KeyFormatException("Ed25519 private key must be " + SIZE + " (or legacy " + LEGACY_SIZE
                    + ") bytes, got " + raw.length);
        }
        byte[] embedded = Arrays.copyOfRange(raw, SEED_SIZE, SIZE);
        if (raw.length == LEGACY_SIZE && !Arrays.equals(embedded, Arrays.copyOfRange(raw, SIZE, LEGACY_SIZE))) {
            throw new KeyFormatException("legacy 96-byte Ed25519 private key has two different public keys");
        }
        Ed25519PrivateKey key = fromSeed(Arrays.copyOf(raw, SEED_SIZE));
        if (!MessageDigest.isEqual(key.pub, embedded)) {
            throw new KeyFormatException("Ed25519 private key: embedded public key does not match the seed");
        }
        return key;
    }

    @Override
    public byte[] sign(byte[] data) {
        requireData(data);
        byte[] sig = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, pub, 0, data, 0, data.length, sig, 0);
        return sig;
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
