package org.lotusia.libp2p.crypto;

import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.math.ec.ECPoint;

/**
 * ECDSA public key on a NIST curve: {@code Data} is a DER SubjectPublicKeyInfo with algorithm
 * {@code id-ecPublicKey} and a named-curve OID (P-256, P-384 or P-521), as in the spec and go-libp2p.
 * The bytes are kept as received (they must be canonical DER) so the peer id matches the sender's.
 * Note: js-libp2p uses a non-standard encoding for ECDSA keys and is not interoperable.
 */
final class EcdsaPublicKey extends PublicKey {
    private final EcdsaCurve curve;
    private final ECPoint point;

    private EcdsaPublicKey(byte[] raw, EcdsaCurve curve, ECPoint point) {
        super(KeyType.ECDSA, raw);
        this.curve = curve;
        this.point = point;
    }

    static EcdsaPublicKey fromRaw(byte[] raw) {
        SubjectPublicKeyInfo spki;
        try {
            spki = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(raw));
            if (spki == null || !Arrays.equals(spki.getEncoded(ASN1Encoding.DER), raw)) {
                throw new KeyFormatException("ECDSA public key is not canonical DER SubjectPublicKeyInfo");
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof KeyFormatException kfe) {
                throw kfe;
            }
            throw new KeyFormatException("ECDSA public key is not DER SubjectPublicKeyInfo", e);
        }
        AlgorithmIdentifier alg = spki.getAlgorithm();
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())) {
            throw new KeyFormatException("ECDSA public key has algorithm " + alg.getAlgorithm()
                    + ", expected id-ecPublicKey");
        }
        ASN1Encodable params = alg.getParameters();
        if (!(params instanceof ASN1ObjectIdentifier oid)) {
            throw new KeyFormatException("ECDSA public key must name its curve (explicit parameters are not supported)");
        }
        EcdsaCurve curve = EcdsaCurve.byOid(oid);
        byte[] encodedPoint;
        try {
            encodedPoint = spki.getPublicKeyData().getOctets();
        } catch (RuntimeException e) {
            throw new KeyFormatException("ECDSA public key bit string has padding bits", e);
        }
        ECPoint q = EcSupport.decodePoint(curve.domain.getCurve(), encodedPoint, "ECDSA " + curve);
        return new EcdsaPublicKey(raw, curve, q);
    }

    static EcdsaPublicKey fromPoint(EcdsaCurve curve, ECPoint q) {
        ECPoint n = q.normalize();
        byte[] der;
        try {
            der = new SubjectPublicKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve.oid),
                    n.getEncoded(false)).getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("DER encoding of an ECDSA public key failed", e);
        }
        return new EcdsaPublicKey(der, curve, n);
    }

    EcdsaCurve curve() {
        return curve;
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        requireArgs(data, signature);
        return EcSupport.verify(curve.domain, point, data, signature);
    }
}
