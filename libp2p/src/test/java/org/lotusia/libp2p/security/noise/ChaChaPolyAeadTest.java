package org.lotusia.libp2p.security.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.lotusia.libp2p.security.SecureChannelException;

class ChaChaPolyAeadTest {

    private static List<ChaChaPolyAead> all(byte[] key) {
        List<ChaChaPolyAead> list = new ArrayList<>();
        for (ChaChaPolyAead.Kind k : ChaChaPolyAead.Kind.values()) {
            if (ChaChaPolyAead.isAvailable(k)) {
                ChaChaPolyAead a = ChaChaPolyAead.newInstance(k);
                a.setKey(key, 0);
                list.add(a);
            }
        }
        return list;
    }

    @Property(tries = 200)
    void allImplementationsAgree(@ForAll @Size(32) byte[] key, @ForAll @Size(max = 3000) byte[] msg,
            @ForAll @Size(max = 40) byte[] ad, @ForAll long nonce) throws Exception {
        List<ChaChaPolyAead> impls = all(key);
        byte[] reference = null;
        for (ChaChaPolyAead a : impls) {
            byte[] ct = new byte[msg.length + 16];
            assertThat(a.seal(nonce, ad, msg, 0, msg.length, ct, 0)).isEqualTo(ct.length);
            if (reference == null) {
                reference = ct;
            } else {
                assertThat(ct).as(a.kind().toString()).isEqualTo(reference);
            }
        }
        for (ChaChaPolyAead a : impls) {
            byte[] pt = new byte[msg.length];
            assertThat(a.open(nonce, ad, reference, 0, reference.length, pt, 0)).isEqualTo(msg.length);
            assertThat(pt).isEqualTo(msg);
        }
    }

