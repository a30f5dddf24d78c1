package org.lotusia.libp2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.List;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.security.SecureSession;
import org.lotusia.libp2p.security.SecurityHandshakeException;
import org.lotusia.libp2p.security.SecurityHandshakeException.Reason;
import org.lotusia.libp2p.security.noise.pb.NoiseProto.NoiseExtensions;
import org.lotusia.libp2p.security.noise.pb.NoiseProto.NoiseHandshakePayload;

/** The libp2p handshake state machine, in memory. */
class NoiseHandshakeTest {
    private static final List<String> YAMUX = List.of("/yamux/1.0.0");

    private PrivateKey aliceKey;
    private PrivateKey bobKey;

    @BeforeEach
    void keys() {
        aliceKey = Keys.generateEd25519();
        bobKey = Keys.generateEd25519();
    }

    /** Runs a full handshake; returns {initiator, responder}. */
    static NoiseHandshake[] run(NoiseHandshake init, NoiseHandshake resp) {
        NoiseHandshake[] sides = {init, resp};
        int turn = 0;
        while (!init.isComplete() || !resp.isComplete()) {
            NoiseHandshake w = sides[turn % 2];
            NoiseHandshake r = sides[(turn + 1) % 2];
            assertThat(w.isWriteTurn()).isTrue();
            byte[] m = w.writeMessage();
            r.readMessage(m, 0, m.length);
            turn++;
        }
        return sides;
    }

    private NoiseHandshake initiator(List<String> muxers, PeerId expected) {
        return new NoiseHandshake(true, NoiseIdentity.of(aliceKey), muxers, expected);
    }

    private NoiseHandshake responder(List<String> muxers) {
        return new NoiseHandshake(false, NoiseIdentity.of(bobKey), muxers, null);
    }

    @Test
    void bothSidesDeriveTheSameKeysAndAuthenticateEachOther() throws Exception {
        NoiseHandshake init = initiator(List.of(), bobKey.publicKey().peerId());
        NoiseHandshake resp = responder(List.of());
        assertThat(init.isWriteTurn()).isTrue();
        assertThat(resp.isWriteTurn()).isFalse();
        byte[] a = init.writeMessage();
        assertThat(a).hasSize(32);
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        assertThat(b).hasSize(32 + 48 + 104 + 16);
        init.readMessage(b, 0, b.length);
        assertThat(init.remotePublicKey()).isEqualTo(bobKey.publicKey());
        byte[] c = init.writeMessage();
        assertThat(c).hasSize(48 + 104 + 16);
        assertThat(init.isComplete()).isTrue();
        resp.readMessage(c, 0, c.length);
        assertThat(resp.isComplete()).isTrue();

        assertThat(init.handshakeHash()).isEqualTo(resp.handshakeHash());
        SecureSession si = init.session();
        SecureSession sr = resp.session();
        assertThat(si.protocol()).isEqualTo("/noise");
        assertThat(si.localPeer()).isEqualTo(aliceKey.publicKey().peerId());
        assertThat(si.remotePeer()).isEqualTo(bobKey.publicKey().peerId());
        assertThat(si.remotePublicKey()).isEqualTo(bobKey.publicKey());
        assertThat(si.initiator()).isTrue();
        assertThat(sr.localPeer()).isEqualTo(si.remotePeer());
        assertThat(sr.remotePeer()).isEqualTo(si.localPeer());
        assertThat(sr.initiator()).isFalse();
        assertThat(si.remoteMuxers()).isEmpty();
        assertThat(si.selectedMuxer()).isNull();
        assertThat(si.earlyMuxer()).isEmpty();

        transportWorks(init, resp);
        transportWorks(resp, init);
    }

    private static void transportWorks(NoiseHandshake from, NoiseHandshake to) throws Exception {
        for (int i = 0; i < 5; i++) {
            byte[] msg = ("message " + i).getBytes();
            ByteBuffer ct = ByteBuffer.allocate(msg.length + 16);
            from.sender().encrypt(ByteBuffer.wrap(msg), ct);
            ct.flip();
            ByteBuffer pt = ByteBuffer.allocate(msg.length);
            to.receiver().decrypt(ct, pt);
            assertThat(pt.array()).isEqualTo(msg);
        }
    }

