package org.lotusia.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidTest {

    private static final HexFormat HEX = HexFormat.of();

    private static final String ED25519_MULTIHASH =
            "0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    private static final String ED25519_CID_BASE32 =
            "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6";
    private static final String ED25519_CID_BASE36 =
            "k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe";

    @Test
    void ed25519PeerIdCid() {
        Cid cid = Cid.v1(Cid.LIBP2P_KEY, Multihash.decode(HEX.parseHex(ED25519_MULTIHASH)));
        assertThat(cid.version()).isEqualTo(1);
        assertThat(cid.codec()).isEqualTo(0x72);
        assertThat(cid.toBytes()).isEqualTo(HEX.parseHex("0172" + ED25519_MULTIHASH));
        assertThat(cid.toString()).isEqualTo(ED25519_CID_BASE32);
        assertThat(cid.toString(Multibase.Encoding.BASE36)).isEqualTo(ED25519_CID_BASE36);
        assertThat(Cid.parse(ED25519_CID_BASE32)).isEqualTo(cid);
        assertThat(Cid.parse(ED25519_CID_BASE36)).isEqualTo(cid);
        // base32 decoding is case-insensitive after the 'b' prefix
        assertThat(Cid.parse("b" + ED25519_CID_BASE32.substring(1).toUpperCase())).isEqualTo(cid);
        assertThat(Cid.decode(cid.toBytes())).isEqualTo(cid).hasSameHashCodeAs(cid);
        assertThat(Base58.encode(cid.multihash().toBytes()))
                .isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
    }

    @Test
    void rsaPeerIdCidAndBase58FormsShareTheMultihash() {
        Cid v0 = Cid.parse("QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqxG");
        Cid v1 = Cid.parse("bafzbeifwzcumbiyql7bhv7fe7mixg6i7aohegq75k234m63bnw6dbicmzu");
        assertThat(v0.version()).isZero();
        assertThat(v0.codec()).isEqualTo(Cid.DAG_PB);
        assertThat(v1.codec()).isEqualTo(Cid.LIBP2P_KEY);
        assertThat(v1.multihash()).isEqualTo(v0.multihash());
        assertThat(v1.multihash().code()).isEqualTo(Multihash.SHA2_256);
        assertThat(Cid.v1(Cid.LIBP2P_KEY, v0.multihash()).toString())
                .isEqualTo("bafzbeifwzcumbiyql7bhv7fe7mixg6i7aohegq75k234m63bnw6dbicmzu");
    }

    @Test
    void specExamplePeerIdCid() {
        Cid v1 = Cid.parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
        Cid v0 = Cid.parse("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        assertThat(v1.multihash()).isEqualTo(v0.multihash());
        assertThat(v0.toString()).isEqualTo("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");
        assertThat(v0.toBytes()).isEqualTo(HEX.parseHex(
                "12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9"));
        assertThat(Cid.decode(v0.toBytes())).isEqualTo(v0);
    }

    @Test
    void cidV0ConversionsAndTextForms() {
        Cid v0 = Cid.v0(Multihash.sha256(new byte[] {1}));
        Cid v1 = v0.toV1();
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.codec()).isEqualTo(Cid.DAG_PB);
        assertThat(v1.toString()).startsWith("bafy");
        assertThat(v1.toV1()).isSameAs(v1);
        assertThat(v0.toString(Multibase.Encoding.BASE58BTC)).isEqualTo(v0.toString()).startsWith("Qm");
        assertThatThrownBy(() -> v0.toString(Multibase.Encoding.BASE32))
                .isInstanceOf(IllegalArgumentException.class);
        // A multibase-prefixed CIDv0 ("zQm…") is accepted, like go-cid does.
        assertThat(Cid.parse("z" + v0)).isEqualTo(v0);
        assertThatThrownBy(() -> Cid.v0(Multihash.identity(new byte[3])))
                .isInstanceOf(InvalidCidException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "'', empty CID",
        "00, unsupported CID version 0",
        "02721220, unsupported CID version 2",
        "80, invalid CID version",
        "01, invalid CID codec",
        "0172, invalid CID multihash",
        "01720003aa, invalid CID multihash",
        "01720001aabb, trailing",
        "1220aa, CIDv0 must be a 34-byte",
        "12, CIDv0 must be a 34-byte",
        "01f200, invalid CID codec",
    })
    void rejectsMalformedBinaryCids(String hex, String reason) {
        assertThatThrownBy(() -> Cid.decode(HEX.parseHex(hex)))
                .isInstanceOf(InvalidCidException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void cidV0MustBeAFullSha256Multihash() {
        assertThatThrownBy(() -> Cid.decode(HEX.parseHex("1221" + "00".repeat(32))))
                .isInstanceOf(InvalidCidException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Q", "Qm", "QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqx",
        "QmaeANgBs1DTSxWSrPPtobgQuxW8XTfsS4ydbK4rCHzqxG0", "xyz", "b", "b1", "bafz!",
        "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq"})
    void rejectsMalformedCidStrings(String text) {
        assertThatThrownBy(() -> Cid.parse(text)).isInstanceOf(InvalidCidException.class);
    }

    @Test
    void rejectsOverlongCidStrings() {
        assertThatThrownBy(() -> Cid.parse("b" + "a".repeat(Cid.MAX_STRING_LENGTH)))
                .isInstanceOf(InvalidCidException.class)
                .hasMessageContaining("longer than");
    }
}
