package org.lotusia.bench;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.KeyAgreement;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.security.noise.NoiseIdentity;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The asymmetric operations one libp2p Noise XX handshake is made of, one at a time, to explain
 * {@link NoiseHandshakeBenchmark}: per side one X25519 key generation (fixed base), three X25519 agreements and one
 * Ed25519 verification of the peer's identity proof (a new peer: its key is decoded first). Both sides: twice that.
 * The JDK's own X25519 ({@code XDH}) is measured for comparison with the BouncyCastle code the library uses.
 *
 * <p>Run: {@code java -jar bench/target/lotus-p2p-bench.jar HandshakePrimitivesBenchmark
 * -prof org.lotusia.bench.CpuTimeProfiler}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
@Threads(1)
@State(Scope.Thread)
public class HandshakePrimitivesBenchmark {
    private final SecureRandom random = new SecureRandom();
    private final byte[] scalar = new byte[X25519.SCALAR_SIZE];
    private final byte[] peerPoint = new byte[X25519.POINT_SIZE];
    private final byte[] out = new byte[X25519.POINT_SIZE];
    private byte[] marshalledIdentity;
    private byte[] proof;
    private byte[] signedData;
    private PrivateKey identity;
    private KeyAgreement jdkAgreement;
    private KeyPair jdkMine;
    private KeyPair jdkPeer;

    @Setup(Level.Trial)
    public void setUp() throws GeneralSecurityException {
        X25519.generatePrivateKey(random, scalar);
        byte[] other = new byte[X25519.SCALAR_SIZE];
        X25519.generatePrivateKey(random, other);
        X25519.generatePublicKey(other, 0, peerPoint, 0);
        identity = Keys.generateEd25519();
        NoiseIdentity noise = NoiseIdentity.generate(identity);
        marshalledIdentity = identity.publicKey().marshal();
        proof = noise.signature();
        signedData = NoiseIdentity.signedData(noise.staticPublicKey());
        KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
        jdkMine = g.generateKeyPair();
        jdkPeer = g.generateKeyPair();
        jdkAgreement = KeyAgreement.getInstance("X25519");
    }

    /** One X25519 agreement (variable base), BouncyCastle low-level: 3 per side per handshake. */
    @Benchmark
    public byte[] x25519Agreement() {
        X25519.calculateAgreement(scalar, 0, peerPoint, 0, out, 0);
        return out;
    }

    /** One X25519 key generation (fixed base), BouncyCastle low-level: the ephemeral key, 1 per side. */
    @Benchmark
    public byte[] x25519Keygen() {
        X25519.generatePublicKey(scalar, 0, out, 0);
        return out;
    }

    /** A new peer's identity proof: decode its marshalled Ed25519 key and verify the signature, 1 per side. */
    @Benchmark
    public boolean ed25519DecodeAndVerify() {
        PublicKey key = Keys.unmarshalPublicKey(marshalledIdentity);
        if (!key.verify(signedData, proof)) {
            throw new IllegalStateException("proof did not verify");
        }
        return true;
    }

    /** Signing the static key: once per node (not per handshake), shown for scale. */
    @Benchmark
    public byte[] ed25519Sign() {
        return identity.sign(signedData);
    }

    /** The JDK's X25519 agreement (SunEC XDH), for comparison. */
    @Benchmark
    public byte[] jdkX25519Agreement() throws GeneralSecurityException {
        jdkAgreement.init(jdkMine.getPrivate());
        jdkAgreement.doPhase(jdkPeer.getPublic(), true);
        return jdkAgreement.generateSecret();
    }
}
