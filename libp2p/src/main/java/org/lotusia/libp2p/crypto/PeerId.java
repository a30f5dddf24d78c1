package org.lotusia.libp2p.crypto;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.multiformats.Base58;
import org.lotusia.libp2p.multiformats.Multibase;
import org.lotusia.libp2p.multiformats.Multihash;

/**
 * A libp2p peer id: the multihash of a peer's marshalled {@link PublicKey} (peer-ids spec).
 *
 * <p>Keys whose marshalled form is at most {@value #MAX_INLINE_KEY_BYTES} bytes (Ed25519, secp256k1)
 * are inlined with the identity multihash ({@code 00 len key}); larger keys (RSA, ECDSA) are hashed
 * with sha2-256 ({@code 12 20 digest}). Only these two forms are accepted on input: an identity digest
 * longer than {@value #MAX_INLINE_KEY_BYTES} bytes, or one that is not a canonical supported public
 * key, is rejected (as js-libp2p does), so a peer id is at most {@value #MAX_BYTES} bytes.
 *
 * <p>Text forms: {@link #toString()} is the legacy base58btc multihash ({@code 12D3KooW…},
 * {@code 16Uiu2HA…}, {@code Qm…}); {@link #toCidString()} is a base32 CIDv1 with the
 * {@code libp2p-key} codec ({@code bafz…}). {@link #parse(String)} accepts both, and CIDs in any
 * multibase the multiformats package decodes (e.g. base36 {@code k51…}).
 *
 * <p>Immutable and thread-safe; equality, hash code and ordering are by the multihash bytes
 * (unsigned lexicographic).
 */
public final class PeerId implements Comparable<PeerId> {
    /** Longest marshalled public key inlined with the identity multihash. */
    public static final int MAX_INLINE_KEY_BYTES = 42;
    /** Longest valid peer id in bytes (identity multihash of a 42-byte key). */
    public static final int MAX_BYTES = 2 + MAX_INLINE_KEY_BYTES;
    /** Longest string {@link #parse(String)} looks at; valid forms are well under 100 characters. */
    public static final int MAX_STRING_LENGTH = 128;

    private static final int IDENTITY = 0x00;
    private static final int SHA2_256 = 0x12;
    private static final int SHA2_256_LENGTH = 32;
    private static final int CID_V1 = 0x01;
    private static final int LIBP2P_KEY = 0x72;

    private final byte[] bytes;
    private final PublicKey inlinedKey;
    private final int hash;
    private volatile String base58;
    private volatile String cid;

    private PeerId(byte[] bytes, PublicKey inlinedKey) {
        this.bytes = bytes;
        this.inlinedKey = inlinedKey;
        this.hash = Arrays.hashCode(bytes);
    }

    /** Derives the peer id of a public key (identity multihash if it marshals to ≤ 42 bytes, else sha2-256). */
    public static PeerId fromPublicKey(PublicKey key) {
        Objects.requireNonNull(key, "key");
        byte[] m = key.marshalledUnsafe();
        if (m.length <= MAX_INLINE_KEY_BYTES) {
            byte[] b = new byte[2 + m.length];
            b[0] = IDENTITY;
            b[1] = (byte) m.length;
            System.arraycopy(m, 0, b, 2, m.length);
            return new PeerId(b, key);
        }
        byte[] digest = EcSupport.sha256(m);
        byte[] b = new byte[2 + SHA2_256_LENGTH];
        b[0] = SHA2_256;
        b[1] = SHA2_256_LENGTH;
        System.arraycopy(digest, 0, b, 2, SHA2_256_LENGTH);
        return new PeerId(b, null);
    }

    /**
     * Decodes a peer id from its multihash bytes (as in a {@code /p2p/} multiaddr component, identify,
     * peer records and kad-dht messages).
     *
     * @throws InvalidPeerIdException if the bytes are not an identity multihash of a canonical supported
     *     public key (≤ 42 bytes) or a sha2-256 multihash
     */
    public static PeerId fromBytes(byte[] multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (multihash.length < 2 || multihash.length > MAX_BYTES) {
            throw new InvalidPeerIdException("peer id must be 2 to " + MAX_BYTES + " bytes, got " + multihash.length);
        }
        int code = multihash[0] & 0xff;
        int length = multihash[1] & 0xff;
        if (code != IDENTITY && code != SHA2_256) {
            throw new InvalidPeerIdException(String.format(
                    "peer id multihash must be identity (0x00) or sha2-256 (0x12), got code byte 0x%02x", code));
        }
        if (length != multihash.length - 2) {
            throw new InvalidPeerIdException("peer id multihash digest length " + length + " does not match the "
                    + (multihash.length - 2) + " bytes that follow");
        }
        byte[] copy = multihash.clone();
        if (code == SHA2_256) {
            if (length != SHA2_256_LENGTH) {
                throw new InvalidPeerIdException("sha2-256 peer id digest must be 32 bytes, got " + length);
            }
            return new PeerId(copy, null);
        }
        byte[] keyBytes = Arrays.copyOfRange(copy, 2, copy.length);
        PublicKey key;
        try {
            key = Keys.unmarshalPublicKey(keyBytes);
        } catch (KeyFormatException e) {
            throw new InvalidPeerIdException("identity peer id does not contain a valid public key: " + e.getMessage(), e);
        }
        if (!Arrays.equals(key.marshalledUnsafe(), keyBytes)) {
            throw new InvalidPeerIdException("identity peer id contains a non-canonical key encoding");
        }
        return new PeerId(copy, key);
    }

