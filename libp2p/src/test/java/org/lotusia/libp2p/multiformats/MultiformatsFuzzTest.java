package org.lotusia.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.lotusia.libp2p.Libp2pException;

/**
 * Feeds random and mutated input to every decoder. The only exceptions allowed to escape are the
 * decoder's own {@link MultiformatException} subclass; anything else (index errors, number format
 * errors, ...) fails the property. Successful decodes must also re-encode canonically.
 */
class MultiformatsFuzzTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final int TRIES = 2000;

    private static final List<byte[]> MULTIADDR_SEEDS = hexList(
            "047f000001060fa1",
            "2900000000000000000000000000000001060fa1dd03",
            "040102030491020fa1cd03",
            "360b6578616d706c652e636f6d0601bbc003c1030b6578616d706c652e636f6ddd03",
            "3813626f6f7473747261702e6c69627032702e696f",
            "0401020304910201bbcd03d103d203221220241f96b80cf18a52e3818d8c340a0c23bdc24224c0f62bfd5a96e291feda5ebd",
            "047f000001060fa1a503260024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b"
                    + "a202a5032212209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
            "90030d2f746d702f7032702e736f636b",
            "047b7b7b7be003e1030f2f666f6f2f696e6465782e68746d6c",
            "2a0465746830" + "29fe800000000000000000000000000001" + "0601bb",
            "89060474657374c003");

    private static final List<String> MULTIADDR_STRING_SEEDS = List.of(
            "/ip4/127.0.0.1/tcp/4001",
            "/ip6/::1/tcp/4001/ws",
            "/ip6/2001:db8::ffff:1.2.3.4/udp/4001/quic-v1",
            "/dns4/example.com/tcp/443/tls/sni/example.com/ws",
            "/dnsaddr/bootstrap.libp2p.io",
            "/ip4/1.2.3.4/udp/443/quic-v1/webtransport/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ",
            "/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA/p2p-circuit"
                    + "/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
            "/p2p/bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6",
            "/ipfs/k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe",
            "/unix/%2Ftmp%2Fp2p.sock",
            "/ip4/123.123.123.123/http/http-path/foo%2Findex.html",
            "/ip6zone/eth0/ip6/fe80::1/tcp/443/wss",
            "/memory/test/webrtc-direct/noise");

    private static final List<byte[]> MULTIHASH_SEEDS = hexList(
            "0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
            "12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
            "a0e40204deadbeef",
            "0000");

    private static final List<byte[]> CID_SEEDS = hexList(
            "01720024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e",
            "017212209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
            "12209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
            "01f0e303120401020304");

    private static final List<String> TEXT_SEEDS = List.of(
            "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6",
            "k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe",
            "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
            "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe",
            "zQmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N",
            "uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ",
            "mEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K/1aluKR/tpevQ==",
            "BAFZAAJAIAEJCAHWR5D5OFRFBIS4L5D6UWR57HU5TJODRYPFM6YAQ6DSC2R2PZYT6");

    /** Characters that tend to matter to the string decoders. */
    private static final String INTERESTING_CHARS =
            "/:.%=-_+0123456789abcdefABCDEFQmzbkuZ1lIO \u0000\u00e9\u20ac\uD800\uDC00\uFF10";

    private static final List<String> TOKENS = List.of("/", "/", "/", "ip4", "ip6", "tcp", "udp", "p2p",
            "ipfs", "dns4", "dnsaddr", "unix", "http-path", "certhash", "quic-v1", "p2p-circuit", "ws",
            "ip6zone", "sni", "memory", "1.2.3.4", "::1", "::ffff:1.2.3.4", "4001", "65536", "0", "%2F",
            "%", "%E2%82", "Qm", "12D3KooW", "u", "z", "b", "k51", "", ":", ".", "::", "ff", "fe80::",
            "uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ", "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N");

    // ---------------------------------------------------------------- varint

    @Property(tries = TRIES)
    void varintDecodeOfRandomBytes(@ForAll @Size(max = 12) byte[] data) {
        expectOnly(InvalidVarintException.class, () -> {
            long value = Varint.decode(data);
            assertThat(value).isNotNegative();
            assertThat(Varint.encode(value)).isEqualTo(data);
        });
        ByteBuffer buffer = ByteBuffer.wrap(data);
        expectOnly(InvalidVarintException.class, () -> {
            long value = Varint.decode(buffer);
            assertThat(Arrays.copyOf(data, buffer.position())).isEqualTo(Varint.encode(value));
        });
    }

    @Property(tries = TRIES)
    void varintTryDecodeOfRandomBytes(@ForAll @Size(max = 12) byte[] data,
            @ForAll @IntRange(min = 1, max = 12) int maxBytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(data);
        try {
            expectOnly(InvalidVarintException.class, () -> {
                long value = Varint.tryDecode(buf, maxBytes);
                if (value == -1) {
                    assertThat(buf.readerIndex()).isZero();
                } else {
                    assertThat(buf.readerIndex()).isEqualTo(Varint.encodedLength(value))
                            .isLessThanOrEqualTo(maxBytes);
                }
            });
        } finally {
            buf.release();
        }
    }

    @Property(tries = TRIES)
    void varintRoundTrip(@ForAll long any) {
        long value = any & Long.MAX_VALUE;
        byte[] encoded = Varint.encode(value);
        assertThat(encoded).hasSize(Varint.encodedLength(value)).hasSizeLessThanOrEqualTo(9);
        assertThat(Varint.decode(encoded)).isEqualTo(value);
        ByteBuf buf = Unpooled.buffer();
        try {
            Varint.write(value, buf);
            buf.writeByte(0x42);
            assertThat(Varint.tryDecode(buf, 9)).isEqualTo(value);
            assertThat(buf.readableBytes()).isEqualTo(1);
        } finally {
            buf.release();
        }
    }

    // ------------------------------------------------------------- multibase

    @Property(tries = TRIES)
    void baseDecodersOnRandomStrings(@ForAll("fuzzStrings") String text) {
        expectOnly(InvalidMultibaseException.class, () -> {
            byte[] bytes = Multibase.decode(text);
            Multibase.Encoding encoding = Multibase.encodingOf(text);
            assertThat(Multibase.decode(Multibase.encode(encoding, bytes))).isEqualTo(bytes);
        });
        expectOnly(InvalidMultibaseException.class, () -> Base58.decode(text));
        expectOnly(InvalidMultibaseException.class, () -> Base36.decode(text));
        expectOnly(InvalidMultibaseException.class, () -> Base32.decode(text));
        expectOnly(InvalidMultibaseException.class, () -> Base64.decode(text));
        expectOnly(InvalidMultibaseException.class, () -> Base64.decodeUrl(text));
    }

    @Property(tries = TRIES)
    void baseEncodingsRoundTripAndMatchOracles(@ForAll @Size(max = 80) byte[] data) {
        assertThat(Base58.encode(data)).isEqualTo(radixOracle(data, Base58.ALPHABET));
        assertThat(Base36.encode(data)).isEqualTo(radixOracle(data, Base36.ALPHABET));
        assertThat(Base64.encode(data))
                .isEqualTo(java.util.Base64.getEncoder().withoutPadding().encodeToString(data));
        assertThat(Base64.encodeUrl(data))
                .isEqualTo(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(data));
        assertThat(Base58.decode(Base58.encode(data))).isEqualTo(data);
        assertThat(Base36.decode(Base36.encode(data))).isEqualTo(data);
        assertThat(Base36.decode(Base36.encode(data).toUpperCase())).isEqualTo(data);
        assertThat(Base32.decode(Base32.encode(data))).isEqualTo(data);
        assertThat(Base32.decode(Base32.encode(data).toUpperCase())).isEqualTo(data);
        assertThat(Base64.decode(java.util.Base64.getEncoder().encodeToString(data))).isEqualTo(data);
        assertThat(Base64.decodeUrl(java.util.Base64.getUrlEncoder().encodeToString(data))).isEqualTo(data);
        for (Multibase.Encoding encoding : Multibase.Encoding.values()) {
            assertThat(Multibase.decode(Multibase.encode(encoding, data))).isEqualTo(data);
        }
    }

    // ------------------------------------------------------------- multihash

    @Property(tries = TRIES)
    void multihashDecodeOfRandomBytes(@ForAll @Size(max = 80) byte[] data) {
        checkMultihash(data);
    }

    @Property(tries = TRIES)
    void multihashDecodeOfMutatedBytes(@ForAll long seed) {
        checkMultihash(mutate(pick(MULTIHASH_SEEDS, seed), seed));
    }

    private static void checkMultihash(byte[] data) {
        expectOnly(InvalidMultihashException.class, () -> {
            Multihash mh = Multihash.decode(data);
            assertThat(mh.toBytes()).isEqualTo(data);
            assertThat(Multihash.of(mh.code(), mh.digest())).isEqualTo(mh);
        });
    }

    // ------------------------------------------------------------------- CID

    @Property(tries = TRIES)
    void cidDecodeOfRandomBytes(@ForAll @Size(max = 80) byte[] data) {
        checkCidBytes(data);
    }

    @Property(tries = TRIES)
    void cidDecodeOfMutatedBytes(@ForAll long seed) {
        checkCidBytes(mutate(pick(CID_SEEDS, seed), seed));
    }

    @Property(tries = TRIES)
    void cidParseOfRandomAndMutatedStrings(@ForAll("fuzzStrings") String random, @ForAll long seed) {
        checkCidString(random);
        checkCidString(mutate(pick(TEXT_SEEDS, seed), seed));
    }

    private static void checkCidBytes(byte[] data) {
        expectOnly(InvalidCidException.class, () -> {
            Cid cid = Cid.decode(data);
            assertThat(cid.toBytes()).isEqualTo(data);
            assertThat(Cid.parse(cid.toString())).isEqualTo(cid);
        });
    }

    private static void checkCidString(String text) {
        expectOnly(InvalidCidException.class, () -> {
            Cid cid = Cid.parse(text);
            assertThat(Cid.parse(cid.toString())).isEqualTo(cid);
            assertThat(Cid.decode(cid.toBytes())).isEqualTo(cid);
        });
    }

    // ------------------------------------------------------------- multiaddr

    @Property(tries = TRIES)
    void multiaddrFromRandomBytes(@ForAll @Size(max = 64) byte[] data) {
        checkMultiaddrBytes(data);
    }

    @Property(tries = TRIES)
    void multiaddrFromMutatedBytes(@ForAll long seed) {
        checkMultiaddrBytes(mutate(pick(MULTIADDR_SEEDS, seed), seed));
    }

    @Property(tries = TRIES)
    void multiaddrParseOfRandomStrings(@ForAll("multiaddrStrings") String text) {
        checkMultiaddrString(text);
    }

    @Property(tries = TRIES)
    void multiaddrParseOfMutatedStrings(@ForAll long seed) {
        checkMultiaddrString(mutate(pick(MULTIADDR_STRING_SEEDS, seed), seed));
    }

    private static void checkMultiaddrBytes(byte[] data) {
        expectOnly(InvalidMultiaddrException.class, () -> {
            Multiaddr addr = Multiaddr.fromBytes(data);
            assertThat(addr.toBytes()).isEqualTo(data);
            Multiaddr reparsed = Multiaddr.parse(addr.toString());
            assertThat(reparsed).isEqualTo(addr);
            assertThat(reparsed.toString()).isEqualTo(addr.toString());
            checkDerivedOperations(addr);
        });
    }

    private static void checkMultiaddrString(String text) {
        expectOnly(InvalidMultiaddrException.class, () -> {
            Multiaddr addr = Multiaddr.parse(text);
            Multiaddr decoded = Multiaddr.fromBytes(addr.toBytes());
            assertThat(decoded).isEqualTo(addr);
            assertThat(Multiaddr.parse(addr.toString()).toString()).isEqualTo(addr.toString());
            checkDerivedOperations(addr);
        });
    }

    private static void checkDerivedOperations(Multiaddr addr) {
        for (MultiaddrComponent component : addr.components()) {
            assertThat(MultiaddrComponent.fromValueBytes(component.protocol(), component.valueBytes()))
                    .isEqualTo(component);
            assertThat(MultiaddrComponent.parse(component.protocol(), component.value()))
                    .isEqualTo(component);
        }
        if (!addr.isEmpty()) {
            Multiaddr last = Multiaddr.of(addr.components().get(addr.components().size() - 1));
            assertThat(addr.decapsulate(last).components().size()).isLessThan(addr.components().size());
        }
        try {
            addr.getPeerId();
        } catch (Libp2pException e) {
            // an invalid peer id inside a well-formed multihash is reported by the crypto package
        }
    }

    // ------------------------------------------------------------- generators

    @Provide
    Arbitrary<String> fuzzStrings() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(60),
                Arbitraries.strings().withChars(INTERESTING_CHARS.toCharArray()).ofMaxLength(60),
                Arbitraries.strings().withChars(Base58.ALPHABET.toCharArray()).ofMaxLength(60)
                        .map(s -> (s.length() % 2 == 0 ? "z" : "") + s),
                Arbitraries.strings().withChars((Base32.ALPHABET + "=").toCharArray()).ofMaxLength(60)
                        .map(s -> "b" + s),
                Arbitraries.strings().withChars((Base36.ALPHABET + "Z").toCharArray()).ofMaxLength(60)
                        .map(s -> "k" + s),
                Arbitraries.strings().withChars("ABCabc0189+/-_=".toCharArray()).ofMaxLength(60)
                        .map(s -> (s.length() % 2 == 0 ? "m" : "u") + s));
    }

    @Provide
    Arbitrary<String> multiaddrStrings() {
        Arbitrary<String> tokens = Arbitraries.of(TOKENS).list().ofMaxSize(14).map(l -> String.join("", l));
        Arbitrary<String> slashed = Arbitraries.of(TOKENS).list().ofMaxSize(10)
                .map(l -> "/" + String.join("/", l));
        return Arbitraries.oneOf(tokens, slashed, fuzzStrings().map(s -> "/" + s),
                Arbitraries.strings().withChars(INTERESTING_CHARS.toCharArray()).ofMaxLength(60));
    }

    // ---------------------------------------------------------------- helpers

    /** Runs the action; it may succeed or throw {@code allowed}, nothing else. */
    private static void expectOnly(Class<? extends MultiformatException> allowed, Runnable action) {
        try {
            action.run();
        } catch (MultiformatException e) {
            if (!allowed.isInstance(e)) {
                throw new AssertionError("expected only " + allowed.getSimpleName() + " but got " + e, e);
            }
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    private static <T> T pick(List<T> seeds, long seed) {
        return seeds.get(Math.floorMod(seed, seeds.size()));
    }

    /** Applies 1-3 random byte edits (flip, overwrite, insert, delete, truncate, duplicate). */
    static byte[] mutate(byte[] input, long seed) {
        Random random = new Random(seed);
        byte[] data = input.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int position = data.length == 0 ? 0 : random.nextInt(data.length);
            switch (random.nextInt(6)) {
                case 0:
                    if (data.length > 0) {
                        data[position] ^= (byte) (1 << random.nextInt(8));
                    }
                    break;
                case 1:
                    if (data.length > 0) {
                        data[position] = (byte) random.nextInt(256);
                    }
                    break;
                case 2: {
                    byte[] grown = new byte[data.length + 1];
                    System.arraycopy(data, 0, grown, 0, position);
                    grown[position] = (byte) random.nextInt(256);
                    System.arraycopy(data, position, grown, position + 1, data.length - position);
                    data = grown;
                    break;
                }
                case 3:
                    if (data.length > 0) {
                        byte[] shrunk = new byte[data.length - 1];
                        System.arraycopy(data, 0, shrunk, 0, position);
                        System.arraycopy(data, position + 1, shrunk, position, data.length - position - 1);
                        data = shrunk;
                    }
                    break;
                case 4:
                    data = Arrays.copyOf(data, position);
                    break;
                default: {
                    int length = Math.min(data.length - position, 1 + random.nextInt(8));
                    byte[] grown = Arrays.copyOf(data, data.length + length);
                    System.arraycopy(data, position, grown, data.length, length);
                    data = grown;
                    break;
                }
            }
        }
        return data;
    }

    /** Applies 1-3 random character edits, drawing new characters from {@link #INTERESTING_CHARS}. */
    static String mutate(String input, long seed) {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder(input);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int position = text.length() == 0 ? 0 : random.nextInt(text.length());
            char c = INTERESTING_CHARS.charAt(random.nextInt(INTERESTING_CHARS.length()));
            switch (random.nextInt(4)) {
                case 0:
                    if (text.length() > 0) {
                        text.setCharAt(position, c);
                    }
                    break;
                case 1:
                    text.insert(position, c);
                    break;
                case 2:
                    if (text.length() > 0) {
                        text.deleteCharAt(position);
                    }
                    break;
                default:
                    text.setLength(position);
                    break;
            }
        }
        return text.toString();
    }

    /** Independent big-integer reference for the base58/base36 encoders. */
    private static String radixOracle(byte[] data, String alphabet) {
        int zeros = 0;
        while (zeros < data.length && data[zeros] == 0) {
            zeros++;
        }
        StringBuilder out = new StringBuilder();
        java.math.BigInteger value = new java.math.BigInteger(1, data);
        java.math.BigInteger radix = java.math.BigInteger.valueOf(alphabet.length());
        while (value.signum() > 0) {
            java.math.BigInteger[] qr = value.divideAndRemainder(radix);
            out.append(alphabet.charAt(qr[1].intValue()));
            value = qr[0];
        }
        out.append(String.valueOf(alphabet.charAt(0)).repeat(zeros));
        return out.reverse().toString();
    }

    private static List<byte[]> hexList(String... hex) {
        return Arrays.stream(hex).map(HEX::parseHex).toList();
    }
}