    @Test
    void secp256k1AndRsaIdentitiesWork() {
        aliceKey = Keys.generate(KeyType.SECP256K1);
        bobKey = Keys.generateRsa(2048);
        NoiseHandshake[] s = run(initiator(List.of(), bobKey.publicKey().peerId()), responder(List.of()));
        assertThat(s[0].session().remotePeer()).isEqualTo(bobKey.publicKey().peerId());
        assertThat(s[1].session().remotePeer()).isEqualTo(aliceKey.publicKey().peerId());
    }

    @Test
    void earlyMuxerNegotiationEndsUpInTheSession() {
        NoiseHandshake[] s = run(initiator(List.of("/mplex/6.7.0", "/yamux/1.0.0"), null),
                responder(List.of("/yamux/1.0.0", "/mplex/6.7.0")));
        // spec rule: first entry of the initiator's list that the responder supports, on both sides
        assertThat(s[0].session().selectedMuxer()).isEqualTo("/mplex/6.7.0");
        assertThat(s[1].session().selectedMuxer()).isEqualTo("/mplex/6.7.0");
        assertThat(s[0].session().remoteMuxers()).containsExactly("/yamux/1.0.0", "/mplex/6.7.0");
        assertThat(s[1].session().remoteMuxers()).containsExactly("/mplex/6.7.0", "/yamux/1.0.0");
    }

    @Test
    void noLocalListMeansNoSelectionEvenIfTheRemoteSentOne() {
        NoiseHandshake[] s = run(initiator(List.of(), null), responder(YAMUX));
        assertThat(s[0].session().remoteMuxers()).containsExactly("/yamux/1.0.0");
        assertThat(s[0].session().selectedMuxer()).isNull();
        assertThat(s[1].session().remoteMuxers()).isEmpty();
        assertThat(s[1].session().selectedMuxer()).isNull();
    }

    @Test
    void noCommonMuxerFailsOnTheInitiatorBeforeMessage3() {
        NoiseHandshake init = initiator(List.of("/mplex/6.7.0"), null);
        NoiseHandshake resp = responder(YAMUX);
        byte[] a = init.writeMessage();
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        expectFailure(() -> init.readMessage(b, 0, b.length), Reason.NO_COMMON_MUXER, "/mplex/6.7.0", "/yamux/1.0.0");
        assertThatThrownBy(init::writeMessage).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void expectedPeerMismatchNamesBothIds() {
        PeerId other = Keys.generateEd25519().publicKey().peerId();
        NoiseHandshake init = initiator(List.of(), other);
        NoiseHandshake resp = responder(List.of());
        byte[] a = init.writeMessage();
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        expectFailure(() -> init.readMessage(b, 0, b.length), Reason.PEER_ID_MISMATCH, other.toString(),
                bobKey.publicKey().peerId().toString());
    }

    @Test
    void badIdentitySignatureIsRejected() {
        byte[] sk = new byte[32];
        byte[] pk = new byte[32];
        NoiseXX.generateKeyPair(sk, pk);
        byte[] otherStatic = new byte[32];
        otherStatic[0] = 9;
        byte[] wrongSig = bobKey.sign(NoiseIdentity.signedData(otherStatic)); // valid signature, wrong static key
        NoiseIdentity forged = NoiseIdentity.withSignature(bobKey, sk, wrongSig);
        NoiseHandshake init = initiator(List.of(), null);
        NoiseHandshake resp = new NoiseHandshake(false, forged, List.of(), null);
        byte[] a = init.writeMessage();
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        expectFailure(() -> init.readMessage(b, 0, b.length), Reason.BAD_SIGNATURE, bobKey.publicKey().peerId().toString());
    }

    @Test
    void badSignatureFromTheInitiatorIsRejectedByTheResponder() {
        byte[] sk = new byte[32];
        byte[] pk = new byte[32];
        NoiseXX.generateKeyPair(sk, pk);
        NoiseIdentity forged = NoiseIdentity.withSignature(aliceKey, sk, new byte[64]);
        NoiseHandshake init = new NoiseHandshake(true, forged, List.of(), null);
        NoiseHandshake resp = responder(List.of());
        byte[] a = init.writeMessage();
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        init.readMessage(b, 0, b.length);
        byte[] c = init.writeMessage();
        expectFailure(() -> resp.readMessage(c, 0, c.length), Reason.BAD_SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 31, 32, 40, 79, 80, 100, 199})
    void tamperedMessage2FailsToDecrypt(int position) {
        NoiseHandshake init = initiator(List.of(), null);
        NoiseHandshake resp = responder(List.of());
        byte[] a = init.writeMessage();
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        b[position] ^= 0x40;
        // a changed ephemeral key (bytes 0..31) changes every derived key; anything else breaks a tag
        expectFailure(() -> init.readMessage(b, 0, b.length), Reason.DECRYPT_FAILED);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 47, 48, 100, 167})
    void tamperedMessage3FailsToDecrypt(int position) {
        NoiseHandshake init = initiator(List.of(), null);
        NoiseHandshake resp = responder(List.of());
        byte[] a = init.writeMessage();
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        init.readMessage(b, 0, b.length);
        byte[] c = init.writeMessage();
        c[position] ^= 0x01;
        expectFailure(() -> resp.readMessage(c, 0, c.length), Reason.DECRYPT_FAILED);
    }