    @ParameterizedTest
    @EnumSource(ChaChaPolyAead.Kind.class)
    void byteBufferPathsHeapAndDirect(ChaChaPolyAead.Kind kind) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChaChaPolyAead.isAvailable(kind));
        ChaChaPolyAead a = ChaChaPolyAead.newInstance(kind);
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        a.setKey(key, 0);
        byte[] msg = new byte[70_000];
        for (int i = 0; i < msg.length; i++) {
            msg[i] = (byte) (i * 31);
        }
        byte[] expected = new byte[msg.length + 16];
        a.seal(5, null, msg, 0, msg.length, expected, 0);
        long nonce = 100;
        for (boolean directIn : new boolean[] {false, true}) {
            for (boolean directOut : new boolean[] {false, true}) {
                ByteBuffer in = alloc(directIn, msg.length).put(msg).flip();
                ByteBuffer out = alloc(directOut, msg.length + 16);
                assertThat(a.seal(nonce++, in, out)).isEqualTo(msg.length + 16);
                ByteBuffer ct = alloc(directIn, expected.length).put(expected).flip();
                ByteBuffer pt = alloc(directOut, msg.length);
                assertThat(a.open(5, ct, pt)).isEqualTo(msg.length);
                assertThat(in.hasRemaining()).isFalse();
                assertThat(ct.hasRemaining()).isFalse();
                byte[] back = new byte[msg.length];
                pt.flip().get(back);
                assertThat(back).isEqualTo(msg);
            }
        }
    }

    private static ByteBuffer alloc(boolean direct, int n) {
        return direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
    }

    @ParameterizedTest
    @EnumSource(ChaChaPolyAead.Kind.class)
    void tamperedCiphertextTagAdOrNonceFails(ChaChaPolyAead.Kind kind) {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChaChaPolyAead.isAvailable(kind));
        ChaChaPolyAead a = ChaChaPolyAead.newInstance(kind);
        a.setKey(new byte[32], 0);
        byte[] msg = "attack at dawn".getBytes();
        byte[] ad = {1, 2, 3};
        byte[] ct = new byte[msg.length + 16];
        a.seal(9, ad, msg, 0, msg.length, ct, 0);
        byte[] pt = new byte[msg.length];
        for (int i = 0; i < ct.length; i++) {
            byte[] bad = ct.clone();
            bad[i] ^= 0x01;
            assertThatThrownBy(() -> a.open(9, ad, bad, 0, bad.length, pt, 0)).isInstanceOf(AEADBadTagException.class);
        }
        assertThatThrownBy(() -> a.open(10, ad, ct, 0, ct.length, pt, 0)).isInstanceOf(AEADBadTagException.class);
        assertThatThrownBy(() -> a.open(9, new byte[] {1, 2}, ct, 0, ct.length, pt, 0))
                .isInstanceOf(AEADBadTagException.class);
        assertThatThrownBy(() -> a.open(9, ad, ct, 0, 15, pt, 0)).isInstanceOf(AEADBadTagException.class);
    }

    @ParameterizedTest
    @EnumSource(ChaChaPolyAead.Kind.class)
    void sealingTwiceWithOneNonceIsRefusedButReopeningIsFine(ChaChaPolyAead.Kind kind) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ChaChaPolyAead.isAvailable(kind));
        ChaChaPolyAead a = ChaChaPolyAead.newInstance(kind);
        a.setKey(new byte[32], 0);
        byte[] msg = {1, 2, 3};
        byte[] ct = new byte[19];
        byte[] pt = new byte[3];
        a.seal(1, null, msg, 0, 3, ct, 0);
        assertThatThrownBy(() -> a.seal(1, null, msg, 0, 3, new byte[19], 0)).isInstanceOf(RuntimeException.class);
        for (int i = 0; i < 3; i++) {
            a.open(1, null, ct, 0, ct.length, pt, 0);
            assertThat(pt).isEqualTo(msg);
        }
        a.seal(2, null, msg, 0, 3, ct, 0);
        a.setKey(new byte[32], 0); // re-keying forgets the history: this JCA object refuses, we step around it
        a.open(2, null, ct, 0, ct.length, pt, 0);
        assertThat(pt).isEqualTo(msg);
    }

    @Test
    void nonceIsFourZeroBytesThenLittleEndianCounter() {
        byte[] iv = new byte[12];
        Arrays.fill(iv, (byte) 0x55);
        ChaChaPolyAead.encodeNonce(0x0102030405060708L, iv);
        assertThat(iv).containsExactly(0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1);
    }

    @Test
    void describeNamesTheImplementation() {
        String d = ChaChaPolyAead.describe();
        assertThat(d).startsWith("ChaCha20-Poly1305: ").contains("Java " + Runtime.version().feature());
        assertThat(d).containsAnyOf("JDK SunJCE", "Conscrypt", "BouncyCastle");
        assertThat(ChaChaPolyAead.newInstance().kind()).isEqualTo(ChaChaPolyAead.defaultKind());
        assertThat(ChaChaPolyAead.selfTest(ChaChaPolyAead.defaultKind())).isTrue();
    }

    @Test
    void cipherStateCountsAndRefusesTheReservedNonce() throws Exception {
        CipherState enc = new CipherState(ChaChaPolyAead.newInstance());
        CipherState dec = new CipherState(ChaChaPolyAead.newInstance());
        byte[] key = new byte[32];
        key[0] = 1;
        enc.initializeKey(key, 0);
        dec.initializeKey(key, 0);
        byte[] msg = {42};
        byte[] ct = new byte[17];
        byte[] pt = new byte[1];
        for (int i = 0; i < 3; i++) {
            enc.encryptWithAd(null, msg, 0, 1, ct, 0);
            dec.decryptWithAd(null, ct, 0, ct.length, pt, 0);
        }
        assertThat(enc.nonce()).isEqualTo(3);
        assertThat(dec.nonce()).isEqualTo(3);

        // a failed decryption does not advance the counter
        byte[] bad = ct.clone();
        bad[0] ^= 1;
        assertThatThrownBy(() -> dec.decryptWithAd(null, bad, 0, bad.length, pt, 0)).isInstanceOf(AEADBadTagException.class);
        assertThat(dec.nonce()).isEqualTo(3);

        enc.setNonce(-2L); // 2^64 - 2: the last usable nonce
        enc.encryptWithAd(null, msg, 0, 1, ct, 0);
        assertThat(enc.nonce()).isEqualTo(-1L);
        assertThatThrownBy(() -> enc.encryptWithAd(null, msg, 0, 1, ct, 0))
                .isInstanceOf(SecureChannelException.class)
                .satisfies(e -> assertThat(((SecureChannelException) e).reason())
                        .isEqualTo(SecureChannelException.Reason.NONCE_EXHAUSTED));
        dec.setNonce(-1L);
        assertThatThrownBy(() -> dec.decrypt(ByteBuffer.wrap(ct), ByteBuffer.allocate(1)))
                .isInstanceOf(SecureChannelException.class);
    }

    @Test
    void cipherStateWithoutKeyRefusesToWork() {
        CipherState cs = new CipherState(ChaChaPolyAead.newInstance());
        assertThat(cs.hasKey()).isFalse();
        assertThatThrownBy(() -> cs.encryptWithAd(null, new byte[1], 0, 1, new byte[17], 0))
                .isInstanceOf(IllegalStateException.class);
    }
}
