package org.lotusia.libp2p.multiformats;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.PeerId;

class MultiaddrTest {

    private static final HexFormat HEX = HexFormat.of();

    static final String RELAY_ID = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    static final String TARGET_ID = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
    static final String ED25519_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

    /** The computed js vectors of interop notes §1.2 (string, hex bytes). */
    @ParameterizedTest
    @CsvSource({
        "/ip4/127.0.0.1/tcp/4001, 047f000001060fa1",
        "/ip6/::1/tcp/4001/ws, 2900000000000000000000000000000001060fa1dd03",
        "/ip4/1.2.3.4/udp/4001/quic-v1, 040102030491020fa1cd03",
        "/dns4/example.com/tcp/443/tls/sni/example.com/ws,"
            + " 360b6578616d706c652e636f6d0601bbc003c1030b6578616d706c652e636f6ddd03",
        "/dnsaddr/bootstrap.libp2p.io, 3813626f6f7473747261702e6c69627032702e696f",
        "/ip4/1.2.3.4/udp/443/quic-v1/webtransport/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ,"
            + " 0401020304910201bbcd03d103d203221220241f96b80cf18a52e3818d8c340a0c23bdc24224c0f62bfd5a96e291feda5ebd",
        "/ip4/127.0.0.1/tcp/4001/p2p/" + RELAY_ID + "/p2p-circuit/p2p/" + TARGET_ID + ","
            + " 047f000001060fa1a503260024080112202ffa35a99d3a3cfbb17bb7c1dc5561b18a8dcca4df38dc613ea859c37eb1336b"
            + "a202a5032212209dff3b17d74cf4d38a50d8b6383e92d181a10395a5e73a726dcccbd21bf6f0b9",
    })
    void interopVectors(String text, String hex) {
        byte[] bytes = HEX.parseHex(hex.replace(" ", ""));
        Multiaddr parsed = Multiaddr.parse(text);
        assertThat(HEX.formatHex(parsed.toBytes())).isEqualTo(HEX.formatHex(bytes));
        Multiaddr decoded = Multiaddr.fromBytes(bytes);
        assertThat(decoded.toString()).isEqualTo(text);
        assertThat(decoded).isEqualTo(parsed).hasSameHashCodeAs(parsed);
    }

    @Test
    void componentsExposeProtocolsAndValues() {
        Multiaddr addr = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/ws/p2p/" + ED25519_ID);
        List<MultiaddrComponent> components = addr.components();
        assertThat(components).extracting(MultiaddrComponent::name)
                .containsExactly("ip4", "tcp", "ws", "p2p");
        assertThat(components).extracting(MultiaddrComponent::value)
                .containsExactly("127.0.0.1", "4001", "", ED25519_ID);
        assertThat(components.get(0).protocol()).isSameAs(MultiaddrProtocol.IP4);
        assertThat(components.get(1).valueBytes()).containsExactly(0x0f, 0xa1);
        assertThat(components.get(1).toBytes()).containsExactly(0x06, 0x0f, 0xa1);
        assertThat(components.get(2).hasValue()).isFalse();
        assertThat(components.get(2).valueBytes()).isEmpty();
        assertThat(components.get(3).code()).isEqualTo(421);
        assertThat(components.get(3).toString()).isEqualTo("/p2p/" + ED25519_ID);
        assertThatThrownBy(() -> components.add(MultiaddrComponent.of(MultiaddrProtocol.TLS)))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThat(Multiaddr.of(components)).isEqualTo(addr);
    }

