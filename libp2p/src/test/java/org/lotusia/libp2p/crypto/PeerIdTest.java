package org.lotusia.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.ED25519_PUBLIC;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.hex;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.multiformats.Base58;
import org.lotusia.libp2p.multiformats.Multibase;
import org.lotusia.libp2p.multiformats.Multihash;

class PeerIdTest {
    private static final String ED_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";
    private static final String RSA_ID = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";

    @Test
    void identityAndSha256FormsRoundTrip() {
        PeerId ed = PeerId.parse(ED_ID);
        assertThat(ed.isInlined()).isTrue();
        assertThat(PeerId.fromBytes(ed.toBytes())).isEqualTo(ed);
        assertThat(PeerId.fromMultihash(ed.multihash())).isEqualTo(ed);
        assertThat(ed.multihash().digest()).isEqualTo(hex(ED25519_PUBLIC));

        PeerId rsa = PeerId.parse(RSA_ID);
        assertThat(rsa.isInlined()).isFalse();
        assertThat(rsa.toBytes()).hasSize(34);
        assertThat(rsa.multihash()).isEqualTo(Multihash.decode(rsa.toBytes()));
        assertThat(PeerId.fromBytes(rsa.toBytes())).isEqualTo(rsa).hasSameHashCodeAs(rsa);
    }

    @Test
    void toBytesReturnsACopy() {
        PeerId id = PeerId.parse(RSA_ID);
        byte[] b = id.toBytes();
        b[5] ^= 1;
        assertThat(id.toString()).isEqualTo(RSA_ID);
    }

    @Test
    void orderingIsUnsignedLexicographicOverBytes() {
        PeerId ed = PeerId.parse(ED_ID);
        PeerId rsa = PeerId.parse(RSA_ID);
        List<PeerId> ids = new ArrayList<>(List.of(rsa, ed, Keys.generateEd25519().publicKey().peerId()));
        Collections.sort(ids);
        for (int i = 1; i < ids.size(); i++) {
            assertThat(Arrays.compareUnsigned(ids.get(i - 1).toBytes(), ids.get(i).toBytes())).isNegative();
        }
        assertThat(ed.compareTo(rsa)).isNegative(); // 0x00 < 0x12
        assertThat(ed.compareTo(PeerId.parse(ED_ID))).isZero();
    }

    @Test
    void matchesChecksTheKey() {
        PrivateKey key = Keys.generateEd25519();
        assertThat(key.publicKey().peerId().matches(key.publicKey())).isTrue();
        assertThat(key.publicKey().peerId().matches(Keys.generateEd25519().publicKey())).isFalse();
    }

