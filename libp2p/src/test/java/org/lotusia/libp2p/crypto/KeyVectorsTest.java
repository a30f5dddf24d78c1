package org.lotusia.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Spec test vectors (peer-ids.md) and peer ids computed with js-libp2p (interop-notes §2.4). */
class KeyVectorsTest {
    static final HexFormat HEX = HexFormat.of();

    static final String ED25519_PRIVATE = "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
            + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    static final String ED25519_PUBLIC = "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    static final String SECP256K1_PRIVATE = "0802122053DADF1D5A164D6B4ACDB15E24AA4C5B1D3461BDBD42ABEDB0A4404D56CED8FB";
    static final String SECP256K1_PUBLIC = "08021221037777e994e452c21604f91de093ce415f5432f701dd8cd1a7a6fea0e630bfca99";
    static final String ECDSA_PRIVATE = "08031279307702010104203E5B1FE9712E6C314942A750BD67485DE3C1EFE85B1BFB520AE8F9"
            + "AE3DFA4A4CA00A06082A8648CE3D030107A14403420004DE3D300FA36AE0E8F5D530899D83ABAB44ABF3161F162A4BC901D8E6EC"
            + "DA020E8B6D5F8DA30525E71D6851510C098E5C47C646A597FB4DCEC034E9F77C409E62";
    static final String ECDSA_PUBLIC = "0803125b3059301306072a8648ce3d020106082a8648ce3d03010703420004de3d300fa36a"
            + "e0e8f5d530899d83abab44abf3161f162a4bc901d8e6ecda020e8b6d5f8da30525e71d6851510c098e5c47c646a597fb4dcec034e"
            + "9f77c409e62";

    static byte[] hex(String s) {
        return HEX.parseHex(s.toLowerCase());
    }

    static String rsaPrivate() {
        return RsaSpecVector.PRIVATE;
    }

    static String rsaPublic() {
        return RsaSpecVector.PUBLIC;
    }

    @Test
    void ed25519PrivateKeyDerivesSpecPublicKeyAndPeerId() {
        PrivateKey key = Keys.unmarshalPrivateKey(hex(ED25519_PRIVATE));
        assertThat(key.type()).isEqualTo(KeyType.ED25519);
        assertThat(key.marshal()).isEqualTo(hex(ED25519_PRIVATE));
        assertThat(key.publicKey().marshal()).isEqualTo(hex(ED25519_PUBLIC));
        assertThat(key.publicKey().raw()).hasSize(32);

        PeerId id = key.publicKey().peerId();
        assertThat(id.toString()).isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
        assertThat(id.toBytes()).isEqualTo(hex("0024" + ED25519_PUBLIC));
        assertThat(id.toCidString()).isEqualTo("bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6");
        assertThat(PeerId.parse("k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe")).isEqualTo(id);
        assertThat(PeerId.parse(id.toCidString())).isEqualTo(id);
        assertThat(PeerId.parse(id.toString())).isEqualTo(id);
        assertThat(id.extractPublicKey()).contains(key.publicKey());
        assertThat(id.multihash().code()).isEqualTo(0x00);
    }

    @Test
    void secp256k1PrivateKeyDerivesSpecPublicKeyAndPeerId() {
        PrivateKey key = Keys.unmarshalPrivateKey(hex(SECP256K1_PRIVATE));
        assertThat(key.type()).isEqualTo(KeyType.SECP256K1);
        assertThat(key.marshal()).isEqualTo(hex(SECP256K1_PRIVATE));
        assertThat(key.publicKey().marshal()).isEqualTo(hex(SECP256K1_PUBLIC));
        PeerId id = key.publicKey().peerId();
        assertThat(id.toString()).isEqualTo("16Uiu2HAmLhLvBoYaoZfaMUKuibM6ac163GwKY74c5kiSLg5KvLpY");
        assertThat(PeerId.parse(id.toString()).extractPublicKey()).contains(key.publicKey());
        assertThat(Keys.unmarshalPublicKey(hex(SECP256K1_PUBLIC))).isEqualTo(key.publicKey());
    }

