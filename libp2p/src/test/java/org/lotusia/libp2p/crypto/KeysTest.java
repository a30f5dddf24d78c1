package org.lotusia.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.ED25519_PRIVATE;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.ED25519_PUBLIC;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.SECP256K1_PRIVATE;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.SECP256K1_PUBLIC;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.hex;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class KeysTest {
    private static final byte[] MESSAGE = "the quick brown fox".getBytes(StandardCharsets.UTF_8);

    /** One key of every supported kind (small RSA so that the suite stays fast). */
    static final List<PrivateKey> KEYS = List.of(
            Keys.generate(KeyType.ED25519),
            Keys.generate(KeyType.SECP256K1),
            Keys.generate(KeyType.ECDSA),
            EcdsaPrivateKey.generate(EcdsaCurve.P384, new java.security.SecureRandom()),
            EcdsaPrivateKey.generate(EcdsaCurve.P521, new java.security.SecureRandom()),
            Keys.generateRsa(1024));

    static Stream<PrivateKey> keys() {
        return KEYS.stream();
    }

    @ParameterizedTest
    @MethodSource("keys")
    void signVerifyRoundTrip(PrivateKey key) {
        byte[] sig = key.sign(MESSAGE);
        assertThat(key.publicKey().verify(MESSAGE, sig)).isTrue();
        assertThat(key.publicKey().verify(new byte[0], key.sign(new byte[0]))).isTrue();
    }

    @ParameterizedTest
    @MethodSource("keys")
    void tamperedDataOrSignatureOrWrongKeyFails(PrivateKey key) {
        byte[] sig = key.sign(MESSAGE);
        byte[] data = MESSAGE.clone();
        data[3] ^= 1;
        assertThat(key.publicKey().verify(data, sig)).isFalse();
        for (int i : new int[] {0, sig.length / 2, sig.length - 1}) {
            byte[] bad = sig.clone();
            bad[i] ^= 0x10;
            assertThat(key.publicKey().verify(MESSAGE, bad)).as("flip byte %d", i).isFalse();
        }
        assertThat(key.publicKey().verify(MESSAGE, Arrays.copyOf(sig, sig.length - 1))).isFalse();
        assertThat(key.publicKey().verify(MESSAGE, Arrays.copyOf(sig, sig.length + 1))).isFalse();
        assertThat(key.publicKey().verify(MESSAGE, new byte[0])).isFalse();
        PrivateKey other = KEYS.get((KEYS.indexOf(key) + 1) % KEYS.size());
        assertThat(key.publicKey().verify(MESSAGE, other.sign(MESSAGE))).isFalse();
        PrivateKey sameType = regenerate(key);
        assertThat(sameType.publicKey().verify(MESSAGE, sig)).isFalse();
    }

    @ParameterizedTest
    @MethodSource("keys")
    void marshalRoundTrips(PrivateKey key) {
        PrivateKey again = Keys.unmarshalPrivateKey(key.marshal());
        assertThat(again).isEqualTo(key).hasSameHashCodeAs(key);
        assertThat(again.publicKey()).isEqualTo(key.publicKey());
        assertThat(Keys.privateKey(key.type(), key.raw())).isEqualTo(key);
        PublicKey pub = Keys.unmarshalPublicKey(key.publicKey().marshal());
        assertThat(pub).isEqualTo(key.publicKey()).hasSameHashCodeAs(key.publicKey());
        assertThat(pub.marshal()).isEqualTo(key.publicKey().marshal());
        assertThat(Keys.publicKey(key.type(), pub.raw())).isEqualTo(pub);
        assertThat(pub.peerId()).isEqualTo(PeerId.fromPublicKey(pub));
        assertThat(pub.verify(MESSAGE, key.sign(MESSAGE))).isTrue();
    }

    @ParameterizedTest
    @MethodSource("keys")
    void peerIdFormDependsOnKeySize(PrivateKey key) {
        PeerId id = key.publicKey().peerId();
        boolean inlined = key.publicKey().marshal().length <= 42;
        assertThat(id.isInlined()).isEqualTo(inlined);
        assertThat(id.toBytes()[0]).isEqualTo(inlined ? (byte) 0x00 : (byte) 0x12);
        assertThat(PeerId.fromBytes(id.toBytes())).isEqualTo(id);
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
        assertThat(PeerId.parse(id.toCidString())).isEqualTo(id);
    }

    @ParameterizedTest
    @MethodSource("keys")
    void toStringDoesNotLeakSecrets(PrivateKey key) {
        String s = key.toString();
        assertThat(s).contains(key.publicKey().peerId().toString());
        assertThat(s).doesNotContain(java.util.HexFormat.of().formatHex(key.raw()));
        assertThat(key.publicKey().toString()).contains(key.type().toString());
    }

    @Test
    void generatedKeysAreDistinct() {
        assertThat(Keys.generateEd25519()).isNotEqualTo(Keys.generateEd25519());
        assertThat(Keys.generate(KeyType.SECP256K1).publicKey()).isNotEqualTo(Keys.generate(KeyType.SECP256K1).publicKey());
    }

    @Test
    void ed25519SignaturesAreDeterministicRfc8032() {
        // RFC 8032 section 7.1, TEST 2
        PrivateKey key = Keys.ed25519FromSeed(hex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
        assertThat(key.publicKey().raw()).isEqualTo(hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"));
        assertThat(key.sign(hex("72"))).isEqualTo(hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"));
    }

    @Test
    void ed25519LegacyNinetySixByteFormIsAcceptedAndReencoded() {
        PrivateKey key = Keys.unmarshalPrivateKey(hex(ED25519_PRIVATE));
        byte[] raw = key.raw();
        byte[] legacy = Arrays.copyOf(raw, 96);
        System.arraycopy(raw, 32, legacy, 64, 32);
        PrivateKey fromLegacy = Keys.privateKey(KeyType.ED25519, legacy);
        assertThat(fromLegacy).isEqualTo(key);
        assertThat(fromLegacy.raw()).hasSize(64);

        legacy[95] ^= 1;
        assertThatThrownBy(() -> Keys.privateKey(KeyType.ED25519, legacy))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("two different public keys");
    }

    @Test
    void ed25519EmbeddedPublicKeyMustMatchSeed() {
        byte[] raw = Keys.unmarshalPrivateKey(hex(ED25519_PRIVATE)).raw();
        raw[40] ^= 1;
        assertThatThrownBy(() -> Keys.privateKey(KeyType.ED25519, raw))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("does not match the seed");
        byte[] other = Keys.generateEd25519().raw();
        System.arraycopy(other, 32, raw, 32, 32);
        assertThatThrownBy(() -> Keys.privateKey(KeyType.ED25519, raw)).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void wrongLengthsAreKeyFormatExceptions() {
        for (int len : new int[] {0, 31, 33, 64}) {
            assertThatThrownBy(() -> Keys.publicKey(KeyType.ED25519, new byte[len]))
                    .isInstanceOf(KeyFormatException.class).hasMessageContaining("32 bytes");
        }
        for (int len : new int[] {0, 32, 63, 65, 95, 97}) {
            assertThatThrownBy(() -> Keys.privateKey(KeyType.ED25519, new byte[len]))
                    .isInstanceOf(KeyFormatException.class);
        }
        for (int len : new int[] {0, 32, 34, 64, 66}) {
            assertThatThrownBy(() -> Keys.publicKey(KeyType.SECP256K1, new byte[len]))
                    .isInstanceOf(KeyFormatException.class);
        }
        for (int len : new int[] {0, 31, 33}) {
            assertThatThrownBy(() -> Keys.privateKey(KeyType.SECP256K1, new byte[len]))
                    .isInstanceOf(KeyFormatException.class).hasMessageContaining("32 bytes");
        }
        assertThatThrownBy(() -> Keys.publicKey(KeyType.RSA, new byte[10])).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> Keys.privateKey(KeyType.RSA, new byte[10])).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> Keys.publicKey(KeyType.ECDSA, new byte[10])).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> Keys.privateKey(KeyType.ECDSA, new byte[10])).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void secp256k1ScalarMustBeInRange() {
        assertThatThrownBy(() -> Keys.privateKey(KeyType.SECP256K1, new byte[32]))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("out of range");
        byte[] n = org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32,
                CustomNamedCurves.getByName("secp256k1").getN());
        assertThatThrownBy(() -> Keys.privateKey(KeyType.SECP256K1, n)).isInstanceOf(KeyFormatException.class);
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xff);
        assertThatThrownBy(() -> Keys.privateKey(KeyType.SECP256K1, ff)).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void secp256k1UncompressedInputIsNormalisedToCompressed() {
        PublicKey compressed = Keys.unmarshalPublicKey(hex(SECP256K1_PUBLIC));
        org.bouncycastle.math.ec.ECPoint p = CustomNamedCurves.getByName("secp256k1").getCurve()
                .decodePoint(compressed.raw());
        byte[] uncompressed = p.getEncoded(false);
        PublicKey fromUncompressed = Keys.publicKey(KeyType.SECP256K1, uncompressed);
        assertThat(fromUncompressed).isEqualTo(compressed);
        assertThat(fromUncompressed.raw()).hasSize(33);
        assertThat(fromUncompressed.peerId()).isEqualTo(compressed.peerId());

        byte[] offCurve = uncompressed.clone();
        offCurve[64] ^= 1;
        assertThatThrownBy(() -> Keys.publicKey(KeyType.SECP256K1, offCurve)).isInstanceOf(KeyFormatException.class);
        byte[] hybrid = uncompressed.clone();
        hybrid[0] = 6;
        assertThatThrownBy(() -> Keys.publicKey(KeyType.SECP256K1, hybrid)).isInstanceOf(KeyFormatException.class);
        byte[] badPrefix = compressed.raw();
        badPrefix[0] = 5;
        assertThatThrownBy(() -> Keys.publicKey(KeyType.SECP256K1, badPrefix)).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void secp256k1SignaturesAreDeterministicLowSDer() {
        PrivateKey key = Keys.unmarshalPrivateKey(hex(SECP256K1_PRIVATE));
        BigInteger halfN = CustomNamedCurves.getByName("secp256k1").getN().shiftRight(1);
        for (int i = 0; i < 64; i++) {
            byte[] msg = ("message " + i).getBytes(StandardCharsets.UTF_8);
            byte[] sig = key.sign(msg);
            assertThat(key.sign(msg)).isEqualTo(sig);
            ASN1Sequence seq = ASN1Sequence.getInstance(sig);
            BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
            assertThat(s).isLessThanOrEqualTo(halfN);
        }
    }

    @Test
    void secp256k1AcceptsHighSButRejectsNonDer() throws Exception {
        PrivateKey key = Keys.unmarshalPrivateKey(hex(SECP256K1_PRIVATE));
        byte[] sig = key.sign(MESSAGE);
        ASN1Sequence seq = ASN1Sequence.getInstance(sig);
        BigInteger r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
        BigInteger s = ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
        BigInteger n = CustomNamedCurves.getByName("secp256k1").getN();
        byte[] highS = new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(n.subtract(s))}).getEncoded();
        assertThat(key.publicKey().verify(MESSAGE, highS)).isTrue();

        // trailing byte, BER long-form length, raw r||s: all rejected
        assertThat(key.publicKey().verify(MESSAGE, Arrays.copyOf(sig, sig.length + 1))).isFalse();
        byte[] ber = new byte[sig.length + 1];
        ber[0] = 0x30;
        ber[1] = (byte) 0x81;
        ber[2] = sig[1];
        System.arraycopy(sig, 2, ber, 3, sig.length - 2);
        assertThat(key.publicKey().verify(MESSAGE, ber)).isFalse();
        byte[] rs = new byte[64];
        System.arraycopy(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, r), 0, rs, 0, 32);
        System.arraycopy(org.bouncycastle.util.BigIntegers.asUnsignedByteArray(32, s), 0, rs, 32, 32);
        assertThat(key.publicKey().verify(MESSAGE, rs)).isFalse();
        byte[] zero = new DERSequence(new ASN1Integer[] {new ASN1Integer(0), new ASN1Integer(s)}).getEncoded();
        assertThat(key.publicKey().verify(MESSAGE, zero)).isFalse();
    }

    @Test
    void ed25519PublicKeyThatIsNotAPointNeverVerifies() {
        byte[] notAPoint = new byte[32];
        Arrays.fill(notAPoint, (byte) 0xff);
        PublicKey key = Keys.publicKey(KeyType.ED25519, notAPoint);
        assertThat(key.verify(MESSAGE, new byte[64])).isFalse();
    }

    @Test
    void protobufMustBeCanonical() {
        byte[] pub = hex(ED25519_PUBLIC);
        // fields reversed
        byte[] reversed = new byte[pub.length];
        System.arraycopy(pub, 2, reversed, 0, 34);
        reversed[34] = 0x08;
        reversed[35] = 0x01;
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(reversed))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("canonical");
        // trailing unknown field
        byte[] extra = Arrays.copyOf(pub, pub.length + 2);
        extra[pub.length] = 0x18;
        extra[pub.length + 1] = 0x01;
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(extra))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("unknown fields");
        // trailing garbage that is not a field
        byte[] garbage = Arrays.copyOf(pub, pub.length + 1);
        garbage[pub.length] = (byte) 0xff;
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(garbage)).isInstanceOf(KeyFormatException.class);
        // duplicated Type field
        byte[] dup = new byte[pub.length + 2];
        dup[0] = 0x08;
        dup[1] = 0x01;
        System.arraycopy(pub, 0, dup, 2, pub.length);
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(dup)).isInstanceOf(KeyFormatException.class);
        // non-minimal varint for Type
        byte[] overlong = new byte[pub.length + 1];
        overlong[0] = 0x08;
        overlong[1] = (byte) 0x81;
        overlong[2] = 0x00;
        System.arraycopy(pub, 2, overlong, 3, 34);
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(overlong)).isInstanceOf(KeyFormatException.class);
        // truncated
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(Arrays.copyOf(pub, 20))).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(new byte[0]))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("empty");
    }

    @Test
    void missingFieldsAndUnsupportedTypes() {
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(hex("0801")))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("Data");
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(hex("1200")))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("Type");
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(hex("08091200")))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("unsupported key type 9");
        assertThatThrownBy(() -> Keys.unmarshalPrivateKey(hex("08051200")))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("unsupported key type 5");
        assertThatThrownBy(() -> KeyType.fromNumber(4)).isInstanceOf(KeyFormatException.class);
        // a public key is not a private key, and vice versa
        assertThatThrownBy(() -> Keys.unmarshalPrivateKey(hex(ED25519_PUBLIC))).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(hex(ED25519_PRIVATE))).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void oversizedInputIsRejectedBeforeParsing() {
        byte[] big = new byte[Keys.MAX_MARSHALLED_KEY_BYTES + 1];
        assertThatThrownBy(() -> Keys.unmarshalPublicKey(big))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("too large");
        assertThatThrownBy(() -> Keys.unmarshalPrivateKey(big)).isInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> Keys.publicKey(KeyType.RSA, big)).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void rsaKeySizeLimits() {
        assertThatThrownBy(() -> Keys.generateRsa(512)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RsaPublicKey.checkParameters(BigInteger.ONE.shiftLeft(8192).add(BigInteger.ONE),
                BigInteger.valueOf(65537))).isInstanceOf(KeyFormatException.class).hasMessageContaining("8192");
        assertThatThrownBy(() -> RsaPublicKey.fromComponents(BigInteger.ONE.shiftLeft(600).add(BigInteger.ONE),
                BigInteger.valueOf(65537))).isInstanceOf(KeyFormatException.class).hasMessageContaining("1024");
        assertThatThrownBy(() -> RsaPublicKey.checkParameters(BigInteger.ONE.shiftLeft(2047).add(BigInteger.ONE),
                BigInteger.valueOf(2))).isInstanceOf(KeyFormatException.class).hasMessageContaining("exponent");
    }

    @Test
    void ecdsaKeysRejectUnsupportedCurvesAndMismatchedEmbeddedKeys() {
        // secp256k1 named in an ECDSA SPKI is not a supported ECDSA curve
        PrivateKey k1 = Keys.generate(KeyType.SECP256K1);
        org.bouncycastle.math.ec.ECPoint p = CustomNamedCurves.getByName("secp256k1").getCurve()
                .decodePoint(k1.publicKey().raw());
        byte[] spki;
        try {
            spki = new org.bouncycastle.asn1.x509.SubjectPublicKeyInfo(
                    new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                            org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey,
                            org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256k1),
                    p.getEncoded(false)).getEncoded();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> Keys.publicKey(KeyType.ECDSA, spki))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("unsupported ECDSA curve");

        byte[] raw = Keys.unmarshalPrivateKey(hex(KeyVectorsTest.ECDSA_PRIVATE)).raw();
        raw[raw.length - 1] ^= 1; // last byte of the embedded public key
        assertThatThrownBy(() -> Keys.privateKey(KeyType.ECDSA, raw)).isInstanceOf(KeyFormatException.class);
    }

    @Test
    void rsaPrivateKeyComponentsMustBeConsistent() {
        org.bouncycastle.asn1.pkcs.RSAPrivateKey k = org.bouncycastle.asn1.pkcs.RSAPrivateKey.getInstance(
                KEYS.get(5).raw());
        byte[] broken;
        try {
            broken = new org.bouncycastle.asn1.pkcs.RSAPrivateKey(k.getModulus(), k.getPublicExponent(),
                    k.getPrivateExponent(), k.getPrime1().add(BigInteger.TWO), k.getPrime2(), k.getExponent1(),
                    k.getExponent2(), k.getCoefficient()).getEncoded();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> Keys.privateKey(KeyType.RSA, broken))
                .isInstanceOf(KeyFormatException.class).hasMessageContaining("inconsistent");
    }

    private static PrivateKey regenerate(PrivateKey key) {
        if (key.type() == KeyType.RSA) {
            return Keys.generateRsa(1024);
        }
        if (key.type() == KeyType.ECDSA) {
            return EcdsaPrivateKey.generate(((EcdsaPublicKey) key.publicKey()).curve(), new java.security.SecureRandom());
        }
        return Keys.generate(key.type());
    }
}
