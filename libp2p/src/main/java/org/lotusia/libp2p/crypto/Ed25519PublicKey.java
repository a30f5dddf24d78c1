package org.lotusia.libp2p.crypto;

import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 public key: {@code Data} is the 32-byte RFC 8032 point encoding. Like js and go, decoding
 * checks only the length; a key that is not a valid curve point simply never verifies.
 */
final class Ed25519PublicKey extends PublicKey {
    static final int SIZE = Ed25519.PUBLIC_KEY_SIZE;

    /** Decoded point, computed on first verify; {@link #INVALID} when the encoding is not a point. */
    private volatile Object point;
    private static final Object INVALID = new Object();

    private Ed25519PublicKey(byte[] raw) {
        super(KeyType.ED25519, raw);
    }

    static Ed25519PublicKey fromRaw(byte[] raw) {
        if (raw.length != SIZE) {
            throw new KeyFormatException("Ed25519 public key must be " + SIZE + " bytes, got " + raw.length);
        }
        return new Ed25519PublicKey(raw);
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        requireArgs(data, signature);
        if (signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        Object p = point;
        if (p == null) {
            Ed25519.PublicPoint decoded = Ed25519.validatePublicKeyPartialExport(rawUnsafe(), 0);
            p = decoded != null ? decoded : INVALID;
            point = p;
        }
        if (p == INVALID) {
            return false;
        }
        try {
            return Ed25519.verify(signature, 0, (Ed25519.PublicPoint) p, data, 0, data.length);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
