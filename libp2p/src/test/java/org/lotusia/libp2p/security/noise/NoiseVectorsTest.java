package org.lotusia.libp2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.security.noise.pb.NoiseProto.NoiseExtensions;
import org.lotusia.libp2p.security.noise.pb.NoiseProto.NoiseHandshakePayload;

/** Known-answer tests: the Noise XX test vector (cacophony) and the libp2p vectors from the interop notes (section 4). */
class NoiseVectorsTest {
    private static final HexFormat HEX = HexFormat.of();

    // Cacophony test vector "Noise_XX_25519_ChaChaPoly_SHA256" (public Noise test-vector data set).
    private static final String PROLOGUE = "4a6f686e2047616c74";
    private static final String INIT_STATIC = "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
    private static final String INIT_EPHEMERAL = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
    private static final String RESP_STATIC = "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
    private static final String RESP_EPHEMERAL = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
    private static final String HANDSHAKE_HASH = "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e";
    private static final String[][] MESSAGES = {
        {"4c756477696720766f6e204d69736573",
            "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
        {"4d757272617920526f746862617264",
            "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"},
        {"462e20412e20486179656b",
            "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
        {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
        {"4a65616e2d426170746973746520536179", "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
        {"457567656e2042f6686d20766f6e2042617765726b",
            "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"},
    };

    private static byte[] pub(byte[] priv) {
        byte[] p = new byte[32];
        X25519.generatePublicKey(priv, 0, p, 0);
        return p;
    }

    @ParameterizedTest
    @EnumSource(ChaChaPolyAead.Kind.class)
    void cacophonyXxVectorMatchesOnBothSides(ChaChaPolyAead.Kind kind) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChaChaPolyAead.isAvailable(kind), kind + " unavailable");
        byte[] prologue = HEX.parseHex(PROLOGUE);
        byte[] is = HEX.parseHex(INIT_STATIC);
        byte[] rs = HEX.parseHex(RESP_STATIC);
        NoiseXX init = new NoiseXX(true, prologue, is, pub(is), HEX.parseHex(INIT_EPHEMERAL),
                ChaChaPolyAead.newInstance(kind));
        NoiseXX resp = new NoiseXX(false, prologue, rs, pub(rs), HEX.parseHex(RESP_EPHEMERAL),
                ChaChaPolyAead.newInstance(kind));
        for (int i = 0; i < 3; i++) {
            NoiseXX writer = i % 2 == 0 ? init : resp;
            NoiseXX reader = i % 2 == 0 ? resp : init;
            byte[] payload = HEX.parseHex(MESSAGES[i][0]);
            byte[] out = new byte[NoiseXX.messageLength(i, payload.length)];
            int n = writer.writeMessage(payload, 0, payload.length, out, 0);
            assertThat(HEX.formatHex(out)).as("message %d", i).isEqualTo(MESSAGES[i][1]);
            assertThat(n).isEqualTo(out.length);
            byte[] got = new byte[out.length];
            int pn = reader.readMessage(out, 0, out.length, got, 0);
            assertThat(HEX.formatHex(got, 0, pn)).isEqualTo(MESSAGES[i][0]);
        }
        assertThat(init.isComplete()).isTrue();
        assertThat(resp.isComplete()).isTrue();
        assertThat(HEX.formatHex(init.handshakeHash())).isEqualTo(HANDSHAKE_HASH);
        assertThat(HEX.formatHex(resp.handshakeHash())).isEqualTo(HANDSHAKE_HASH);
        assertThat(init.remoteStatic()).isEqualTo(pub(rs));
        assertThat(resp.remoteStatic()).isEqualTo(pub(is));

        CipherState[] ic = init.split(ChaChaPolyAead.newInstance(kind), ChaChaPolyAead.newInstance(kind));
        CipherState[] rc = resp.split(ChaChaPolyAead.newInstance(kind), ChaChaPolyAead.newInstance(kind));
        // Transport messages keep alternating: responder, initiator, responder.
        for (int i = 3; i < MESSAGES.length; i++) {
            CipherState send = i % 2 == 0 ? ic[0] : rc[0];
            CipherState recv = i % 2 == 0 ? rc[1] : ic[1];
            byte[] payload = HEX.parseHex(MESSAGES[i][0]);
            byte[] ct = new byte[payload.length + 16];
            send.encryptWithAd(null, payload, 0, payload.length, ct, 0);
            assertThat(HEX.formatHex(ct)).as("transport message %d", i).isEqualTo(MESSAGES[i][1]);
            byte[] pt = new byte[payload.length];
            recv.decryptWithAd(null, ct, 0, ct.length, pt, 0);
            assertThat(pt).isEqualTo(payload);
        }
    }

    /** interop-notes section 4: the section 2.4 Ed25519 key signing the prefix and 32 zero bytes (computed with js). */
    @Test
    void identitySignatureVector() {
        PrivateKey key = Keys.unmarshalPrivateKey(HEX.parseHex("080112407e0830617c4a7de83925dfb2694556b12936c477a0e1"
                + "feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));
        byte[] signed = NoiseIdentity.signedData(new byte[32]);
        assertThat(new String(signed, 0, 24, StandardCharsets.US_ASCII)).isEqualTo("noise-libp2p-static-key:");
        assertThat(signed).hasSize(24 + 32);
        byte[] sig = key.sign(signed);
        assertThat(HEX.formatHex(sig)).isEqualTo("96e76c387acf749074786157ff14a810e4d2f0de949691503813564f0168432b"
                + "d51ecdcbec88090d8ba4c701d3666be691b8f7d8c2e64924e78764a837568902");
        assertThat(key.publicKey().verify(signed, sig)).isTrue();
        assertThat(key.publicKey().peerId().toString()).isEqualTo("12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq");
    }

    /** interop-notes section 4: js payload encoding of identity_key=0102, sig=03, muxers=[/yamux/1.0.0]. */
    @Test
    void payloadEncodingMatchesJs() throws Exception {
        NoiseHandshakePayload p = NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(new byte[] {1, 2}))
                .setIdentitySig(ByteString.copyFrom(new byte[] {3}))
                .setExtensions(NoiseExtensions.newBuilder().addStreamMuxers("/yamux/1.0.0"))
                .build();
        assertThat(HEX.formatHex(p.toByteArray())).isEqualTo("0a020102" + "120103" + "220e" + "120c2f79616d75782f312e302e30");
        NoiseHandshakePayload back = NoiseHandshakePayload.parseFrom(p.toByteArray());
        assertThat(back.getExtensions().getStreamMuxersList()).containsExactly("/yamux/1.0.0");
    }

    @Test
    void ourPayloadHasJsSizes() {
        PrivateKey key = Keys.generateEd25519();
        NoiseIdentity id = NoiseIdentity.of(key);
        // identity key (36) + signature (64) with their tags: 2 + 36 + 2 + 64 = 104; with /yamux/1.0.0 +16 = 120.
        assertThat(NoiseHandshake.encodePayload(id, java.util.List.of())).hasSize(104);
        assertThat(NoiseHandshake.encodePayload(id, java.util.List.of("/yamux/1.0.0"))).hasSize(120);
        assertThat(NoiseXX.messageLength(1, 120)).isEqualTo(216); // msg B observed from js on the wire
    }
}