    @ParameterizedTest
    @CsvSource({
        "0:0:0:0:0:0:0:1, ::1",
        "::, ::",
        "0::0, ::",
        "2001:DB8::1, 2001:db8::1",
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "1:0:0:0:2:0:0:3, 1::2:0:0:3",
        "1::, 1::",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8",
        "fe80::1, fe80::1",
        "::ffff:1.2.3.4, ::ffff:102:304",
        "::1.2.3.4, ::102:304",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
        "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
        "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:255.255.255.255, ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    })
    void ip6AcceptsAnyLegalFormAndPrintsCanonical(String input, String canonical) {
        Multiaddr addr = Multiaddr.parse("/ip6/" + input + "/udp/1");
        assertThat(addr.toString()).isEqualTo("/ip6/" + canonical + "/udp/1");
        assertThat(Multiaddr.parse(addr.toString())).isEqualTo(addr);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::",
        "g::1", "::1%eth0", "fe80::1%25eth0", ":1::", "1::2:", "1:2:3:4:5:6:7:8::", "::1.2.3",
        "::1.2.3.4.5", "::256.1.1.1", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4", " ::1", "::1 ", "::０",
        "localhost", "::01.2.3.4"})
    void ip6RejectsInvalidLiterals(String input) {
        assertThatThrownBy(() -> Multiaddr.parse("/ip6/" + input))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("/ip6");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1.2.3.", ".1.2.3",
        "a.b.c.d", " 1.2.3.4", "1.2.3.4 ", "１.2.3.4", "-1.2.3.4", "1.2.3.1000", "localhost", "0x7f.0.0.1"})
    void ip4RejectsInvalidLiterals(String input) {
        assertThatThrownBy(() -> Multiaddr.parse("/ip4/" + input + "/tcp/1"))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("invalid /ip4 value");
    }

