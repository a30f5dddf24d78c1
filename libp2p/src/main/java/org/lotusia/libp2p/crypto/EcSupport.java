package org.lotusia.libp2p.crypto;

import java.math.BigInteger;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECCurve;
import org.bouncycastle.math.ec.ECPoint;

/** ECDSA-over-SHA-256 helpers shared by the secp256k1 and NIST-curve keys (BouncyCastle low-level API). */
final class EcSupport {
    /** Longest DER ECDSA signature we look at (P-521 needs 139 bytes). */
    private static final int MAX_DER_SIGNATURE = 160;

    private EcSupport() {
    }

    static byte[] sha256(byte[] data) {
        SHA256Digest digest = new SHA256Digest();
        digest.update(data, 0, data.length);
        byte[] out = new byte[digest.getDigestSize()];
        digest.doFinal(out, 0);
        return out;
    }

    /**
     * Decodes a SEC1 point encoding (compressed {@code 02/03} or uncompressed {@code 04}) and checks that
     * it is a valid point of the curve other than infinity.
     */
    static ECPoint decodePoint(ECCurve curve, byte[] encoded, String what) {
        int fieldBytes = (curve.getFieldSize() + 7) / 8;
        boolean compressed = encoded.length == fieldBytes + 1 && (encoded[0] == 2 || encoded[0] == 3);
        boolean uncompressed = encoded.length == 2 * fieldBytes + 1 && encoded[0] == 4;
        if (!compressed && !uncompressed) {
            throw new KeyFormatException(what + " public key must be a " + (fieldBytes + 1) + "-byte compressed or "
                    + (2 * fieldBytes + 1) + "-byte uncompressed SEC1 point, got " + encoded.length + " bytes");
        }
        ECPoint point;
        try {
            point = curve.decodePoint(encoded).normalize();
        } catch (RuntimeException e) {
            throw new KeyFormatException(what + " public key is not a point on the curve", e);
        }
        if (point.isInfinity() || !point.isValid()) {
            throw new KeyFormatException(what + " public key is not a valid curve point");
        }
        return point;
    }

    /** Checks that {@code d} is a valid private scalar in {@code [1, n-1]}. */
    static BigInteger checkScalar(ECDomainParameters domain, BigInteger d, String what) {
        if (d.signum() <= 0 || d.compareTo(domain.getN()) >= 0) {
            throw new KeyFormatException(what + " private key scalar is out of range");
        }
        return d;
    }

    /** Deterministic (RFC 6979, HMAC-SHA-256) ECDSA over SHA-256(data), DER encoded; optionally low-S. */
    static byte[] sign(ECDomainParameters domain, BigInteger d, byte[] data, boolean lowS) {
        ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        signer.init(true, new ECPrivateKeyParameters(d, domain));
        BigInteger[] rs = signer.generateSignature(sha256(data));
        BigInteger s = rs[1];
        if (lowS && s.compareTo(domain.getN().shiftRight(1)) > 0) {
            s = domain.getN().subtract(s);
        }
        try {
            return new DERSequence(new ASN1Integer[] {new ASN1Integer(rs[0]), new ASN1Integer(s)})
                    .getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("DER encoding of an ECDSA signature failed", e);
        }
    }

    /** Verifies a strict-DER ECDSA signature over SHA-256(data); high-S signatures are accepted. */
    static boolean verify(ECDomainParameters domain, ECPoint q, byte[] data, byte[] signature) {
        BigInteger[] rs = decodeDer(signature, domain.getN());
        if (rs == null) {
            return false;
        }
        try {
            ECDSASigner verifier = new ECDSASigner();
            verifier.init(false, new ECPublicKeyParameters(q, domain));
            return verifier.verifySignature(sha256(data), rs[0], rs[1]);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Parses {@code SEQUENCE { INTEGER r, INTEGER s }} in strict DER with {@code 1 <= r, s < n};
     * returns null for anything else (BER forms, trailing bytes, out-of-range values).
     */
    static BigInteger[] decodeDer(byte[] signature, BigInteger n) {
        if (signature.length < 8 || signature.length > MAX_DER_SIGNATURE || signature[0] != 0x30) {
            return null;
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signature));
            if (seq.size() != 2) {
                return null;
            }
            BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
            BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
            if (r.signum() <= 0 || s.signum() <= 0 || r.compareTo(n) >= 0 || s.compareTo(n) >= 0) {
                return null;
            }
            if (!Arrays.equals(seq.getEncoded(ASN1Encoding.DER), signature)) {
                return null;
            }
            return new BigInteger[] {r, s};
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }
}