    /**
     * Returns the peer id of a multihash.
     *
     * @throws InvalidPeerIdException as {@link #fromBytes(byte[])}
     */
    public static PeerId fromMultihash(Multihash multihash) {
        return fromBytes(Objects.requireNonNull(multihash, "multihash").toBytes());
    }

    /**
     * Parses a peer id from text: a bare base58btc multihash (starting with {@code 1} or {@code Qm}) or
     * a multibase-encoded CIDv1 with the {@code libp2p-key} codec (0x72), e.g. {@code bafz…} or
     * {@code k51…}.
     *
     * @throws InvalidPeerIdException if the text is not a valid peer id
     */
    public static PeerId parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new InvalidPeerIdException("empty peer id string");
        }
        if (text.length() > MAX_STRING_LENGTH) {
            throw new InvalidPeerIdException("peer id string too long: " + text.length() + " characters (max "
                    + MAX_STRING_LENGTH + ")");
        }
        if (text.startsWith("1") || text.startsWith("Qm")) {
            byte[] decoded;
            try {
                decoded = Base58.decode(text);
            } catch (Libp2pException | IllegalArgumentException e) {
                throw new InvalidPeerIdException("peer id '" + text + "' is not valid base58btc", e);
            }
            return fromBytes(decoded);
        }
        byte[] cidBytes;
        try {
            cidBytes = Multibase.decode(text);
        } catch (Libp2pException | IllegalArgumentException e) {
            throw new InvalidPeerIdException("peer id '" + text + "' is neither base58btc nor a multibase CID", e);
        }
        if (cidBytes.length < 2 || cidBytes[0] != CID_V1) {
            throw new InvalidPeerIdException("peer id '" + text + "' is not a CIDv1");
        }
        if (cidBytes[1] != LIBP2P_KEY) {
            throw new InvalidPeerIdException("peer id CID '" + text + "' must use the libp2p-key codec (0x72)");
        }
        return fromBytes(Arrays.copyOfRange(cidBytes, 2, cidBytes.length));
    }

    /** Returns a copy of the multihash bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Returns the multihash. */
    public Multihash multihash() {
        return Multihash.decode(bytes);
    }

    /** Returns true if this peer id inlines its public key (identity multihash). */
    public boolean isInlined() {
        return inlinedKey != null;
    }

    /**
     * Returns the public key inlined in an identity peer id (Ed25519, secp256k1), or empty for a
     * sha2-256 peer id, whose key must be learnt elsewhere (identify, Noise).
     */
    public Optional<PublicKey> extractPublicKey() {
        return Optional.ofNullable(inlinedKey);
    }

    /** Returns true if {@code key} is the public key this peer id was derived from. */
    public boolean matches(PublicKey key) {
        return equals(Objects.requireNonNull(key, "key").peerId());
    }

    /** Returns the base32 CIDv1 ({@code libp2p-key}) form, e.g. {@code bafzaa…}. */
    public String toCidString() {
        String s = cid;
        if (s == null) {
            byte[] c = new byte[bytes.length + 2];
            c[0] = CID_V1;
            c[1] = LIBP2P_KEY;
            System.arraycopy(bytes, 0, c, 2, bytes.length);
            s = Multibase.encode(Multibase.Encoding.BASE32, c);
            cid = s;
        }
        return s;
    }

    /** Returns the legacy base58btc multihash form (what js-libp2p prints), e.g. {@code 12D3KooW…}. */
    @Override
    public String toString() {
        String s = base58;
        if (s == null) {
            s = Base58.encode(bytes);
            base58 = s;
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Orders peer ids by their multihash bytes, compared as unsigned bytes. */
    @Override
    public int compareTo(PeerId other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }
}