    @Test
    void tamperedMessage1MakesMessage2Undecryptable() {
        NoiseHandshake init = initiator(List.of(), null);
        NoiseHandshake resp = responder(List.of());
        byte[] a = init.writeMessage();
        a[5] ^= 1;
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        expectFailure(() -> init.readMessage(b, 0, b.length), Reason.DECRYPT_FAILED);
    }

    @Test
    void message1MustBeExactly32Bytes() {
        NoiseHandshake resp = responder(List.of());
        expectFailure(() -> resp.readMessage(new byte[33], 0, 33), Reason.MALFORMED_MESSAGE, "exactly 32");
        NoiseHandshake resp2 = responder(List.of());
        expectFailure(() -> resp2.readMessage(new byte[31], 0, 31), Reason.MALFORMED_MESSAGE);
    }

    @Test
    void truncatedMessages() {
        NoiseHandshake init = initiator(List.of(), null);
        NoiseHandshake resp = responder(List.of());
        byte[] a = init.writeMessage();
        resp.readMessage(a, 0, a.length);
        byte[] b = resp.writeMessage();
        expectFailure(() -> init.readMessage(b, 0, 95), Reason.MALFORMED_MESSAGE, "too short");
        NoiseHandshake init2 = initiator(List.of(), null);
        NoiseHandshake resp2 = responder(List.of());
        byte[] a2 = init2.writeMessage();
        resp2.readMessage(a2, 0, a2.length);
        byte[] b2 = resp2.writeMessage();
        expectFailure(() -> init2.readMessage(b2, 0, b2.length - 1), Reason.DECRYPT_FAILED);
    }

    @Test
    void lowOrderEphemeralKeyIsRejected() {
        NoiseHandshake init = initiator(List.of(), null);
        init.writeMessage();
        NoiseHandshake resp = responder(List.of());
        // the all-zero point is of low order: every DH with it is zero
        expectFailure(() -> {
            resp.readMessage(new byte[32], 0, 32);
            resp.writeMessage();
        }, Reason.MALFORMED_MESSAGE, "low-order");
    }

