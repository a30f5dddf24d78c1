package org.lotusia.libp2p.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.lotusia.libp2p.Libp2pException;

/**
 * Property-based bad-input tests: random and mutated bytes fed to every decoder of the package must
 * either decode or fail with a {@link Libp2pException} subclass, never anything else.
 */
class CryptoFuzzTest {
    private static final List<byte[]> PUBLIC_SEEDS = new ArrayList<>();
    private static final List<byte[]> PRIVATE_SEEDS = new ArrayList<>();
    private static final List<byte[]> PEER_ID_SEEDS = new ArrayList<>();
    private static final List<String> PEER_ID_STRINGS = new ArrayList<>();
    private static final List<byte[]> ENVELOPE_SEEDS = new ArrayList<>();

    static {
        for (PrivateKey key : KeysTest.KEYS) {
            PUBLIC_SEEDS.add(key.publicKey().marshal());
            PRIVATE_SEEDS.add(key.marshal());
            PeerId id = key.publicKey().peerId();
            PEER_ID_SEEDS.add(id.toBytes());
            PEER_ID_STRINGS.add(id.toString());
            PEER_ID_STRINGS.add(id.toCidString());
            ENVELOPE_SEEDS.add(SignedEnvelope.seal(key, PeerRecord.DOMAIN, PeerRecord.payloadType(),
                    new PeerRecord(id, 5, List.of()).encode()).toBytes());
        }
        PRIVATE_SEEDS.add(KeyVectorsTest.hex(KeyVectorsTest.ECDSA_PRIVATE));
        PUBLIC_SEEDS.add(KeyVectorsTest.hex(KeyVectorsTest.ECDSA_PUBLIC));
        PUBLIC_SEEDS.add(KeyVectorsTest.hex(RsaSpecVector.PUBLIC));
    }

    @Property(tries = 2000)
    void unmarshalPublicKeyOnlyThrowsLibp2pExceptions(@ForAll("publicKeyInputs") byte[] input) {
        try {
            PublicKey key = Keys.unmarshalPublicKey(input);
            assertThat(Keys.unmarshalPublicKey(key.marshal())).isEqualTo(key);
            key.verify(input, input);
        } catch (Libp2pException expected) {
            // fine
        }
    }

    @Property(tries = 1500)
    void unmarshalPrivateKeyOnlyThrowsLibp2pExceptions(@ForAll("privateKeyInputs") byte[] input) {
        try {
            PrivateKey key = Keys.unmarshalPrivateKey(input);
            assertThat(Keys.unmarshalPrivateKey(key.marshal())).isEqualTo(key);
        } catch (Libp2pException expected) {
            // fine
        }
    }

    @Property(tries = 2000)
    void peerIdFromBytesOnlyThrowsLibp2pExceptions(@ForAll("peerIdInputs") byte[] input) {
        try {
            PeerId id = PeerId.fromBytes(input);
            assertThat(PeerId.parse(id.toString())).isEqualTo(id);
            assertThat(PeerId.parse(id.toCidString())).isEqualTo(id);
        } catch (InvalidPeerIdException expected) {
            // fine
        }
    }

    @Property(tries = 2000)
    void peerIdParseOnlyThrowsLibp2pExceptions(@ForAll("peerIdStrings") String input) {
        try {
            PeerId id = PeerId.parse(input);
            assertThat(PeerId.fromBytes(id.toBytes())).isEqualTo(id);
        } catch (InvalidPeerIdException expected) {
            // fine
        }
    }

    @Property(tries = 1500)
    void envelopeOpenOnlyThrowsLibp2pExceptions(@ForAll("envelopeInputs") byte[] input) {
        try {
            PeerRecord.openSigned(input);
        } catch (Libp2pException expected) {
            // fine
        }
        try {
            SignedEnvelope.open(input, "libp2p-peer-record");
        } catch (InvalidEnvelopeException expected) {
            // fine
        }
        try {
            PeerRecord.decode(input);
        } catch (InvalidPeerRecordException expected) {
            // fine
        }
    }

