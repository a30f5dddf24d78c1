package org.lotusia.libp2p.multiformats;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BaseEncodingTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Well-known base58btc test vectors (the Bitcoin Core set). */
    @ParameterizedTest
    @CsvSource({
        "'', ''",
        "00, 1",
        "0000, 11",
        "61, 2g",
        "626262, a3gV",
        "636363, aPEr",
        "73696d706c792061206c6f6e6720737472696e67, 2cFupjhnEsSn59qHXstmK2ffpLv2",
        "00eb15231dfceb60925886b67d065299925915aeb172c06647, 1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L",
        "516b6fcd0f, ABnLTmg",
        "bf4f89001e670274dd, 3SEo3LWLoPntC",
        "572e4794, 3EFU7m",
        "ecac89cad93923c02321, EJDM8drfXA6uyA",
        "10c8511e, Rt5zm",
        "00000000000000000000, 1111111111",
        "000000287fb4cd, 111233QC4",
    })
    void base58KnownVectors(String hex, String text) {
        byte[] bytes = HEX.parseHex(hex);
        assertThat(Base58.encode(bytes)).isEqualTo(text);
        assertThat(Base58.decode(text)).isEqualTo(bytes);
    }

    @Test
    void base58PeerIdVectors() {
        assertThat(Base58.encode(HEX.parseHex(
                "0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e")))
                .isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
        assertThat(Base58.decode("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")).isEqualTo(HEX.parseHex(
                "12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "O", "I", "l", "abc+", "1 2", "é", "zz\u0000"})
    void base58RejectsCharactersOutsideTheAlphabet(String text) {
        assertThatThrownBy(() -> Base58.decode(text))
                .isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("invalid base58btc character");
    }

    @Test
    void base58AndBase36CapInputSize() {
        assertThatThrownBy(() -> Base58.decode("2".repeat(RadixCodec.MAX_TEXT_CHARS + 1)))
                .isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("limited");
        assertThatThrownBy(() -> Base36.encode(new byte[RadixCodec.MAX_DATA_BYTES + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] max = new byte[RadixCodec.MAX_DATA_BYTES];
        max[0] = 1;
        max[max.length - 1] = (byte) 0xff;
        assertThat(Base58.decode(Base58.encode(max))).isEqualTo(max);
    }

    /** RFC 4648 section 10, lower case, padding removed. */
    @ParameterizedTest
    @CsvSource({
        "'', ''",
        "f, my",
        "fo, mzxq",
        "foo, mzxw6",
        "foob, mzxw6yq",
        "fooba, mzxw6ytb",
        "foobar, mzxw6ytboi",
    })
    void base32Rfc4648Vectors(String plain, String text) {
        byte[] bytes = plain.getBytes(US_ASCII);
        assertThat(Base32.encode(bytes)).isEqualTo(text);
        assertThat(Base32.decode(text)).isEqualTo(bytes);
        assertThat(Base32.decode(text.toUpperCase())).isEqualTo(bytes);
    }

    @Test
    void base32AcceptsCorrectPaddingOnly() {
        assertThat(Base32.decode("my======")).isEqualTo("f".getBytes(US_ASCII));
        assertThat(Base32.decode("mzxw6yq=")).isEqualTo("foob".getBytes(US_ASCII));
        assertThatThrownBy(() -> Base32.decode("my=")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("padding");
        assertThatThrownBy(() -> Base32.decode("mzxw6yq========"))
                .isInstanceOf(InvalidMultibaseException.class);
    }

    @ParameterizedTest
    @CsvSource({
        "m, length",
        "mzx, length",
        "mzxw6y, length",
        "mz, non-zero",
        "mzxr, non-zero",
        "my1, character",
        "m8, character",
        "m=y, character",
    })
    void base32RejectsMalformedInput(String text, String reason) {
        assertThatThrownBy(() -> Base32.decode(text))
                .isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining(reason);
    }

    @ParameterizedTest
    @CsvSource({
        "'', ''",
        "f, Zg",
        "fo, Zm8",
        "foo, Zm9v",
        "foob, Zm9vYg",
        "fooba, Zm9vYmE",
        "foobar, Zm9vYmFy",
    })
    void base64Rfc4648Vectors(String plain, String text) {
        byte[] bytes = plain.getBytes(US_ASCII);
        assertThat(Base64.encode(bytes)).isEqualTo(text);
        assertThat(Base64.decode(text)).isEqualTo(bytes);
        assertThat(Base64.encodeUrl(bytes)).isEqualTo(text);
        assertThat(Base64.decodeUrl(text)).isEqualTo(bytes);
    }

    @Test
    void base64AlphabetsDiffer() {
        byte[] bytes = HEX.parseHex("fbff");
        assertThat(Base64.encode(bytes)).isEqualTo("+/8");
        assertThat(Base64.encodeUrl(bytes)).isEqualTo("-_8");
        assertThatThrownBy(() -> Base64.decode("-_8")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("'-' at index 0");
        assertThatThrownBy(() -> Base64.decodeUrl("+/8")).isInstanceOf(InvalidMultibaseException.class);
    }

    @Test
    void base64AcceptsPaddingAndRejectsMalformedInput() {
        assertThat(Base64.decode("Zg==")).isEqualTo("f".getBytes(US_ASCII));
        assertThat(Base64.decodeUrl("Zm8=")).isEqualTo("fo".getBytes(US_ASCII));
        assertThatThrownBy(() -> Base64.decode("Zg=")).isInstanceOf(InvalidMultibaseException.class);
        assertThatThrownBy(() -> Base64.decode("Z")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("length");
        assertThatThrownBy(() -> Base64.decode("Zh")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("non-zero");
        assertThatThrownBy(() -> Base64.decode("Zm 9v")).isInstanceOf(InvalidMultibaseException.class);
        assertThatThrownBy(() -> Base64.decode("====")).isInstanceOf(InvalidMultibaseException.class);
    }

    @Test
    void base36Basics() {
        assertThat(Base36.encode(new byte[0])).isEmpty();
        assertThat(Base36.encode(new byte[] {0, 0, 1})).isEqualTo("001");
        assertThat(Base36.encode(new byte[] {0, 35})).isEqualTo("0z");
        assertThat(Base36.encode(new byte[] {0, 36})).isEqualTo("010");
        assertThat(Base36.decode("0Z")).isEqualTo(new byte[] {0, 35});
        assertThat(Base36.encode(HEX.parseHex("ffffffff"))).isEqualTo(Long.toString(0xffffffffL, 36));
        assertThatThrownBy(() -> Base36.decode("abc-")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("invalid base36 character '-' at index 3");
    }

    @Test
    void multibaseEncodesWithPrefix() {
        byte[] bytes = "foobar".getBytes(US_ASCII);
        assertThat(Multibase.encode(Multibase.Encoding.BASE32, bytes)).isEqualTo("bmzxw6ytboi");
        assertThat(Multibase.encode(Multibase.Encoding.BASE58BTC, bytes)).isEqualTo("zt1Zv2yaZ");
        assertThat(Multibase.encode(Multibase.Encoding.BASE64, bytes)).isEqualTo("mZm9vYmFy");
        assertThat(Multibase.encode(Multibase.Encoding.BASE64URL, bytes)).isEqualTo("uZm9vYmFy");
        assertThat(Multibase.encode(Multibase.Encoding.BASE36, bytes)).isEqualTo("k13x8yd7ywi");
        for (Multibase.Encoding encoding : Multibase.Encoding.values()) {
            String text = Multibase.encode(encoding, bytes);
            assertThat(text.charAt(0)).isEqualTo(encoding.prefix());
            assertThat(Multibase.encodingOf(text)).isEqualTo(encoding);
            assertThat(Multibase.decode(text)).isEqualTo(bytes);
            assertThat(Multibase.Encoding.forPrefix(encoding.prefix())).contains(encoding);
        }
    }

    @Test
    void multibaseRejectsEmptyAndUnknownPrefixes() {
        assertThatThrownBy(() -> Multibase.decode("")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> Multibase.decode("f00")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("unsupported multibase prefix 'f'");
        assertThatThrownBy(() -> Multibase.decode("\u0001abc")).isInstanceOf(InvalidMultibaseException.class)
                .hasMessageContaining("U+0001");
        assertThat(Multibase.decode("z")).isEmpty();
    }

    @Test
    void multibasePeerIdCidVectors() {
        byte[] cid = HEX.parseHex("0172"
                + "0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e");
        String base32 = "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6";
        String base36 = "k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe";
        assertThat(Multibase.encode(Multibase.Encoding.BASE32, cid)).isEqualTo(base32);
        assertThat(Multibase.encode(Multibase.Encoding.BASE36, cid)).isEqualTo(base36);
        assertThat(Multibase.decode(base32)).isEqualTo(cid);
        assertThat(Multibase.decode(base36)).isEqualTo(cid);
    }
}
