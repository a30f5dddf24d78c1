package org.lotusia.libp2p.security.noise;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.WeakHashMap;
import org.bouncycastle.math.ec.rfc7748.X25519;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;

/**
 * A node's Noise credentials: its libp2p identity (peer id and marshalled public key), a static X25519 key
 * pair, and the identity signature over {@code "noise-libp2p-static-key:" || staticPublicKey} that proves the
 * static key belongs to the identity.
 *
 * <p>Like js-libp2p, one static key serves every handshake of a node: {@link #of(PrivateKey)} returns the same
 * instance for the same identity key for as long as that key object is in use, so the identity signature is
 * computed once, not per connection. Immutable and thread-safe; holds no reference to the private identity key.
 */
public final class NoiseIdentity {
    /** The prefix of the signed static key, as in the libp2p Noise spec. */
    public static final String SIGNATURE_PREFIX = "noise-libp2p-static-key:";
    private static final byte[] PREFIX = SIGNATURE_PREFIX.getBytes(StandardCharsets.US_ASCII);

    private static final Map<PrivateKey, NoiseIdentity> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private final PeerId peerId;
    private final ByteString identityKey;
    private final ByteString signature;
    private final byte[] staticPrivate;
    private final byte[] staticPublic;

    private NoiseIdentity(PrivateKey key, byte[] staticPrivate, byte[] signatureOverride) {
        this.staticPrivate = staticPrivate;
        this.staticPublic = new byte[X25519.POINT_SIZE];
        X25519.generatePublicKey(staticPrivate, 0, staticPublic, 0);
        this.peerId = key.publicKey().peerId();
        this.identityKey = ByteString.copyFrom(key.publicKey().marshal());
        this.signature = ByteString.copyFrom(
                signatureOverride != null ? signatureOverride : key.sign(signedData(staticPublic)));
    }

    /** The Noise credentials of {@code identityKey}, created once per key object and then shared. */
    public static NoiseIdentity of(PrivateKey identityKey) {
        Objects.requireNonNull(identityKey, "identityKey");
        return CACHE.computeIfAbsent(identityKey, NoiseIdentity::generate);
    }

    /** New Noise credentials with a fresh random static key (not cached). */
    public static NoiseIdentity generate(PrivateKey identityKey) {
        byte[] priv = new byte[X25519.SCALAR_SIZE];
        byte[] pub = new byte[X25519.POINT_SIZE];
        NoiseXX.generateKeyPair(priv, pub);
        return new NoiseIdentity(identityKey, priv, null);
    }

    /** Credentials with a given static private key (tests and vectors). */
    static NoiseIdentity withStaticKey(PrivateKey identityKey, byte[] staticPrivate) {
        return new NoiseIdentity(identityKey, staticPrivate.clone(), null);
    }

    /** Credentials carrying an arbitrary (for tests: wrong) identity signature. */
    static NoiseIdentity withSignature(PrivateKey identityKey, byte[] staticPrivate, byte[] signature) {
        return new NoiseIdentity(identityKey, staticPrivate.clone(), signature.clone());
    }

    /** {@code "noise-libp2p-static-key:" || staticPublicKey}: the bytes the identity signature covers. */
    public static byte[] signedData(byte[] staticPublicKey) {
        byte[] data = new byte[PREFIX.length + staticPublicKey.length];
        System.arraycopy(PREFIX, 0, data, 0, PREFIX.length);
        System.arraycopy(staticPublicKey, 0, data, PREFIX.length, staticPublicKey.length);
        return data;
    }

    /** This node's peer id. */
    public PeerId peerId() {
        return peerId;
    }

    /** A copy of the static X25519 public key. */
    public byte[] staticPublicKey() {
        return staticPublic.clone();
    }

    /** A copy of the identity signature over {@link #signedData(byte[]) signedData(staticPublicKey())}. */
    public byte[] signature() {
        return signature.toByteArray();
    }

    ByteString identityKeyBytes() {
        return identityKey;
    }

    ByteString signatureBytes() {
        return signature;
    }

    byte[] staticPrivateUnsafe() {
        return staticPrivate;
    }

    byte[] staticPublicUnsafe() {
        return staticPublic;
    }

    @Override
    public String toString() {
        return "NoiseIdentity[" + peerId + "]";
    }
}