    @Test
    void ecdsaPrivateKeyDerivesSpecPublicKey() {
        PrivateKey key = Keys.unmarshalPrivateKey(hex(ECDSA_PRIVATE));
        assertThat(key.type()).isEqualTo(KeyType.ECDSA);
        assertThat(key.marshal()).isEqualTo(hex(ECDSA_PRIVATE));
        assertThat(key.publicKey().marshal()).isEqualTo(hex(ECDSA_PUBLIC));
        PublicKey parsed = Keys.unmarshalPublicKey(hex(ECDSA_PUBLIC));
        assertThat(parsed).isEqualTo(key.publicKey());
        // 95-byte marshalled key: hashed
        assertThat(parsed.peerId().toString()).startsWith("Qm");
        assertThat(parsed.peerId().extractPublicKey()).isEmpty();
        byte[] sig = key.sign("ecdsa".getBytes());
        assertThat(parsed.verify("ecdsa".getBytes(), sig)).isTrue();
    }

    @Test
    void rsaPrivateKeyDerivesSpecPublicKeyAndJsPeerId() {
        PrivateKey key = Keys.unmarshalPrivateKey(hex(rsaPrivate()));
        assertThat(key.type()).isEqualTo(KeyType.RSA);
        assertThat(key.marshal()).isEqualTo(hex(rsaPrivate()));
        assertThat(key.publicKey().marshal()).isEqualTo(hex(rsaPublic()));
        PublicKey pub = Keys.unmarshalPublicKey(hex(rsaPublic()));
        assertThat(pub).isEqualTo(key.publicKey());
        PeerId id = pub.peerId();
        assertThat(id.toString()).isEqualTo("QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqxG");
        assertThat(id.toCidString()).isEqualTo("bafzbeifwzcumbiyql7bhv7fe7mixg6i7aohegq75k234m63bnw6dbicmzu");
        assertThat(id.extractPublicKey()).isEmpty();
        assertThat(id.matches(pub)).isTrue();
        byte[] sig = key.sign("rsa".getBytes());
        assertThat(sig).hasSize(512);
        assertThat(pub.verify("rsa".getBytes(), sig)).isTrue();
        assertThat(pub.verify("rsA".getBytes(), sig)).isFalse();
    }

    @Test
    void specCidExampleEqualsLegacyForm() {
        PeerId cid = PeerId.parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
        PeerId legacy = PeerId.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        assertThat(cid).isEqualTo(legacy);
        assertThat(cid.toString()).isEqualTo("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        assertThat(legacy.toCidString()).isEqualTo("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
        assertThat(cid.multihash().code()).isEqualTo(0x12);
    }

    @Test
    void signaturesMatchJsLibp2pByteForByte() {
        // computed with @libp2p/crypto 5.1.23: privateKeyFromProtobuf(spec key).sign(message)
        byte[] message = "lotus-p2p-java interop vector".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        PrivateKey secp = Keys.unmarshalPrivateKey(hex(SECP256K1_PRIVATE));
        byte[] secpSig = hex("30450221008a7b875045acd80dd74a1cb32be842425f6874651f3baa687add4d06ef99a76a0220"
                + "18967a1e29b57348f6d5822fb0fe5c0f47b5aa2b627e0c9d1d091a0985de733e");
        assertThat(secp.sign(message)).isEqualTo(secpSig);
        assertThat(secp.publicKey().verify(message, secpSig)).isTrue();

        PrivateKey ed = Keys.unmarshalPrivateKey(hex(ED25519_PRIVATE));
        byte[] edSig = hex("988adfd781bbe4f091b0904a26f13eff23f5a5a63790541c376e1c871f8cf7b6"
                + "6f3f0a77f6ad69fbb2e5afe25d2a4a73c94efbc8e1b8263c16b7cf4ca005d00a");
        assertThat(ed.sign(message)).isEqualTo(edSig);
        assertThat(ed.publicKey().verify(message, edSig)).isTrue();
    }
}
