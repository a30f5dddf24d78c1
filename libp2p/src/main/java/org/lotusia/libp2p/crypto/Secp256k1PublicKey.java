package org.lotusia.libp2p.crypto;

import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.math.ec.ECPoint;

/**
 * secp256k1 public key: {@code Data} is the 33-byte compressed SEC1 point. A 65-byte uncompressed
 * point is accepted on input and re-encoded compressed (as js and go always emit).
 */
final class Secp256k1PublicKey extends PublicKey {
    static final int SIZE = 33;

    private final ECPoint point;

    private Secp256k1PublicKey(ECPoint point) {
        super(KeyType.SECP256K1, point.getEncoded(true));
        this.point = point;
    }

    static Secp256k1PublicKey fromRaw(byte[] raw) {
        return new Secp256k1PublicKey(EcSupport.decodePoint(Secp256k1PrivateKey.DOMAIN.getCurve(), raw, "secp256k1"));
    }

    static Secp256k1PublicKey fromPoint(ECPoint point) {
        return new Secp256k1PublicKey(point.normalize());
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        requireArgs(data, signature);
        return EcSupport.verify(domain(), point, data, signature);
    }

    private static ECDomainParameters domain() {
        return Secp256k1PrivateKey.DOMAIN;
    }
}
