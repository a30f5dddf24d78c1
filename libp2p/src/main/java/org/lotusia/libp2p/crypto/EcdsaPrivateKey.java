package org.lotusia.libp2p.crypto;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1BitString;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.util.BigIntegers;

/**
 * ECDSA private key on a NIST curve: {@code Data} is a SEC1 (RFC 5915) {@code ECPrivateKey} DER with a
 * named-curve OID, as produced by go-libp2p ({@code x509.MarshalECPrivateKey}) and used by the spec
 * test vector. When the optional embedded public key is present it must match the scalar. Signatures
 * are deterministic (RFC 6979) ECDSA over SHA-256, DER encoded.
 */
final class EcdsaPrivateKey extends PrivateKey {
    private final EcdsaCurve curve;
    private final BigInteger d;
    private final EcdsaPublicKey publicKey;

    private EcdsaPrivateKey(byte[] raw, EcdsaCurve curve, BigInteger d, ECPoint q) {
        super(KeyType.ECDSA, raw);
        this.curve = curve;
        this.d = d;
        this.publicKey = EcdsaPublicKey.fromPoint(curve, q);
    }

    static EcdsaPrivateKey fromRaw(byte[] raw) {
        ECPrivateKey sec;
        try {
            sec = ECPrivateKey.getInstance(ASN1Primitive.fromByteArray(raw));
            if (sec == null || !Arrays.equals(sec.getEncoded(ASN1Encoding.DER), raw)) {
                throw new KeyFormatException("ECDSA private key is not canonical DER");
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof KeyFormatException kfe) {
                throw kfe;
            }
            throw new KeyFormatException("ECDSA private key is not a DER SEC1 ECPrivateKey", e);
        }
        ASN1Object params = sec.getParametersObject();
        if (!(params instanceof ASN1ObjectIdentifier oid)) {
            throw new KeyFormatException("ECDSA private key must name its curve (missing or explicit parameters)");
        }
        EcdsaCurve curve = EcdsaCurve.byOid(oid);
        int scalarBytes = (curve.domain.getN().bitLength() + 7) / 8;
        if (sec.getPrivateKey().getOctets().length > scalarBytes) {
            throw new KeyFormatException("ECDSA " + curve + " private key scalar is longer than " + scalarBytes + " bytes");
        }
        BigInteger d = EcSupport.checkScalar(curve.domain, sec.getKey(), "ECDSA " + curve);
        ECPoint q = curve.domain.getG().multiply(d).normalize();
        ASN1BitString embedded = sec.getPublicKey();
        if (embedded != null) {
            ECPoint given;
            try {
                given = EcSupport.decodePoint(curve.domain.getCurve(), embedded.getOctets(), "ECDSA " + curve);
            } catch (RuntimeException e) {
                throw new KeyFormatException("ECDSA private key embeds an invalid public key", e);
            }
            if (!given.equals(q)) {
                throw new KeyFormatException("ECDSA private key: embedded public key does not match the scalar");
            }
        }
        return new EcdsaPrivateKey(raw, curve, d, q);
    }

    static EcdsaPrivateKey generate(EcdsaCurve curve, SecureRandom random) {
        BigInteger n = curve.domain.getN();
        BigInteger d = BigIntegers.createRandomInRange(BigInteger.ONE, n.subtract(BigInteger.ONE), random);
        ECPoint q = curve.domain.getG().multiply(d).normalize();
        byte[] der;
        try {
            der = new ECPrivateKey(n.bitLength(), d, new DERBitString(q.getEncoded(false)), curve.oid)
                    .getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("DER encoding of an ECDSA private key failed", e);
        }
        return new EcdsaPrivateKey(der, curve, d, q);
    }

    @Override
    public byte[] sign(byte[] data) {
        return EcSupport.sign(curve.domain, d, requireData(data), false);
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }
}
