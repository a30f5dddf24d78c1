package org.lotusia.libp2p.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.Multibase;
import org.lotusia.libp2p.multiformats.Multihash;

/**
 * Keys, peer ids, signatures and multiaddrs must mean the same bytes in Java and in the js libraries Lotus nodes
 * run (@libp2p/crypto, @libp2p/peer-id, @multiformats/multiaddr 12 and 13), in both directions:
 * <ul>
 *   <li>js → Java: {@code interop/js/vectors/generate.mjs} makes random cases, Java decodes, re-encodes and
 *       re-derives them;</li>
 *   <li>Java → js: Java makes random cases, {@code interop/js/vectors/verify.mjs} checks them with js;</li>
 *   <li>the libp2p peer-id spec's published vectors ({@code peer-id-spec-vectors.json}) both ways.</li>
 * </ul>
 * Seeds: {@code -Dlotus.interop.seed=N} reproduces a run (the seed is in every failure message). With
 * {@code -Dlotus.interop.skip=true} only {@link #specVectorsMatchInJava()} runs (it needs no js).
 */
@Tag("interop")
class CrossImplementationVectorsTest {
    private static final int JS_CASES = 300;
    private static final int JAVA_CASES = 300;
    private static final int RSA_CASES = 3;
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static final String SPEC_RESOURCE = "peer-id-spec-vectors.json";
    private static final String SPEC_RESOURCE_PATH = "libp2p/src/test/resources/org/lotusia/libp2p/interop/" + SPEC_RESOURCE;
    private static final HexFormat HEX = HexFormat.of();

    private static final long seed = Long.getLong("lotus.interop.seed", new Random().nextLong() & Long.MAX_VALUE);
    private static JsonNode jsVectors;

    /** The js-generated cases, made on first use (so that a skipped run reports each test as skipped). */
    private static synchronized JsonNode jsVectors() {
        if (jsVectors == null) {
            JsResult r = JsInterop.run(SCRIPT_TIMEOUT, "vectors/generate.mjs", String.valueOf(JS_CASES),
                    String.valueOf(seed), "--rsa=" + RSA_CASES).assertSuccess();
            JsonNode v = r.json();
            assertThat(v.path("keys")).as("key cases from js").hasSize(JS_CASES);
            assertThat(v.path("multiaddrs")).as("multiaddr cases from js").hasSize(JS_CASES);
            System.err.printf("[vectors] seed %d, js generated %d+%d cases in %d ms (%s)%n", seed, JS_CASES, JS_CASES,
                    r.elapsed().toMillis(), v.path("generator"));
            jsVectors = v;
        }
        return jsVectors;
    }

    // ---------------------------------------------------------------------------------------------------------
    // js -> Java

    @Test
    void jsKeysPeerIdsAndSignaturesDecodeInJava() {
        SoftChecks c = new SoftChecks();
        int secpSame = 0;
        int secpTotal = 0;
        JsonNode keys = jsVectors().path("keys");
        for (int i = 0; i < keys.size(); i++) {
            JsonNode k = keys.get(i);
            String where = "seed " + seed + " js key #" + i + " (" + k.path("type").asText() + " " + k.path("peerId").asText() + ")";
            KeyOutcome o = checkKeyInJava(c, where, k, true);
            if (o.secp256k1SameAsJs != null) {
                secpTotal++;
                secpSame += o.secp256k1SameAsJs ? 1 : 0;
            }
        }
        System.err.printf("[vectors] js->Java keys: %d checks; secp256k1 signatures identical to js (RFC 6979): %d/%d%n",
                c.checks(), secpSame, secpTotal);
        c.assertNone("js-generated keys checked in Java");
    }

    @Test
    void jsMultiaddrsDecodeInJava() {
        SoftChecks c = new SoftChecks();
        JsonNode addrs = jsVectors().path("multiaddrs");
        for (int i = 0; i < addrs.size(); i++) {
            JsonNode m = addrs.get(i);
            checkMultiaddrInJava(c, "seed " + seed + " js multiaddr #" + i, m.path("string").asText(), m.path("bytes").asText());
        }
        c.assertNone("js-generated multiaddrs checked in Java");
    }