    @Property(tries = 300)
    void signaturesOfRandomDataVerify(@ForAll @Size(max = 300) byte[] data) {
        for (PrivateKey key : KeysTest.KEYS) {
            byte[] sig = key.sign(data);
            assertThat(key.publicKey().verify(data, sig)).isTrue();
            byte[] bad = sig.clone();
            bad[data.length % bad.length] ^= (byte) 0x80;
            assertThat(key.publicKey().verify(data, bad)).isFalse();
        }
    }

    @Provide
    Arbitrary<byte[]> publicKeyInputs() {
        return inputs(PUBLIC_SEEDS, 600);
    }

    @Provide
    Arbitrary<byte[]> privateKeyInputs() {
        return inputs(PRIVATE_SEEDS, 800);
    }

    @Provide
    Arbitrary<byte[]> peerIdInputs() {
        return inputs(PEER_ID_SEEDS, 60);
    }

    @Provide
    Arbitrary<byte[]> envelopeInputs() {
        return inputs(ENVELOPE_SEEDS, 800);
    }

    @Provide
    Arbitrary<String> peerIdStrings() {
        Arbitrary<String> mutated = Combinators.combine(Arbitraries.of(PEER_ID_STRINGS),
                Arbitraries.integers().between(0, 1000), Arbitraries.chars().ascii())
                .as((s, pos, c) -> {
                    int i = pos % s.length();
                    return s.substring(0, i) + c + s.substring(Math.min(s.length(), i + 1));
                });
        Arbitrary<String> truncated = Combinators.combine(Arbitraries.of(PEER_ID_STRINGS),
                Arbitraries.integers().between(0, 100)).as((s, n) -> s.substring(0, Math.min(n, s.length())));
        Arbitrary<String> random = Arbitraries.strings().withCharRange((char) 0, (char) 0x2ff).ofMaxLength(140);
        Arbitrary<String> alphabet = Combinators.combine(
                Arbitraries.of("", "1", "Qm", "b", "k", "z", "f", "m", "u", "bafz", "bafzaa", "k51qzi5uqu5"),
                Arbitraries.strings().withChars("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
                        .ofMaxLength(80)).as((prefix, body) -> prefix + body);
        return Arbitraries.oneOf(mutated, truncated, random, alphabet);
    }

    /** Mutations of valid encodings (bit flips, truncation, extension, splices) plus pure random bytes. */
    private static Arbitrary<byte[]> inputs(List<byte[]> seeds, int maxRandom) {
        Arbitrary<byte[]> seed = Arbitraries.of(seeds);
        Arbitrary<byte[]> flipped = Combinators.combine(seed, Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.integers().between(0, 7), Arbitraries.integers().between(1, 3)).as((s, pos, bit, n) -> {
                    byte[] b = s.clone();
                    for (int k = 0; k < n; k++) {
                        int i = (pos + k * 7919) % b.length;
                        b[i] ^= (byte) (1 << ((bit + k) % 8));
                    }
                    return b;
                });
        Arbitrary<byte[]> truncated = Combinators.combine(seed, Arbitraries.integers().between(0, 1 << 20))
                .as((s, n) -> Arrays.copyOf(s, n % (s.length + 1)));
        Arbitrary<byte[]> extended = Combinators.combine(seed, Arbitraries.bytes().array(byte[].class).ofMaxSize(8))
                .as((s, tail) -> {
                    byte[] b = Arrays.copyOf(s, s.length + tail.length);
                    System.arraycopy(tail, 0, b, s.length, tail.length);
                    return b;
                });
        Arbitrary<byte[]> overwritten = Combinators.combine(seed, Arbitraries.integers().between(0, 1 << 20),
                Arbitraries.bytes()).as((s, pos, v) -> {
                    byte[] b = s.clone();
                    if (b.length > 0) {
                        b[pos % b.length] = v;
                    }
                    return b;
                });
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(maxRandom);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, flipped),
                net.jqwik.api.Tuple.of(2, truncated),
                net.jqwik.api.Tuple.of(1, extended),
                net.jqwik.api.Tuple.of(3, overwritten),
                net.jqwik.api.Tuple.of(2, random));
    }
}
