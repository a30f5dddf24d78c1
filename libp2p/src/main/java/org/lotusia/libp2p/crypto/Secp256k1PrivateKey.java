package org.lotusia.libp2p.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.util.BigIntegers;

/**
 * secp256k1 private key: {@code Data} is the 32-byte big-endian scalar. Signatures are deterministic
 * (RFC 6979) ECDSA over SHA-256, normalised to low-S (js rejects high-S), DER encoded.
 */
final class Secp256k1PrivateKey extends PrivateKey {
    static final int SIZE = 32;
    static final ECDomainParameters DOMAIN;

    static {
        X9ECParameters p = CustomNamedCurves.getByName("secp256k1");
        DOMAIN = new ECDomainParameters(p.getCurve(), p.getG(), p.getN(), p.getH(), p.getSeed());
    }

    private final BigInteger d;
    private final Secp256k1PublicKey publicKey;

    private Secp256k1PrivateKey(BigInteger d) {
        super(KeyType.SECP256K1, BigIntegers.asUnsignedByteArray(SIZE, d));
        this.d = d;
        this.publicKey = Secp256k1PublicKey.fromPoint(DOMAIN.getG().multiply(d));
    }

    static Secp256k1PrivateKey fromRaw(byte[] raw) {
        if (raw.length != SIZE) {
            throw new KeyFormatException("secp256k1 private key must be " + SIZE + " bytes, got " + raw.length);
        }
        return new Secp256k1PrivateKey(EcSupport.checkScalar(DOMAIN, new BigInteger(1, raw), "secp256k1"));
    }

    static Secp256k1PrivateKey generate(SecureRandom random) {
        BigInteger d = BigIntegers.createRandomInRange(BigInteger.ONE, DOMAIN.getN().subtract(BigInteger.ONE), random);
        return new Secp256k1PrivateKey(d);
    }

    @Override
    public byte[] sign(byte[] data) {
        return EcSupport.sign(DOMAIN, d, requireData(data), true);
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }
}
