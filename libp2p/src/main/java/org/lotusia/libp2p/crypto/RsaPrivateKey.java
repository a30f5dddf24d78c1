package org.lotusia.libp2p.crypto;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Primitive;

/**
 * RSA private key: {@code Data} is a PKCS#1 {@code RSAPrivateKey} DER (two-prime, version 0; not
 * PKCS#8). Signs with RSASSA-PKCS1-v1_5 and SHA-256 through the JDK provider.
 */
final class RsaPrivateKey extends PrivateKey {
    private final RSAPrivateCrtKey jdkKey;
    private final RsaPublicKey publicKey;

    private RsaPrivateKey(byte[] raw, RSAPrivateCrtKey jdkKey) {
        super(KeyType.RSA, raw);
        this.jdkKey = jdkKey;
        this.publicKey = RsaPublicKey.fromComponents(jdkKey.getModulus(), jdkKey.getPublicExponent());
    }

    static RsaPrivateKey fromRaw(byte[] raw) {
        org.bouncycastle.asn1.pkcs.RSAPrivateKey k;
        try {
            k = org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(ASN1Primitive.fromByteArray(raw));
            if (k == null || !Arrays.equals(k.getEncoded(ASN1Encoding.DER), raw)) {
                throw new KeyFormatException("RSA private key is not canonical PKCS#1 DER");
            }
        } catch (java.io.IOException | RuntimeException e) {
            if (e instanceof KeyFormatException kfe) {
                throw kfe;
            }
            throw new KeyFormatException("RSA private key is not a PKCS#1 RSAPrivateKey DER (two-prime, version 0)", e);
        }
        BigInteger n = k.getModulus();
        RsaPublicKey.checkParameters(n, k.getPublicExponent());
        BigInteger p = k.getPrime1();
        BigInteger q = k.getPrime2();
        if (p.signum() <= 0 || q.signum() <= 0 || !p.multiply(q).equals(n) || k.getPrivateExponent().signum() <= 0
                || k.getExponent1().signum() <= 0 || k.getExponent2().signum() <= 0 || k.getCoefficient().signum() <= 0) {
            throw new KeyFormatException("RSA private key components are inconsistent (p*q != n or non-positive values)");
        }
        RSAPrivateCrtKey jdk;
        try {
            jdk = (RSAPrivateCrtKey) KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(n,
                    k.getPublicExponent(), k.getPrivateExponent(), p, q, k.getExponent1(), k.getExponent2(),
                    k.getCoefficient()));
        } catch (GeneralSecurityException e) {
            throw new KeyFormatException("RSA private key rejected by the JDK: " + e.getMessage(), e);
        }
        return new RsaPrivateKey(raw, jdk);
    }

    static RsaPrivateKey generate(int bits, SecureRandom random) {
        if (bits < RsaPublicKey.MIN_BITS || bits > RsaPublicKey.MAX_BITS) {
            throw new IllegalArgumentException("RSA key size must be " + RsaPublicKey.MIN_BITS + " to "
                    + RsaPublicKey.MAX_BITS + " bits, got " + bits);
        }
        RSAPrivateCrtKey k;
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
            k = (RSAPrivateCrtKey) gen.generateKeyPair().getPrivate();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation is unavailable", e);
        }
        byte[] der;
        try {
            der = new org.bouncycastle.asn1.pkcs.RSAPrivateKey(k.getModulus(), k.getPublicExponent(),
                    k.getPrivateExponent(), k.getPrimeP(), k.getPrimeQ(), k.getPrimeExponentP(),
                    k.getPrimeExponentQ(), k.getCrtCoefficient()).getEncoded(ASN1Encoding.DER);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("DER encoding of an RSA private key failed", e);
        }
        return new RsaPrivateKey(der, k);
    }

    @Override
    public byte[] sign(byte[] data) {
        requireData(data);
        try {
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(jdkKey);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA signing failed", e);
        }
    }

    @Override
    public PublicKey publicKey() {
        return publicKey;
    }
}