    /** js also accepts other spellings (uncompressed ip6, /ipfs/, p2p as CID, certhash in other bases). */
    @Test
    void jsAlternativeMultiaddrSpellingsParseInJava() {
        SoftChecks c = new SoftChecks();
        int n = 0;
        for (JsonNode m : jsVectors().path("multiaddrs")) {
            if (!m.has("input")) {
                continue;
            }
            n++;
            String input = m.path("input").asText();
            String where = "seed " + seed + " input " + input;
            c.run(where, "Multiaddr.parse(input)", () -> {
                Multiaddr a = Multiaddr.parse(input);
                c.equal(where, "bytes", m.path("bytes").asText(), HEX.formatHex(a.toBytes()));
                c.equal(where, "canonical string", m.path("string").asText(), a.toString());
            });
        }
        assertThat(n).as("js cases with an alternative spelling").isPositive();
        c.assertNone("alternative multiaddr spellings accepted by js, parsed in Java");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Java -> js

    @Test
    void javaKeysPeerIdsSignaturesAndMultiaddrsVerifyInJs() {
        JsInterop.nodeBinary(); // skip or fail (setup) before the work
        Random rnd = new Random(seed);
        ArrayNode keys = JsResult.JSON.createArrayNode();
        List<PrivateKey> generated = new ArrayList<>();
        for (int i = 0; i < JAVA_CASES; i++) {
            KeyType type = i < RSA_CASES ? KeyType.RSA : rnd.nextBoolean() ? KeyType.ED25519 : KeyType.SECP256K1;
            PrivateKey priv = Keys.generate(type);
            generated.add(priv);
            keys.add(javaKeyCase(priv, randomMessage(rnd)));
        }
        ArrayNode peerIds = JsResult.JSON.createArrayNode();
        for (int i = 0; i < 20; i++) {
            // sha2-256 peer ids that are not derived from a key we hold (as seen for RSA peers)
            byte[] digest = new byte[32];
            rnd.nextBytes(digest);
            PeerId p = PeerId.fromBytes(Multihash.of(Multihash.SHA2_256, digest).toBytes());
            peerIds.add(peerIdCase(p));
        }
        ArrayNode addrs = JsResult.JSON.createArrayNode();
        SoftChecks local = new SoftChecks();
        MultiaddrGenerator gen = new MultiaddrGenerator(rnd, generated);
        for (int i = 0; i < JAVA_CASES; i++) {
            String text = gen.next();
            local.run("seed " + seed + " Java multiaddr " + text, "Multiaddr.parse of a Java-generated address", () -> {
                Multiaddr a = Multiaddr.parse(text);
                ObjectNode m = addrs.addObject();
                m.put("string", a.toString());
                m.put("bytes", HEX.formatHex(a.toBytes()));
                if (!text.equals(a.toString())) {
                    m.put("input", text);
                }
            });
        }
        local.assertNone("Java could not parse its own generated multiaddrs");

        ObjectNode input = JsResult.JSON.createObjectNode();
        input.set("keys", keys);
        input.set("peerIds", peerIds);
        input.set("multiaddrs", addrs);
        JsonNode summary = verifyInJs(input);
        System.err.printf("[vectors] Java->js: %d cases, %d js assertions, %s%n", summary.path("checked").asInt(),
                summary.path("assertions").asInt(), summary.path("info"));
    }

    // ---------------------------------------------------------------------------------------------------------
    // published vectors of the peer-id spec (+ multiaddr vectors of interop-notes §1.2)

    @Test
    void specVectorsMatchInJava() throws IOException {
        JsonNode spec = specVectors();
        SoftChecks c = new SoftChecks();
        String message = spec.path("message").asText();
        for (JsonNode k : spec.path("keys")) {
            ObjectNode withMessage = ((ObjectNode) k.deepCopy()).put("message", message);
            checkKeyInJava(c, k.path("name").asText(), withMessage, k.path("jsSupported").asBoolean(true));
        }
        for (JsonNode p : spec.path("peerIds")) {
            String where = "spec peer id " + p.path("peerId").asText();
            c.run(where, "PeerId.parse", () -> {
                PeerId id = PeerId.parse(p.path("peerId").asText());
                c.equal(where, "toString", p.path("peerId").asText(), id.toString());
                c.equal(where, "toCidString", p.path("cid").asText(), id.toCidString());
                c.equal(where, "multihash", p.path("multihash").asText(), HEX.formatHex(id.toBytes()));
                c.equal(where, "PeerId.parse(cid)", id, PeerId.parse(p.path("cid").asText()));
            });
        }
        for (JsonNode m : spec.path("multiaddrs")) {
            checkMultiaddrInJava(c, "spec multiaddr", m.path("string").asText(), m.path("bytes").asText());
        }
        c.assertNone("published vectors checked in Java");
    }

    @Test
    void specVectorsAsJavaEncodesThemVerifyInJs() throws IOException {
        JsInterop.nodeBinary(); // skip or fail (setup) before the work
        JsonNode spec = specVectors();
        byte[] message = HEX.parseHex(spec.path("message").asText());
        ArrayNode keys = JsResult.JSON.createArrayNode();
        int expected = 0;
        for (JsonNode k : spec.path("keys")) {
            if (!k.path("jsSupported").asBoolean(true)) {
                continue; // ECDSA: js cannot parse it (interop-notes §2.2)
            }
            keys.add(javaKeyCase(Keys.unmarshalPrivateKey(HEX.parseHex(k.path("privateKey").asText())), message));
            expected++;
        }
        ArrayNode peerIds = JsResult.JSON.createArrayNode();
        for (JsonNode p : spec.path("peerIds")) {
            peerIds.add(peerIdCase(PeerId.parse(p.path("peerId").asText())));
            expected++;
        }
        ArrayNode addrs = JsResult.JSON.createArrayNode();
        for (JsonNode m : spec.path("multiaddrs")) {
            Multiaddr a = Multiaddr.parse(m.path("string").asText());
            addrs.addObject().put("string", a.toString()).put("bytes", HEX.formatHex(a.toBytes()));
            expected++;
        }
        ObjectNode input = JsResult.JSON.createObjectNode();
        input.set("keys", keys);
        input.set("peerIds", peerIds);
        input.set("multiaddrs", addrs);
        assertThat(verifyInJs(input).path("checked").asInt()).isEqualTo(expected);
    }

    /** The derived values in the resource are what the pinned js libraries compute (guards against stale edits). */
    @Test
    void specVectorResourceAgreesWithJs() {
        String path = JsInterop.repoRoot().resolve(SPEC_RESOURCE_PATH).toString();
        JsInterop.run(SCRIPT_TIMEOUT, "vectors/spec-vectors.mjs", path, "--check").assertSuccess();
    }

    // ---------------------------------------------------------------------------------------------------------
    // helpers

    private record KeyOutcome(Boolean secp256k1SameAsJs) {
    }

    /**
     * Checks one key case (fields as produced by generate.mjs / the spec resource) against the Java API.
     *
     * @param jsSignature whether {@code signature} (if present) was made by js and must verify
     */
    private static KeyOutcome checkKeyInJava(SoftChecks c, String where, JsonNode k, boolean jsSignature) {
        Boolean[] secpSame = {null};
        c.run(where, "decode and re-derive", () -> {
            byte[] privBytes = HEX.parseHex(k.path("privateKey").asText());
            byte[] pubBytes = HEX.parseHex(k.path("publicKey").asText());
            KeyType type = keyType(k.path("type").asText());

            PrivateKey priv = Keys.unmarshalPrivateKey(privBytes);
            c.equal(where, "private key type", type, priv.type());
            c.equal(where, "private key re-marshals byte for byte", HEX.formatHex(privBytes), HEX.formatHex(priv.marshal()));
            PublicKey pub = Keys.unmarshalPublicKey(pubBytes);
            c.equal(where, "public key type", type, pub.type());
            c.equal(where, "public key re-marshals byte for byte", HEX.formatHex(pubBytes), HEX.formatHex(pub.marshal()));
            c.equal(where, "public key of the private key", HEX.formatHex(pubBytes), HEX.formatHex(priv.publicKey().marshal()));

            PeerId id = PeerId.fromPublicKey(pub);
            c.equal(where, "peer id string", k.path("peerId").asText(), id.toString());
            c.equal(where, "peer id CID string", k.path("cid").asText(), id.toCidString());
            c.equal(where, "peer id multihash", k.path("multihash").asText(), HEX.formatHex(id.toBytes()));
            c.equal(where, "PeerId.parse(peer id)", id, PeerId.parse(k.path("peerId").asText()));
            c.equal(where, "PeerId.parse(CID)", id, PeerId.parse(k.path("cid").asText()));
            c.equal(where, "PublicKey.peerId()", id, pub.peerId());
            if (pubBytes.length <= 42) {
                c.equal(where, "key extracted from identity peer id", pub, id.extractPublicKey().orElse(null));
            }

            if (k.has("signature")) {
                byte[] message = HEX.parseHex(k.path("message").asText());
                byte[] signature = HEX.parseHex(k.path("signature").asText());
                byte[] other = Arrays.copyOf(message, message.length + 1);
                other[message.length] = 1;
                if (jsSignature) {
                    c.isTrue(where, "js signature verifies in Java", pub.verify(message, signature));
                    c.isTrue(where, "js signature rejected for another message", !pub.verify(other, signature));
                }
                byte[] ours = priv.sign(message);
                c.isTrue(where, "Java signature verifies in Java", pub.verify(message, ours));
                if (type == KeyType.ED25519 || type == KeyType.RSA) {
                    // both schemes are deterministic: the bytes must be identical
                    c.equal(where, type + " signature identical to js", k.path("signature").asText(), HEX.formatHex(ours));
                } else if (type == KeyType.SECP256K1) {
                    secpSame[0] = Arrays.equals(signature, ours);
                }
            }
        });
        return new KeyOutcome(secpSame[0]);
    }

    private static void checkMultiaddrInJava(SoftChecks c, String where0, String string, String bytesHex) {
        String where = where0 + " " + string;
        c.run(where, "Multiaddr.parse(string)", () ->
                c.equal(where, "string to bytes", bytesHex, HEX.formatHex(Multiaddr.parse(string).toBytes())));
        c.run(where, "Multiaddr.fromBytes(bytes)", () -> {
            Multiaddr a = Multiaddr.fromBytes(HEX.parseHex(bytesHex));
            c.equal(where, "bytes to string", string, a.toString());
            c.equal(where, "toBytes after fromBytes", bytesHex, HEX.formatHex(a.toBytes()));
        });
    }

    private static ObjectNode javaKeyCase(PrivateKey priv, byte[] message) {
        PublicKey pub = priv.publicKey();
        PeerId id = PeerId.fromPublicKey(pub);
        ObjectNode k = JsResult.JSON.createObjectNode();
        k.put("type", jsKeyType(priv.type()));
        k.put("privateKey", HEX.formatHex(priv.marshal()));
        k.put("publicKey", HEX.formatHex(pub.marshal()));
        k.put("peerId", id.toString());
        k.put("cid", id.toCidString());
        k.put("multihash", HEX.formatHex(id.toBytes()));
        k.put("message", HEX.formatHex(message));
        k.put("signature", HEX.formatHex(priv.sign(message)));
        return k;
    }

    private static ObjectNode peerIdCase(PeerId id) {
        ObjectNode p = JsResult.JSON.createObjectNode();
        p.put("peerId", id.toString());
        p.put("cid", id.toCidString());
        p.put("multihash", HEX.formatHex(id.toBytes()));
        return p;
    }

    /** Runs verify.mjs on {@code input}; asserts it checked every case and found nothing wrong. */
    private static JsonNode verifyInJs(ObjectNode input) {
        int cases = input.path("keys").size() + input.path("peerIds").size() + input.path("multiaddrs").size();
        JsResult r = JsInterop.runWithInput(SCRIPT_TIMEOUT, input.toString(), "vectors/verify.mjs");
        JsonNode summary;
        try {
            summary = r.json();
        } catch (AssertionError e) {
            throw new AssertionError("verify.mjs printed no summary: " + r.describe(), e);
        }
        if (!r.ok() || summary.path("failureCount").asInt(-1) != 0) {
            throw new AssertionError("js rejected " + summary.path("failureCount").asInt() + " check(s) of Java vectors (seed "
                    + seed + "):\n" + JsResult.abbreviate(summary.path("failures").toPrettyString())
                    + "\n(exit code " + r.exitCode() + ")\nstderr: " + JsResult.abbreviate(r.stderr()));
        }
        assertThat(summary.path("checked").asInt()).as("cases js checked").isEqualTo(cases);
        return summary;
    }

    private static JsonNode specVectors() throws IOException {
        try (InputStream in = CrossImplementationVectorsTest.class.getResourceAsStream(SPEC_RESOURCE)) {
            assertThat(in).as(SPEC_RESOURCE + " on the test class path").isNotNull();
            return JsResult.JSON.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static byte[] randomMessage(Random rnd) {
        int r = rnd.nextInt(20);
        byte[] m = new byte[r == 0 ? 0 : r < 16 ? 1 + rnd.nextInt(64) : 65 + rnd.nextInt(1024)];
        rnd.nextBytes(m);
        return m;
    }

    static KeyType keyType(String jsName) {
        return switch (jsName.toLowerCase(java.util.Locale.ROOT)) {
            case "ed25519" -> KeyType.ED25519;
            case "secp256k1" -> KeyType.SECP256K1;
            case "rsa" -> KeyType.RSA;
            case "ecdsa" -> KeyType.ECDSA;
            default -> throw new IllegalArgumentException("unknown key type " + jsName);
        };
    }

    static String jsKeyType(KeyType type) {
        return switch (type) {
            case ED25519 -> "Ed25519";
            case SECP256K1 -> "secp256k1";
            case RSA -> "RSA";
            case ECDSA -> "ECDSA";
        };
    }

    /** Random multiaddr strings: realistic shapes and arbitrary component sequences, some in non-canonical spellings. */
    private static final class MultiaddrGenerator {
        private static final String[] ZERO = {"ws", "wss", "tls", "quic", "quic-v1", "webtransport", "p2p-circuit",
            "noise", "http", "https", "webrtc", "webrtc-direct"};
        private static final String[] VALUED = {"ip4", "ip6", "tcp", "udp", "dns", "dns4", "dns6", "dnsaddr", "sni",
            "certhash", "p2p"};
        private final Random rnd;
        private final List<PrivateKey> keys;

        MultiaddrGenerator(Random rnd, List<PrivateKey> keys) {
            this.rnd = rnd;
            this.keys = keys;
        }

        String next() {
            StringBuilder sb = new StringBuilder();
            if (rnd.nextInt(10) < 7) {
                switch (rnd.nextInt(5)) {
                    case 0, 1 -> {
                        sb.append(host()).append(comp("tcp"));
                        switch (rnd.nextInt(4)) {
                            case 1 -> sb.append("/ws");
                            case 2 -> sb.append("/wss");
                            case 3 -> sb.append("/tls").append(comp("sni")).append("/ws");
                            default -> { }
                        }
                        if (rnd.nextBoolean()) {
                            sb.append(comp("p2p"));
                        }
                        if (rnd.nextInt(3) == 0) {
                            sb.append(comp("p2p")).append("/p2p-circuit").append(comp("p2p"));
                        }
                    }
                    case 2 -> {
                        sb.append(host()).append(comp("udp")).append("/quic-v1");
                        if (rnd.nextBoolean()) {
                            sb.append("/webtransport").append(comp("certhash"));
                            if (rnd.nextBoolean()) {
                                sb.append(comp("certhash"));
                            }
                        }
                        if (rnd.nextBoolean()) {
                            sb.append(comp("p2p"));
                        }
                    }
                    case 3 -> sb.append(comp("dnsaddr")).append(rnd.nextBoolean() ? comp("p2p") : "");
                    default -> sb.append(comp("p2p")).append("/p2p-circuit").append(comp("p2p"));
                }
            } else {
                for (int n = 1 + rnd.nextInt(6); n > 0; n--) {
                    int pick = rnd.nextInt(ZERO.length + VALUED.length);
                    sb.append(pick < ZERO.length ? "/" + ZERO[pick] : comp(VALUED[pick - ZERO.length]));
                }
            }
            return sb.toString();
        }

        private String host() {
            return comp(new String[] {"ip4", "ip4", "ip6", "dns", "dns4", "dns6"}[rnd.nextInt(6)]);
        }

        private String comp(String name) {
            return switch (name) {
                case "ip4" -> "/ip4/" + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256) + "." + rnd.nextInt(256);
                case "ip6" -> "/ip6/" + ip6();
                case "tcp", "udp" -> "/" + name + "/" + (rnd.nextInt(4) == 0 ? new int[] {0, 1, 443, 4001, 65535}[rnd.nextInt(5)] : rnd.nextInt(65536));
                case "dns", "dns4", "dns6", "dnsaddr", "sni" -> "/" + name + "/" + hostname();
                case "certhash" -> "/certhash/" + certhash();
                case "p2p" -> (rnd.nextInt(5) == 0 ? "/ipfs/" : "/p2p/") + peerId();
                default -> throw new IllegalArgumentException(name);
            };
        }

        private String ip6() {
            byte[] b = new byte[16];
            switch (rnd.nextInt(5)) {
                case 0 -> b[15] = (byte) rnd.nextInt(2);
                case 1 -> {
                    b[10] = (byte) 0xff;
                    b[11] = (byte) 0xff;
                    for (int i = 12; i < 16; i++) {
                        b[i] = (byte) rnd.nextInt(256);
                    }
                }
                default -> {
                    for (int g = 0; g < 8; g++) {
                        int v = switch (rnd.nextInt(3)) {
                            case 0 -> 0;
                            case 1 -> rnd.nextInt(16);
                            default -> rnd.nextInt(65536);
                        };
                        b[2 * g] = (byte) (v >> 8);
                        b[2 * g + 1] = (byte) v;
                    }
                }
            }
            // uncompressed spelling (as the JDK's getHostAddress prints): Java must print js's compressed form
            StringBuilder sb = new StringBuilder();
            for (int g = 0; g < 8; g++) {
                sb.append(g == 0 ? "" : ":").append(Integer.toHexString(((b[2 * g] & 0xff) << 8) | (b[2 * g + 1] & 0xff)));
            }
            String s = sb.toString();
            if (s.startsWith("0:0:0:0:0:ffff:") && rnd.nextInt(3) == 0) {
                s = "::ffff:" + (b[12] & 0xff) + "." + (b[13] & 0xff) + "." + (b[14] & 0xff) + "." + (b[15] & 0xff);
            }
            return rnd.nextBoolean() ? s.toUpperCase(java.util.Locale.ROOT) : s;
        }

        private String hostname() {
            String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
            int labels = 1 + rnd.nextInt(4);
            StringBuilder sb = new StringBuilder();
            for (int l = 0; l < labels; l++) {
                if (l > 0) {
                    sb.append('.');
                }
                int len = 1 + rnd.nextInt(rnd.nextInt(10) == 0 ? 63 : 12);
                for (int i = 0; i < len; i++) {
                    sb.append(i > 0 && i < len - 1 && rnd.nextInt(20) == 0 ? '-' : alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
            }
            if (rnd.nextInt(30) == 0) {
                sb.insert(0, "straße-");
            }
            // DNS names are at most 253 bytes (Java's decoder caps names at 255; js has no cap)
            while (sb.toString().getBytes(StandardCharsets.UTF_8).length > 253 || sb.charAt(sb.length() - 1) == '.'
                    || sb.charAt(sb.length() - 1) == '-') {
                sb.setLength(sb.length() - 1);
            }
            return sb.toString();
        }

        private String certhash() {
            byte[] data = new byte[32];
            rnd.nextBytes(data);
            Multihash mh = Multihash.sha256(data);
            Multibase.Encoding enc = switch (rnd.nextInt(4)) {
                case 0 -> Multibase.Encoding.BASE58BTC;
                case 1 -> Multibase.Encoding.BASE32;
                default -> Multibase.Encoding.BASE64URL;
            };
            return Multibase.encode(enc, mh.toBytes());
        }

        private String peerId() {
            PeerId id;
            if (keys.isEmpty() || rnd.nextInt(4) == 0) {
                byte[] digest = new byte[32];
                rnd.nextBytes(digest);
                id = PeerId.fromBytes(Multihash.of(Multihash.SHA2_256, digest).toBytes());
            } else {
                id = keys.get(rnd.nextInt(keys.size())).publicKey().peerId();
            }
            return rnd.nextInt(4) == 0 ? id.toCidString() : id.toString();
        }
    }
}