    @Test
    void ip4Extremes() {
        assertThat(Multiaddr.parse("/ip4/0.0.0.0").toBytes()).containsExactly(4, 0, 0, 0, 0);
        assertThat(Multiaddr.parse("/ip4/255.255.255.255").toString()).isEqualTo("/ip4/255.255.255.255");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "80", "65535"})
    void portsInRange(String port) {
        assertThat(Multiaddr.parse("/tcp/" + port).toString()).isEqualTo("/tcp/" + port);
        assertThat(Multiaddr.parse("/udp/" + port).components().get(0).value()).isEqualTo(port);
    }

    @ParameterizedTest
    @ValueSource(strings = {"65536", "99999", "100000", "-1", "+1", "0080", "00", "1e3", "0x50", "٣", "80 ", "4294967297"})
    void portsOutOfRangeOrMalformed(String port) {
        assertThatThrownBy(() -> Multiaddr.parse("/tcp/" + port))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("invalid /tcp value");
    }

    @Test
    void allValuelessProtocolsRoundTrip() {
        StringBuilder text = new StringBuilder();
        for (MultiaddrProtocol protocol : MultiaddrProtocol.all()) {
            if (!protocol.hasValue()) {
                text.append('/').append(protocol.name());
            }
        }
        Multiaddr addr = Multiaddr.parse(text.toString());
        assertThat(addr.toString()).isEqualTo(text.toString());
        assertThat(Multiaddr.fromBytes(addr.toBytes())).isEqualTo(addr);
        assertThat(text.toString()).contains("/tls", "/noise", "/quic", "/quic-v1", "/webtransport",
                "/http", "/https", "/ws", "/wss", "/webrtc", "/webrtc-direct", "/p2p-circuit");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/dns/example.com/tcp/1",
        "/dns6/ipv6.example/udp/53",
        "/ip6zone/eth0/ip6/fe80::1/tcp/4001",
        "/memory/test-node",
        "/ip4/1.2.3.4/tcp/443/tls/sni/example.com/http",
        "/ip4/1.2.3.4/tcp/443/https",
        "/ip4/1.2.3.4/udp/1/webrtc-direct/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ",
        "/ip4/1.2.3.4/tcp/1/ws/p2p/" + ED25519_ID + "/p2p-circuit/webrtc/p2p/" + TARGET_ID,
        "/ip4/1.2.3.4/tcp/1/noise",
        "/ip4/1.2.3.4/udp/1/quic",
        "/dns4/münchen.example/tcp/1",
        "/sctp/1/dccp/2/udt/utp",
        "/unix/%2Ftmp%2Fp2p.sock",
        "/ip4/123.123.123.123/http/http-path/foo%2Findex.html",
        "/unix/a%20b%E2%82%AC!~*'()",
    })
    void stringFormsRoundTrip(String text) {
        Multiaddr addr = Multiaddr.parse(text);
        assertThat(addr.toString()).isEqualTo(text);
        Multiaddr decoded = Multiaddr.fromBytes(addr.toBytes());
        assertThat(decoded).isEqualTo(addr);
        assertThat(decoded.toString()).isEqualTo(text);
    }

    @Test
    void unixAndHttpPathValuesAreUriDecoded() {
        Multiaddr unix = Multiaddr.parse("/unix/%2ftmp%2Fp2p.sock");
        assertThat(unix.components().get(0).valueBytes()).isEqualTo("/tmp/p2p.sock".getBytes(UTF_8));
        assertThat(unix.toString()).isEqualTo("/unix/%2Ftmp%2Fp2p.sock");
        assertThat(unix.toBytes()).isEqualTo(HEX.parseHex("90030d2f746d702f7032702e736f636b"));

        Multiaddr path = Multiaddr.parse("/ip4/123.123.123.123/http/http-path/foo%2Findex.html");
        assertThat(path.toBytes()).isEqualTo(HEX.parseHex("047b7b7b7be003e1030f2f666f6f2f696e6465782e68746d6c"));
        assertThat(path.valueForProtocol("http-path")).contains("foo%2Findex.html");
        // Unescaped non-ASCII input is accepted and printed percent-encoded.
        assertThat(Multiaddr.parse("/unix/€").toString()).isEqualTo("/unix/%E2%82%AC");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/unix/%", "/unix/%2", "/unix/%zz", "/unix/%ff", "/unix/%C3%28", "/unix/a%2",
        "/http-path/%", "/unix/\uD800"})
    void malformedPercentEncodingIsRejected(String text) {
        assertThatThrownBy(() -> Multiaddr.parse(text)).isInstanceOf(InvalidMultiaddrException.class);
    }

    @Test
    void httpPathBinaryMustStartWithSlash() {
        assertThatThrownBy(() -> Multiaddr.fromBytes(HEX.parseHex("e10302" + "6162")))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("http-path value must be '/'");
        assertThatThrownBy(() -> Multiaddr.fromBytes(HEX.parseHex("e103012f")))
                .isInstanceOf(InvalidMultiaddrException.class);
    }

    @Test
    void p2pAcceptsIpfsAliasAndCidForms() {
        String canonical = "/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_ID;
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/ipfs/" + ED25519_ID).toString()).isEqualTo(canonical);
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/"
                + "bafzaajaiaejcahwr5d5ofrfbis4l5d6uwr57hu5tjodrypfm6yaq6dsc2r2pzyt6").toString())
                .isEqualTo(canonical);
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/"
                + "k51qzi5uqu5dgy8qsq67hbz73jqkw87l3fgf4a91qb0d9b5173tir7n4vxk1oe").toString())
                .isEqualTo(canonical);
        assertThat(Multiaddr.parse("/p2p/bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe")
                .toString()).isEqualTo("/p2p/" + TARGET_ID);
    }

    @ParameterizedTest
    @CsvSource({
        "/p2p/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku, libp2p-key",
        "/p2p/12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3p0, base58btc",
        "/p2p/Qm, multihash",
        "/p2p/1, multihash",
        "/p2p/hello, neither base58btc nor a CID",
        "/p2p/z2, neither base58btc nor a CID",
        "/certhash/zzz, certhash is not a valid multihash",
        "/certhash/uEiAkH5a4DPGKUuOBjYw0Cgwj, certhash is not a valid multihash",
        "/certhash/xabc, certhash is not valid multibase",
    })
    void invalidMultihashValuesAreRejected(String text, String reason) {
        assertThatThrownBy(() -> Multiaddr.parse(text))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void certhashAcceptsAnyMultibaseAndPrintsBase64Url() {
        byte[] mh = HEX.parseHex("1220241f96b80cf18a52e3818d8c340a0c23bdc24224c0f62bfd5a96e291feda5ebd");
        String expected = "/certhash/uEiAkH5a4DPGKUuOBjYw0CgwjvcJCJMD2K_1aluKR_tpevQ";
        for (Multibase.Encoding encoding : Multibase.Encoding.values()) {
            String value = Multibase.encode(encoding, mh);
            if (value.indexOf('/') >= 0) {
                // standard base64 may contain '/', which cannot appear in a multiaddr string
                assertThatThrownBy(() -> Multiaddr.parse("/certhash/" + value))
                        .isInstanceOf(InvalidMultiaddrException.class);
                continue;
            }
            assertThat(Multiaddr.parse("/certhash/" + value).toString()).isEqualTo(expected);
        }
        assertThat(Multiaddr.parse("/certhash/m" + Base64.encode(HEX.parseHex("0003010203"))).toString())
                .isEqualTo("/certhash/u" + Base64.encodeUrl(HEX.parseHex("0003010203")));
    }

    @ParameterizedTest
    @CsvSource(quoteCharacter = '"', value = {
        "\"\", must start with '/'",
        "ip4/1.2.3.4, must start with '/'",
        "\" /ip4/1.2.3.4\", must start with '/'",
        "//, empty protocol name",
        "/ip4//tcp/1, empty value for /ip4",
        "/ip4/1.2.3.4//tcp/1, empty protocol name",
        "/tcp/1//, empty protocol name",
        "/ip4, missing value for /ip4",
        "/ip4/1.2.3.4/tcp, missing value for /tcp",
        "/foo/1, unknown protocol 'foo'",
        "/IP4/1.2.3.4, unknown protocol 'IP4'",
        "/tls/1, unknown protocol '1'",
        "/ip4/1.2.3.4/tcp/1/garbage, unknown protocol 'garbage'",
        "/dns4/, missing value for /dns4",
    })
    void malformedStringsAreRejectedWithReasons(String text, String reason) {
        assertThatThrownBy(() -> Multiaddr.parse(text))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void emptyMultiaddrAndTrailingSlash() {
        assertThat(Multiaddr.parse("/")).isSameAs(Multiaddr.empty());
        assertThat(Multiaddr.empty().toString()).isEqualTo("/");
        assertThat(Multiaddr.empty().toBytes()).isEmpty();
        assertThat(Multiaddr.fromBytes(new byte[0])).isEqualTo(Multiaddr.empty());
        assertThat(Multiaddr.empty().isEmpty()).isTrue();
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1/")).isEqualTo(Multiaddr.parse("/ip4/1.2.3.4/tcp/1"));
        assertThat(Multiaddr.parse("/tls/")).isEqualTo(Multiaddr.parse("/tls"));
    }

    @ParameterizedTest
    @CsvSource({
        "7f, unknown protocol code 127 (0x7f) at byte offset 0",
        "047f000001ff01, unknown protocol code 255 (0xff) at byte offset 5",
        "047f00, truncated /ip4 value",
        "047f000001060f, truncated /tcp value at byte offset 6",
        "047f000001060fa106, truncated /tcp value at byte offset 9",
        "3505616263, truncated /dns value",
        "35, invalid /dns value length at byte offset 1",
        "35ff7f, exceeds the maximum of 255",
        "35ffffffffffffffffff01, invalid /dns value length",
        "3500, empty value for /dns",
        "8400, invalid protocol code at byte offset 0",
        "80, invalid protocol code at byte offset 0",
        "ffffffffffffffff7f, unknown protocol code 9223372036854775807",
        "3503612f62, must not contain",
        "3502c328, not valid UTF-8",
        "a503020005, peer id is not a valid multihash",
        "d2030100, certhash is not a valid multihash",
        "0501, unknown protocol code 5",
    })
    void malformedBytesAreRejectedWithReasons(String hex, String reason) {
        assertThatThrownBy(() -> Multiaddr.fromBytes(HEX.parseHex(hex)))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining(reason);
    }

    @Test
    void sizeLimitsAreEnforced() {
        assertThatThrownBy(() -> Multiaddr.fromBytes(new byte[Multiaddr.MAX_BYTES + 1]))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("exceeds the maximum of 65536");
        byte[] manyComponents = new byte[(Multiaddr.MAX_COMPONENTS + 1) * 2];
        for (int i = 0; i < manyComponents.length; i += 2) {
            manyComponents[i] = (byte) 0xc0; // /tls = c0 03
            manyComponents[i + 1] = 0x03;
        }
        assertThatThrownBy(() -> Multiaddr.fromBytes(manyComponents))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("more than 1024 components");
        assertThat(Multiaddr.fromBytes(java.util.Arrays.copyOf(manyComponents, manyComponents.length - 2))
                .components()).hasSize(1024);
        assertThatThrownBy(() -> Multiaddr.parse("/tls".repeat(Multiaddr.MAX_COMPONENTS + 1)))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("more than 1024 components");
        assertThatThrownBy(() -> Multiaddr.parse("/" + "a".repeat(Multiaddr.MAX_STRING_LENGTH)))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("characters exceeds the maximum");
        assertThatThrownBy(() -> Multiaddr.parse("/dns/" + "a".repeat(256)))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("exceeds the maximum of 255");
        assertThat(Multiaddr.parse("/dns/" + "a".repeat(255)).toBytes()).hasSize(258);
        Multiaddr big = Multiaddr.parse("/tls".repeat(600));
        assertThatThrownBy(() -> big.encapsulate(big))
                .isInstanceOf(InvalidMultiaddrException.class)
                .hasMessageContaining("more than the maximum of 1024");
    }

    @Test
    void encapsulateAndDecapsulate() {
        Multiaddr base = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");
        Multiaddr full = base.encapsulate(Multiaddr.parse("/ws/p2p/" + ED25519_ID));
        assertThat(full.toString()).isEqualTo("/ip4/1.2.3.4/tcp/1/ws/p2p/" + ED25519_ID);
        assertThat(full.decapsulate(Multiaddr.parse("/ws"))).isEqualTo(base);
        assertThat(full.decapsulate(Multiaddr.parse("/tcp/1"))).isEqualTo(Multiaddr.parse("/ip4/1.2.3.4"));
        assertThat(full.decapsulate(Multiaddr.parse("/tcp/1/ws"))).isEqualTo(Multiaddr.parse("/ip4/1.2.3.4"));
        assertThat(full.decapsulate(Multiaddr.parse("/ip4/1.2.3.4"))).isEqualTo(Multiaddr.empty());
        // whole components only: /tcp/1 does not match inside /tcp/100
        Multiaddr port100 = Multiaddr.parse("/ip4/1.2.3.4/tcp/100/ws");
        assertThat(port100.decapsulate(Multiaddr.parse("/tcp/1"))).isSameAs(port100);
        assertThat(full.decapsulate(Multiaddr.parse("/tcp/1/wss"))).isSameAs(full);
        assertThat(full.decapsulate(Multiaddr.empty())).isSameAs(full);
        assertThat(base.encapsulate(Multiaddr.empty())).isSameAs(base);
        assertThat(Multiaddr.empty().encapsulate(base)).isSameAs(base);
    }

    @Test
    void decapsulateUsesTheLastOccurrence() {
        Multiaddr circuit = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + RELAY_ID + "/p2p-circuit/p2p/"
                + TARGET_ID + "/p2p-circuit/p2p/" + ED25519_ID);
        assertThat(circuit.decapsulate(Multiaddr.parse("/p2p-circuit")).toString())
                .isEqualTo("/ip4/1.2.3.4/tcp/1/p2p/" + RELAY_ID + "/p2p-circuit/p2p/" + TARGET_ID);
        assertThat(circuit.decapsulateCode(MultiaddrProtocol.P2P_CIRCUIT.code()))
                .isEqualTo(circuit.decapsulate(Multiaddr.parse("/p2p-circuit")));
        assertThat(circuit.decapsulateCode(MultiaddrProtocol.P2P.code()).toString())
                .endsWith("/p2p/" + TARGET_ID + "/p2p-circuit");
        assertThat(circuit.decapsulateCode(MultiaddrProtocol.WS.code())).isSameAs(circuit);
        assertThat(circuit.decapsulateCode(MultiaddrProtocol.IP4.code())).isEqualTo(Multiaddr.empty());
    }

    @Test
    void peerIdFollowsJsSemantics() {
        Multiaddr direct = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_ID);
        assertThat(direct.getPeerId()).map(PeerId::toString).contains(ED25519_ID);
        Multiaddr relayOnly = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + RELAY_ID + "/p2p-circuit");
        assertThat(relayOnly.getPeerId()).isEmpty();
        Multiaddr relayed = relayOnly.encapsulate(Multiaddr.parse("/p2p/" + TARGET_ID));
        assertThat(relayed.getPeerId()).map(PeerId::toString).contains(TARGET_ID);
        assertThat(Multiaddr.parse("/ip4/1.2.3.4/tcp/1").getPeerId()).isEmpty();
        assertThat(Multiaddr.parse("/p2p/" + RELAY_ID + "/p2p/" + TARGET_ID).getPeerId())
                .map(PeerId::toString).contains(TARGET_ID);
    }

    @Test
    void getPeerIdPropagatesInvalidPeerIds() {
        // a valid multihash (identity of 3 bytes) that is not a valid peer id
        Multiaddr addr = Multiaddr.fromBytes(HEX.parseHex("a503050003010203"));
        assertThatThrownBy(addr::getPeerId).isInstanceOf(Libp2pException.class);
    }

    @Test
    void withAndWithoutPeerId() {
        PeerId target = PeerId.parse(TARGET_ID);
        PeerId other = PeerId.parse(ED25519_ID);
        Multiaddr base = Multiaddr.parse("/ip4/1.2.3.4/tcp/1");
        Multiaddr withTarget = base.withPeerId(target);
        assertThat(withTarget.toString()).isEqualTo("/ip4/1.2.3.4/tcp/1/p2p/" + TARGET_ID);
        assertThat(withTarget.withPeerId(other).toString()).isEqualTo("/ip4/1.2.3.4/tcp/1/p2p/" + ED25519_ID);
        assertThat(withTarget.withoutPeerId()).isEqualTo(base);
        assertThat(base.withoutPeerId()).isSameAs(base);
        Multiaddr relay = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/p2p/" + RELAY_ID + "/p2p-circuit");
        assertThat(relay.withoutPeerId()).isSameAs(relay);
        assertThat(relay.withPeerId(target).getPeerId()).contains(target);
    }

    @Test
    void valueLookups() {
        Multiaddr addr = Multiaddr.parse("/ip4/1.2.3.4/tcp/1/ws/p2p/" + ED25519_ID + "/p2p-circuit/tcp/2");
        assertThat(addr.valueForProtocol("tcp")).contains("1");
        assertThat(addr.valueForProtocol("ws")).contains("");
        assertThat(addr.valueForProtocol("ipfs")).contains(ED25519_ID);
        assertThat(addr.valueForProtocol("udp")).isEmpty();
        assertThat(addr.valueForProtocol("nonsense")).isEmpty();
        assertThat(addr.hasProtocol("p2p-circuit")).isTrue();
        assertThat(addr.hasProtocol("wss")).isFalse();
        assertThat(addr.hasProtocol("nonsense")).isFalse();
        assertThat(addr.hasProtocol(MultiaddrProtocol.WS.code())).isTrue();
        assertThat(addr.hasProtocol(0x7f)).isFalse();
    }

    @Test
    void equalityIsByBytes() {
        Multiaddr a = Multiaddr.parse("/ip6/0:0::1/tcp/1");
        Multiaddr b = Multiaddr.parse("/ip6/::1/tcp/1/");
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).hasToString("/ip6/::1/tcp/1");
        assertThat(a).isNotEqualTo(Multiaddr.parse("/ip6/::1/tcp/2")).isNotEqualTo("/ip6/::1/tcp/1");
        byte[] bytes = a.toBytes();
        bytes[0] = 0;
        assertThat(a.toBytes()[0]).isEqualTo((byte) 0x29);
    }

    @Test
    void componentFactories() {
        MultiaddrComponent tcp = MultiaddrComponent.parse(MultiaddrProtocol.TCP, "4001");
        assertThat(MultiaddrComponent.fromValueBytes(MultiaddrProtocol.TCP, new byte[] {0x0f, (byte) 0xa1}))
                .isEqualTo(tcp).hasSameHashCodeAs(tcp);
        assertThat(MultiaddrComponent.of(MultiaddrProtocol.WS).toString()).isEqualTo("/ws");
        assertThat(MultiaddrComponent.parse(MultiaddrProtocol.WS, "").toBytes()).containsExactly(0xdd, 0x03);
        assertThatThrownBy(() -> MultiaddrComponent.of(MultiaddrProtocol.TCP))
                .isInstanceOf(InvalidMultiaddrException.class).hasMessageContaining("missing value");
        assertThatThrownBy(() -> MultiaddrComponent.parse(MultiaddrProtocol.WS, "x"))
                .isInstanceOf(InvalidMultiaddrException.class).hasMessageContaining("takes no value");
        assertThatThrownBy(() -> MultiaddrComponent.fromValueBytes(MultiaddrProtocol.WS, new byte[1]))
                .isInstanceOf(InvalidMultiaddrException.class);
        assertThatThrownBy(() -> MultiaddrComponent.fromValueBytes(MultiaddrProtocol.IP4, new byte[5]))
                .isInstanceOf(InvalidMultiaddrException.class).hasMessageContaining("must be 4 bytes");
        assertThatThrownBy(() -> MultiaddrComponent.parse(MultiaddrProtocol.DNS, ""))
                .isInstanceOf(InvalidMultiaddrException.class).hasMessageContaining("missing value");
        assertThatThrownBy(() -> MultiaddrComponent.parse(MultiaddrProtocol.DNS, "a/b"))
                .isInstanceOf(InvalidMultiaddrException.class).hasMessageContaining("'/'");
        byte[] value = {1, 2, 3, 4};
        MultiaddrComponent ip4 = MultiaddrComponent.fromValueBytes(MultiaddrProtocol.IP4, value);
        value[0] = 9;
        assertThat(ip4.value()).isEqualTo("1.2.3.4");
        ip4.valueBytes()[0] = 9;
        assertThat(ip4.valueBytes()[0]).isEqualTo((byte) 1);
        List<MultiaddrComponent> list = new ArrayList<>(List.of(ip4, tcp));
        Multiaddr addr = Multiaddr.of(list);
        list.clear();
        assertThat(addr.toString()).isEqualTo("/ip4/1.2.3.4/tcp/4001");
        assertThat(Multiaddr.of(ip4, tcp)).isEqualTo(addr);
    }

    @Test
    void protocolRegistry() {
        assertThat(MultiaddrProtocol.forName("quic-v1")).containsSame(MultiaddrProtocol.QUIC_V1);
        assertThat(MultiaddrProtocol.QUIC_V1.name()).isEqualTo("quic-v1");
        assertThat(MultiaddrProtocol.QUIC_V1.code()).isEqualTo(0x01cd);
        assertThat(MultiaddrProtocol.QUIC_V1.size()).isZero();
        assertThat(MultiaddrProtocol.IP6.size()).isEqualTo(128);
        assertThat(MultiaddrProtocol.P2P.size()).isEqualTo(MultiaddrProtocol.VARIABLE_SIZE);
        assertThat(MultiaddrProtocol.P2P.isVariableSize()).isTrue();
        assertThat(MultiaddrProtocol.forName("ipfs")).containsSame(MultiaddrProtocol.P2P);
        assertThat(MultiaddrProtocol.forCode(421)).containsSame(MultiaddrProtocol.P2P);
        assertThat(MultiaddrProtocol.forCode(0x7f)).isEmpty();
        assertThat(MultiaddrProtocol.forName("IP4")).isEmpty();
        assertThat(MultiaddrProtocol.all()).extracting(MultiaddrProtocol::name).doesNotHaveDuplicates()
                .contains("ip4", "tcp", "udp", "ip6", "ip6zone", "dns", "dns4", "dns6", "dnsaddr", "tls",
                        "sni", "noise", "quic", "quic-v1", "webtransport", "certhash", "http", "https",
                        "http-path", "ws", "wss", "webrtc", "webrtc-direct", "p2p", "p2p-circuit", "unix",
                        "memory");
        assertThat(MultiaddrProtocol.all()).extracting(MultiaddrProtocol::code).isSorted();
        assertThat(MultiaddrProtocol.TCP).hasToString("tcp");
    }
}
