package org.lotusia.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.ED25519_PRIVATE;
import static org.lotusia.libp2p.crypto.KeyVectorsTest.hex;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.multiformats.Multiaddr;

/** RFC 0002 envelopes and RFC 0003 peer records, with the js-computed vector of interop-notes §7. */
class SignedEnvelopeTest {
    private static final String PAYLOAD = "0a260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"
            + "10011a0a0a08047f000001060fa1";
    private static final String ENVELOPE = "0a24080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"
            + "120203011a36" + PAYLOAD + "2a40"
            + "4504e51a36806e8eba9344a743f2e1cbd0170d2632fb413f98101f6e3ff26d3da91f4eedebf36383fa5819438bce1d7398117236e52d2d1dfce98196294ac60e";
    private static final byte[] LOCALHOST_4001 = hex("047f000001060fa1");

    private static PrivateKey specKey() {
        return Keys.unmarshalPrivateKey(hex(ED25519_PRIVATE));
    }

    @Test
    void sealedPeerRecordMatchesJsBytes() {
        PrivateKey key = specKey();
        PeerRecord record = new PeerRecord(key.publicKey().peerId(), 1, List.of(Multiaddr.fromBytes(LOCALHOST_4001)));
        assertThat(record.encode()).isEqualTo(hex(PAYLOAD));
        SignedEnvelope env = record.seal(key);
        assertThat(env.toBytes()).isEqualTo(hex(ENVELOPE));
        assertThat(env.payloadType()).containsExactly(0x03, 0x01);
        assertThat(env.peerId()).isEqualTo(key.publicKey().peerId());
    }

    @Test
    void opensJsEnvelopeAndRecord() {
        SignedEnvelope env = SignedEnvelope.open(hex(ENVELOPE), PeerRecord.DOMAIN);
        assertThat(env.publicKey()).isEqualTo(specKey().publicKey());
        assertThat(env.payload()).isEqualTo(hex(PAYLOAD));
        assertThat(env.signature()).hasSize(64);
        assertThat(env.toBytes()).isEqualTo(hex(ENVELOPE));

        PeerRecord record = PeerRecord.openSigned(hex(ENVELOPE));
        assertThat(record.peerId().toString()).isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
        assertThat(record.seq()).isEqualTo(1);
        assertThat(record.addresses()).containsExactly(Multiaddr.fromBytes(LOCALHOST_4001));
        assertThat(PeerRecord.fromEnvelope(env)).isEqualTo(record);
    }

    @Test
    void wrongDomainFails() {
        assertThatThrownBy(() -> SignedEnvelope.open(hex(ENVELOPE), "libp2p-routing-state"))
                .isInstanceOf(InvalidEnvelopeException.class).hasMessageContaining("signature");
    }

