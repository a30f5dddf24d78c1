package org.lotusia.libp2p.multiformats;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MultihashTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Ed25519 PublicKey protobuf from the peer-id spec (interop notes §2.4). */
    private static final String ED25519_PUBLIC_KEY =
            "080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";

    @Test
    void identityOfPeerIdPublicKey() {
        Multihash mh = Multihash.identity(HEX.parseHex(ED25519_PUBLIC_KEY));
        assertThat(mh.code()).isEqualTo(Multihash.IDENTITY);
        assertThat(mh.digestLength()).isEqualTo(36);
        assertThat(mh.toBytes()).isEqualTo(HEX.parseHex("0024" + ED25519_PUBLIC_KEY));
        assertThat(Base58.encode(mh.toBytes()))
                .isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
        assertThat(Multihash.decode(mh.toBytes())).isEqualTo(mh);
    }

    @Test
    void sha256HashesTheData() {
        assertThat(Multihash.sha256(new byte[0]).toBytes()).isEqualTo(HEX.parseHex(
                "1220e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        Multihash abc = Multihash.sha256("abc".getBytes(US_ASCII));
        assertThat(abc.code()).isEqualTo(Multihash.SHA2_256);
        assertThat(abc.digest()).isEqualTo(HEX.parseHex(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        assertThat(abc.encodedLength()).isEqualTo(34);
        assertThat(abc.toString()).isEqualTo("1220" + HEX.formatHex(abc.digest()));
    }

    @Test
    void certhashVectorDecodes() {
        byte[] bytes = HEX.parseHex(
                "1220241f96b80cf18a52e3818d8c340a0c23bdc24224c0f62bfd5a96e291feda5ebd");
        Multihash mh = Multihash.decode(bytes);
        assertThat(mh.code()).isEqualTo(Multihash.SHA2_256);
        assertThat(mh.toBytes()).isEqualTo(bytes);
        assertThat(Multibase.encode(Multibase.Encoding.BASE64URL, bytes))
                .isEqualTo("uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ");
    }

    @Test
    void unknownCodesDecodeAsGenericPairs() {
        Multihash sha512 = Multihash.decode(HEX.parseHex("1340" + "ab".repeat(64)));
        assertThat(sha512.code()).isEqualTo(0x13);
        assertThat(sha512.digestLength()).isEqualTo(64);
        Multihash blake2b = Multihash.decode(HEX.parseHex("a0e40220" + "01".repeat(32)));
        assertThat(blake2b.code()).isEqualTo(0xb220);
        assertThat(Multihash.of(0xb220, HEX.parseHex("01".repeat(32)))).isEqualTo(blake2b);
    }

    @Test
    void truncatedSha256DigestsAreAllowedButNotLongerOnes() {
        assertThat(Multihash.decode(HEX.parseHex("120401020304")).digestLength()).isEqualTo(4);
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex("1221" + "00".repeat(33))))
                .isInstanceOf(InvalidMultihashException.class)
                .hasMessageContaining("sha2-256 digest length 33");
    }

    @Test
    void identityUpToTheCapIsAccepted() {
        byte[] data = new byte[Multihash.MAX_DIGEST_LENGTH];
        Multihash mh = Multihash.identity(data);
        assertThat(Multihash.decode(mh.toBytes())).isEqualTo(mh);
        assertThatThrownBy(() -> Multihash.identity(new byte[Multihash.MAX_DIGEST_LENGTH + 1]))
                .isInstanceOf(InvalidMultihashException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "'', truncated varint",
        "12, truncated varint",
        "1220, truncated multihash",
        "122000, truncated multihash",
        "0003aabb, truncated multihash",
        "0001aabb, trailing",
        "8000, non-minimal",
        "00ff7f, exceeds the maximum",
        "ffffffffffffffff7f00, exceeds the maximum",
        "0081, truncated varint",
    })
    void rejectsMalformedMultihashes(String hex, String reason) {
        assertThatThrownBy(() -> Multihash.decode(HEX.parseHex(hex)))
                .isInstanceOf(InvalidMultihashException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void decodeFromBufferStopsAfterOneMultihash() {
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("0002aabb0001cc"));
        assertThat(Multihash.decode(in).digest()).isEqualTo(HEX.parseHex("aabb"));
        assertThat(Multihash.decode(in).digest()).isEqualTo(HEX.parseHex("cc"));
        assertThat(in.hasRemaining()).isFalse();
        ByteBuffer bad = ByteBuffer.wrap(HEX.parseHex("0005aa"));
        assertThatThrownBy(() -> Multihash.decode(bad)).isInstanceOf(InvalidMultihashException.class);
        assertThat(bad.position()).isZero();
    }

    @Test
    void valueSemantics() {
        byte[] data = {1, 2, 3};
        Multihash a = Multihash.identity(data);
        data[0] = 9;
        assertThat(a.digest()).containsExactly(1, 2, 3);
        a.digest()[0] = 7;
        a.toBytes()[0] = 7;
        assertThat(a.toBytes()).containsExactly(0, 3, 1, 2, 3);
        assertThat(a).isEqualTo(Multihash.of(0, new byte[] {1, 2, 3})).hasSameHashCodeAs(
                Multihash.decode(new byte[] {0, 3, 1, 2, 3}));
        assertThat(a).isNotEqualTo(Multihash.of(0x55, new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> Multihash.of(-1, new byte[0])).isInstanceOf(InvalidMultihashException.class);
    }
}
