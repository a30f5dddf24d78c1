package org.lotusia.libp2p.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * RSA public key: {@code Data} is a DER SubjectPublicKeyInfo ({@code rsaEncryption}), kept as received
 * (it must be canonical DER). Signatures are RSASSA-PKCS1-v1_5 with SHA-256 (JDK provider). Moduli of
 * {@value #MIN_BITS} to {@value #MAX_BITS} bits are accepted (js refuses larger than 8192; go refuses
 * smaller than 2048 by default) and the public exponent must be odd and below 2^32, which keeps
 * verification cheap.
 */
final class RsaPublicKey extends PublicKey {
    static final int MIN_BITS = 1024;
    static final int MAX_BITS = 8192;
    private static final BigInteger MAX_EXPONENT = BigInteger.ONE.shiftLeft(32);

    private final java.security.interfaces.RSAPublicKey jdkKey;

    private RsaPublicKey(byte[] raw, java.security.interfaces.RSAPublicKey jdkKey) {
        super(KeyType.RSA, raw);
        this.jdkKey = jdkKey;
    }

    static RsaPublicKey fromRaw(byte[] raw) {
        SubjectPublicKeyInfo spki;
        org.bouncycastle.asn1.pkcs.RSAPublicKey key;
        try {
            spki = SubjectPublicKeyInfo.getInstance(ASN1Primitive.fromByteArray(raw));
            if (spki == null || !Arrays.equals(spki.getEncoded(ASN1Encoding.DER), raw)) {
                throw new KeyFormatException("RSA public key is not canonical DER SubjectPublicKeyInfo");
            }
            if (!PKCSObjectIdentifiers.rsaEncryption.equals(spki.getAlgorithm().getAlgorithm())) {
                throw new KeyFormatException("RSA public key has algorithm " + spki.getAlgorithm().getAlgorithm()
                        + ", expected rsaEncryption");
            }
            ASN1Encodable params = spki.getAlgorithm().getParameters();
            if (params != null && !DERNull.INSTANCE.equals(params)) {
                throw new KeyFormatException("RSA public key algorithm parameters must be NULL");
            }
            key = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey());
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof KeyFormatException kfe) {
                throw kfe;
            }
            throw new KeyFormatException("RSA public key is not a DER SubjectPublicKeyInfo", e);
        }
        return new RsaPublicKey(raw, toJdk(key.getModulus(), key.getPublicExponent()));
    }

    static RsaPublicKey fromComponents(BigInteger modulus, BigInteger exponent) {
        java.security.interfaces.RSAPublicKey jdk = toJdk(modulus, exponent);
        byte[] der;
        try {
            der = new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                    new org.bouncycastle.asn1.pkcs.RSAPublicKey(modulus, exponent)).getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("DER encoding of an RSA public key failed", e);
        }
        return new RsaPublicKey(der, jdk);
    }

    static void checkParameters(BigInteger modulus, BigInteger exponent) {
        int bits = modulus.bitLength();
        if (modulus.signum() <= 0 || bits < MIN_BITS || bits > MAX_BITS) {
            throw new KeyFormatException("RSA modulus must be " + MIN_BITS + " to " + MAX_BITS + " bits, got " + bits);
        }
        if (!modulus.testBit(0)) {
            throw new KeyFormatException("RSA modulus must be odd");
        }
        if (exponent.compareTo(BigInteger.valueOf(3)) < 0 || !exponent.testBit(0) || exponent.compareTo(MAX_EXPONENT) >= 0) {
            throw new KeyFormatException("RSA public exponent must be odd, at least 3 and below 2^32");
        }
    }

    private static java.security.interfaces.RSAPublicKey toJdk(BigInteger modulus, BigInteger exponent) {
        checkParameters(modulus, exponent);
        try {
            return (java.security.interfaces.RSAPublicKey) KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(modulus, exponent));
        } catch (GeneralSecurityException e) {
            throw new KeyFormatException("RSA public key rejected by the JDK: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean verify(byte[] data, byte[] signature) {
        requireArgs(data, signature);
        if (signature.length != (jdkKey.getModulus().bitLength() + 7) / 8) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(jdkKey);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