    /** A responder speaking raw Noise with an arbitrary payload in message 2. */
    private void expectPayloadRejected(byte[] payload, Reason reason, String... fragments) throws Exception {
        NoiseHandshake init = initiator(List.of(), null);
        byte[] sk = new byte[32];
        byte[] pk = new byte[32];
        NoiseXX.generateKeyPair(sk, pk);
        NoiseXX raw = new NoiseXX(false, new byte[0], sk, pk, null, ChaChaPolyAead.newInstance());
        byte[] a = init.writeMessage();
        raw.readMessage(a, 0, a.length, new byte[32], 0);
        byte[] b = new byte[NoiseXX.messageLength(1, payload.length)];
        raw.writeMessage(payload, 0, payload.length, b, 0);
        expectFailure(() -> init.readMessage(b, 0, b.length), reason, fragments);
    }

    @Test
    void malformedPayloadsAreRejected() throws Exception {
        expectPayloadRejected(new byte[] {(byte) 0xff, (byte) 0xff}, Reason.MALFORMED_MESSAGE, "invalid");
        expectPayloadRejected(new byte[0], Reason.MALFORMED_MESSAGE, "no identity key");
        expectPayloadRejected(NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(bobKey.publicKey().marshal())).build().toByteArray(),
                Reason.BAD_SIGNATURE, "no identity signature");
        expectPayloadRejected(NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(new byte[] {8, 1, 18, 3, 1, 2, 3}))
                .setIdentitySig(ByteString.copyFrom(new byte[64])).build().toByteArray(),
                Reason.MALFORMED_MESSAGE, "invalid identity key");
        expectPayloadRejected(NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(bobKey.publicKey().marshal()))
                .setIdentitySig(ByteString.copyFrom(new byte[64])).build().toByteArray(),
                Reason.BAD_SIGNATURE);
    }

    @Test
    void tooManyRemoteMuxersAreRejected() throws Exception {
        NoiseHandshake init = initiator(List.of(), null);
        byte[] sk = new byte[32];
        byte[] pk = new byte[32];
        NoiseXX.generateKeyPair(sk, pk);
        NoiseExtensions.Builder many = NoiseExtensions.newBuilder();
        for (int i = 0; i < 33; i++) {
            many.addStreamMuxers("/m/" + i);
        }
        byte[] payload = NoiseHandshakePayload.newBuilder()
                .setIdentityKey(ByteString.copyFrom(bobKey.publicKey().marshal()))
                .setIdentitySig(ByteString.copyFrom(bobKey.sign(NoiseIdentity.signedData(pk))))
                .setExtensions(many).build().toByteArray();
        NoiseXX raw = new NoiseXX(false, new byte[0], sk, pk, null, ChaChaPolyAead.newInstance());
        byte[] a = init.writeMessage();
        raw.readMessage(a, 0, a.length, new byte[32], 0);
        byte[] b = new byte[NoiseXX.messageLength(1, payload.length)];
        raw.writeMessage(payload, 0, payload.length, b, 0);
        expectFailure(() -> init.readMessage(b, 0, b.length), Reason.MALFORMED_MESSAGE, "33 stream muxers");
    }

    @Test
    void misuseIsAnIllegalState() {
        NoiseHandshake resp = responder(List.of());
        assertThatThrownBy(resp::writeMessage).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(resp::session).isInstanceOf(IllegalStateException.class);
        NoiseHandshake init = initiator(List.of(), null);
        assertThatThrownBy(() -> init.readMessage(new byte[32], 0, 32)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new NoiseHandshake(true, NoiseIdentity.of(aliceKey), List.of(""), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void identityIsSharedPerKeyAndSignsItsStaticKey() {
        NoiseIdentity id = NoiseIdentity.of(aliceKey);
        assertThat(NoiseIdentity.of(aliceKey)).isSameAs(id);
        assertThat(NoiseIdentity.of(Keys.unmarshalPrivateKey(aliceKey.marshal()))).isSameAs(id); // equal key
        assertThat(NoiseIdentity.generate(aliceKey)).isNotSameAs(id);
        assertThat(aliceKey.publicKey().verify(NoiseIdentity.signedData(id.staticPublicKey()), id.signature())).isTrue();
        byte[] expectedPub = new byte[32];
        X25519.generatePublicKey(id.staticPrivateUnsafe(), 0, expectedPub, 0);
        assertThat(id.staticPublicKey()).isEqualTo(expectedPub);
        assertThat(id.peerId()).isEqualTo(aliceKey.publicKey().peerId());
        assertThat(id.toString()).contains(id.peerId().toString()).doesNotContain("Private");
    }

    @Test
    void handshakeTimingInMemory() {
        // Warm up, then time full two-sided handshakes (both sides' work, as one process does them). Thread CPU
        // time is reported next to wall time because shared build machines are often oversubscribed.
        NoiseIdentity a = NoiseIdentity.of(aliceKey);
        NoiseIdentity b = NoiseIdentity.of(bobKey);
        for (int i = 0; i < 300; i++) {
            run(new NoiseHandshake(true, a, YAMUX, null), new NoiseHandshake(false, b, YAMUX, null));
        }
        int n = 300;
        long[] cached = timeHandshakes(a, b, n, false);
        long[] cold = timeHandshakes(a, b, n, true);
        System.out.printf("Noise XX two-sided handshake in memory, per handshake: identity proofs cached %.3f ms CPU"
                + " (%.3f ms wall); verifying both signatures %.3f ms CPU (%.3f ms wall); %s%n",
                cached[0] / 1e6 / n, cached[1] / 1e6 / n, cold[0] / 1e6 / n, cold[1] / 1e6 / n,
                ChaChaPolyAead.describe());
        assertThat(cold[0] / n).as("mean CPU ns per handshake").isLessThan(20_000_000L); // sanity, not a benchmark
    }

    /** {CPU ns, wall ns} for n handshakes. */
    private static long[] timeHandshakes(NoiseIdentity a, NoiseIdentity b, int n, boolean clearCache) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu = 0;
        long wall = 0;
        for (int i = 0; i < n; i++) {
            if (clearCache) {
                VerifiedIdentities.SHARED.clear();
            }
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            run(new NoiseHandshake(true, a, YAMUX, null), new NoiseHandshake(false, b, YAMUX, null));
            wall += System.nanoTime() - w0;
            cpu += mx.getCurrentThreadCpuTime() - c0;
        }
        return new long[] {cpu, wall};
    }

    @Test
    void verifiedIdentityCacheIsUsedOnlyForIdenticalProofs() {
        VerifiedIdentities.SHARED.clear();
        run(initiator(List.of(), null), responder(List.of()));
        assertThat(VerifiedIdentities.SHARED.size()).isEqualTo(2);
        run(initiator(List.of(), null), responder(List.of()));
        assertThat(VerifiedIdentities.SHARED.size()).isEqualTo(2); // same static keys: hits
        NoiseIdentity fresh = NoiseIdentity.generate(bobKey); // new static key, new proof
        run(initiator(List.of(), null), new NoiseHandshake(false, fresh, List.of(), null));
        assertThat(VerifiedIdentities.SHARED.size()).isEqualTo(3);
        // a proof that does not verify is never cached
        byte[] sk = new byte[32];
        byte[] pk = new byte[32];
        NoiseXX.generateKeyPair(sk, pk);
        NoiseHandshake init = initiator(List.of(), null);
        NoiseHandshake resp = new NoiseHandshake(false, NoiseIdentity.withSignature(bobKey, sk, new byte[64]), List.of(),
                null);
        byte[] m1 = init.writeMessage();
        resp.readMessage(m1, 0, m1.length);
        byte[] m2 = resp.writeMessage();
        expectFailure(() -> init.readMessage(m2, 0, m2.length), Reason.BAD_SIGNATURE);
        assertThat(VerifiedIdentities.SHARED.size()).isEqualTo(3);
    }

    private interface Action {
        void run() throws Exception;
    }

    private static void expectFailure(Action action, Reason reason, String... fragments) {
        assertThatThrownBy(action::run)
                .isInstanceOf(SecurityHandshakeException.class)
                .satisfies(e -> {
                    assertThat(((SecurityHandshakeException) e).reason()).isEqualTo(reason);
                    for (String f : fragments) {
                        assertThat(e.getMessage()).contains(f);
                    }
                });
    }
}