    @Test
    void tamperingAnyByteIsDetected() {
        byte[] good = hex(ENVELOPE);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x01;
            try {
                PeerRecord.openSigned(bad);
                // a flipped bit can only be harmless if it leaves every signed field unchanged
                throw new AssertionError("tampered byte " + i + " was accepted");
            } catch (InvalidEnvelopeException | InvalidPeerRecordException expected) {
                // ok
            }
        }
    }

    @Test
    void roundTripsForEveryKeyType() {
        for (PrivateKey key : KeysTest.KEYS) {
            byte[] payload = ("hello from " + key.type()).getBytes(StandardCharsets.UTF_8);
            SignedEnvelope env = SignedEnvelope.seal(key, "test-domain", new byte[] {0x12, 0x34}, payload);
            SignedEnvelope opened = SignedEnvelope.open(env.toBytes(), "test-domain");
            assertThat(opened).isEqualTo(env).hasSameHashCodeAs(env);
            assertThat(opened.payload()).isEqualTo(payload);
            assertThat(opened.payloadType()).containsExactly(0x12, 0x34);
            assertThat(opened.publicKey()).isEqualTo(key.publicKey());
            assertThat(opened.toString()).contains(key.publicKey().peerId().toString());
        }
    }

    @Test
    void signatureCoversDomainTypeAndPayloadLengths() {
        PrivateKey key = specKey();
        byte[] sig = key.sign(SignedEnvelope.signingBytes("ab".getBytes(StandardCharsets.UTF_8), new byte[] {1},
                new byte[] {2}));
        // moving a byte between domain and payload type changes the length prefixes
        assertThat(key.publicKey().verify(SignedEnvelope.signingBytes("a".getBytes(StandardCharsets.UTF_8),
                new byte[] {'b', 1}, new byte[] {2}), sig)).isFalse();
        assertThat(SignedEnvelope.signingBytes(new byte[] {'d'}, new byte[] {3, 1}, new byte[200]))
                .startsWith(1, 'd', 2, 3, 1, 0xc8, 0x01);
    }

    @Test
    void malformedEnvelopes() {
        assertThatThrownBy(() -> SignedEnvelope.open(new byte[0], "d"))
                .isInstanceOf(InvalidEnvelopeException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> SignedEnvelope.open(new byte[] {(byte) 0xff}, "d"))
                .isInstanceOf(InvalidEnvelopeException.class).hasMessageContaining("malformed");
        assertThatThrownBy(() -> SignedEnvelope.open(new byte[SignedEnvelope.MAX_ENVELOPE_BYTES + 1], "d"))
                .isInstanceOf(InvalidEnvelopeException.class).hasMessageContaining("too large");
        byte[] good = hex(ENVELOPE);
        assertThatThrownBy(() -> SignedEnvelope.open(Arrays.copyOf(good, good.length - 1), PeerRecord.DOMAIN))
                .isInstanceOf(InvalidEnvelopeException.class);
        // a public key field that is not a key
        byte[] badKey = good.clone();
        badKey[3] = 0x09; // Type = 9
        assertThatThrownBy(() -> SignedEnvelope.open(badKey, PeerRecord.DOMAIN))
                .isInstanceOf(InvalidEnvelopeException.class).hasMessageContaining("public key")
                .hasCauseInstanceOf(KeyFormatException.class);
        assertThatThrownBy(() -> SignedEnvelope.open(good, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sealValidatesArguments() {
        PrivateKey key = specKey();
        assertThatThrownBy(() -> SignedEnvelope.seal(key, "", new byte[] {1}, new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedEnvelope.seal(key, "d", new byte[0], new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedEnvelope.seal(key, "d", new byte[] {1}, new byte[SignedEnvelope.MAX_ENVELOPE_BYTES]))
                .isInstanceOf(IllegalArgumentException.class);
        SignedEnvelope empty = SignedEnvelope.seal(key, "d", new byte[] {1}, new byte[0]);
        assertThat(SignedEnvelope.open(empty.toBytes(), "d").payload()).isEmpty();
    }

    @Test
    void peerRecordMustBeSignedByItsPeer() {
        PrivateKey key = specKey();
        PrivateKey other = Keys.generateEd25519();
        PeerRecord record = new PeerRecord(key.publicKey().peerId(), 7, List.of(Multiaddr.fromBytes(LOCALHOST_4001)));
        assertThatThrownBy(() -> record.seal(other)).isInstanceOf(IllegalArgumentException.class);
        SignedEnvelope forged = SignedEnvelope.seal(other, PeerRecord.DOMAIN, PeerRecord.payloadType(), record.encode());
        assertThatThrownBy(() -> PeerRecord.openSigned(forged.toBytes()))
                .isInstanceOf(InvalidPeerRecordException.class).hasMessageContaining("signed by");
    }

    @Test
    void peerRecordPayloadTypeIsChecked() {
        PrivateKey key = specKey();
        PeerRecord record = new PeerRecord(key.publicKey().peerId(), 1, List.of());
        SignedEnvelope wrongType = SignedEnvelope.seal(key, PeerRecord.DOMAIN, new byte[] {0x03, 0x02}, record.encode());
        assertThatThrownBy(() -> PeerRecord.openSigned(wrongType.toBytes()))
                .isInstanceOf(InvalidPeerRecordException.class).hasMessageContaining("payload type");
        // the RFC text's constants are not what implementations use
        SignedEnvelope rfcDomain = SignedEnvelope.seal(key, "libp2p-routing-state", PeerRecord.payloadType(),
                record.encode());
        assertThatThrownBy(() -> PeerRecord.openSigned(rfcDomain.toBytes())).isInstanceOf(InvalidEnvelopeException.class);
    }

    @Test
    void peerRecordDecodingIsStrictAboutThePeerIdAndLenientAboutAddresses() {
        assertThatThrownBy(() -> PeerRecord.decode(new byte[0]))
                .isInstanceOf(InvalidPeerRecordException.class).hasMessageContaining("peer id");
        assertThatThrownBy(() -> PeerRecord.decode(new byte[] {0x0a, 0x05, 1}))
                .isInstanceOf(InvalidPeerRecordException.class).hasMessageContaining("malformed");
        PeerId id = specKey().publicKey().peerId();
        // an empty address entry and one with an unknown protocol code are skipped
        byte[] valid = new PeerRecord(id, 3, List.of(Multiaddr.fromBytes(LOCALHOST_4001))).encode();
        byte[] tail = {0x1a, 0x00, 0x1a, 0x05, 0x0a, 0x03, (byte) 0xff, (byte) 0xff, 0x03};
        byte[] extra = Arrays.copyOf(valid, valid.length + tail.length);
        System.arraycopy(tail, 0, extra, valid.length, tail.length);
        PeerRecord decoded = PeerRecord.decode(extra);
        assertThat(decoded.addresses()).containsExactly(Multiaddr.fromBytes(LOCALHOST_4001));
        assertThat(decoded.seq()).isEqualTo(3);
        // seq is unsigned 64-bit
        PeerRecord max = new PeerRecord(id, -1L, List.of());
        assertThat(PeerRecord.decode(max.encode()).seq()).isEqualTo(-1L);
        assertThat(PeerRecord.create(id, List.of()).seq()).isPositive();
    }
}