    @Test
    void rejectsOtherHashesAndBadLengths() {
        byte[] rsa = PeerId.parse(RSA_ID).toBytes();
        byte[] sha512 = rsa.clone();
        sha512[0] = 0x13;
        assertThatThrownBy(() -> PeerId.fromBytes(sha512))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("0x13");
        assertThatThrownBy(() -> PeerId.fromBytes(Arrays.copyOf(rsa, 33)))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("does not match");
        byte[] shortSha = {0x12, 0x02, 1, 2};
        assertThatThrownBy(() -> PeerId.fromBytes(shortSha))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> PeerId.fromBytes(new byte[0])).isInstanceOf(InvalidPeerIdException.class);
        assertThatThrownBy(() -> PeerId.fromBytes(new byte[] {0x00})).isInstanceOf(InvalidPeerIdException.class);
        assertThatThrownBy(() -> PeerId.fromBytes(new byte[PeerId.MAX_BYTES + 1]))
                .isInstanceOf(InvalidPeerIdException.class);
        // non-minimal varint code
        byte[] overlong = new byte[35];
        overlong[0] = (byte) 0x92;
        overlong[1] = 0x00;
        assertThatThrownBy(() -> PeerId.fromBytes(overlong)).isInstanceOf(InvalidPeerIdException.class);
    }

    @Test
    void identityDigestMustBeAValidSmallKey() {
        assertThatThrownBy(() -> PeerId.fromBytes(new byte[] {0x00, 0x00}))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("public key");
        byte[] garbage = new byte[38];
        garbage[1] = 36;
        Arrays.fill(garbage, 2, 38, (byte) 0x41);
        assertThatThrownBy(() -> PeerId.fromBytes(garbage))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("public key");
        // an identity multihash of an RSA key would be > 42 bytes: never valid
        byte[] rsaKey = KeysTest.KEYS.get(5).publicKey().marshal();
        assertThat(rsaKey.length).isGreaterThan(42);
        byte[] big = new byte[2 + 43];
        big[1] = 43;
        assertThatThrownBy(() -> PeerId.fromBytes(big)).isInstanceOf(InvalidPeerIdException.class);
        // uncompressed secp256k1 key (69 bytes) cannot be inlined either
        assertThatThrownBy(() -> PeerId.fromBytes(new byte[71])).isInstanceOf(InvalidPeerIdException.class);
    }

    @Test
    void parseRejectsBadStrings() {
        assertThatThrownBy(() -> PeerId.parse("")).isInstanceOf(InvalidPeerIdException.class);
        assertThatThrownBy(() -> PeerId.parse("Qm0OIl")).isInstanceOf(InvalidPeerIdException.class);
        assertThatThrownBy(() -> PeerId.parse("hello world")).isInstanceOf(InvalidPeerIdException.class);
        assertThatThrownBy(() -> PeerId.parse("1".repeat(200)))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("too long");
        assertThatThrownBy(() -> PeerId.parse(ED_ID.substring(0, ED_ID.length() - 1)))
                .isInstanceOf(InvalidPeerIdException.class);
        // valid base58 but a CIDv0-looking string that is too short
        assertThatThrownBy(() -> PeerId.parse("Qm")).isInstanceOf(InvalidPeerIdException.class);
    }

    @Test
    void cidMustBeV1WithLibp2pKeyCodec() {
        byte[] mh = PeerId.parse(RSA_ID).toBytes();
        byte[] dagPb = new byte[mh.length + 2];
        dagPb[0] = 0x01;
        dagPb[1] = 0x70;
        System.arraycopy(mh, 0, dagPb, 2, mh.length);
        String dagPbCid = Multibase.encode(Multibase.Encoding.BASE32, dagPb);
        assertThatThrownBy(() -> PeerId.parse(dagPbCid))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("libp2p-key");
        byte[] v2 = dagPb.clone();
        v2[0] = 0x02;
        v2[1] = 0x72;
        assertThatThrownBy(() -> PeerId.parse(Multibase.encode(Multibase.Encoding.BASE32, v2)))
                .isInstanceOf(InvalidPeerIdException.class).hasMessageContaining("CIDv1");
        // base58btc multibase CID is fine too
        byte[] ok = dagPb.clone();
        ok[1] = 0x72;
        assertThat(PeerId.parse(Multibase.encode(Multibase.Encoding.BASE58BTC, ok))).isEqualTo(PeerId.parse(RSA_ID));
        assertThat(PeerId.parse(Multibase.encode(Multibase.Encoding.BASE36, ok))).isEqualTo(PeerId.parse(RSA_ID));
        // the legacy text is the base58 of the multihash
        assertThat(Base58.encode(mh)).isEqualTo(RSA_ID);
    }

    @Test
    void extractPublicKeyOfInlinedIdVerifiesSignatures() {
        PrivateKey key = Keys.generate(KeyType.SECP256K1);
        PeerId parsed = PeerId.parse(key.publicKey().peerId().toString());
        PublicKey extracted = parsed.extractPublicKey().orElseThrow();
        assertThat(extracted.verify(new byte[] {1, 2, 3}, key.sign(new byte[] {1, 2, 3}))).isTrue();
    }
}
