package org.lotusia.libp2p.multiformats;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * An immutable content identifier.
 *
 * <ul>
 *   <li>CIDv1: {@code varint(1) || varint(codec) || multihash}; text form is multibase, by default
 *       base32 ({@code b…}). Peer ids use codec {@link #LIBP2P_KEY}.</li>
 *   <li>CIDv0: a bare 34-byte sha2-256 multihash with implicit codec {@link #DAG_PB}; text form is
 *       bare base58btc ({@code Qm…}).</li>
 * </ul>
 * Equality and hash code are defined by {@link #toBytes()}.
 */
public final class Cid {

    /** Multicodec {@code libp2p-key}: the content is a libp2p public key (peer id CIDs). */
    public static final long LIBP2P_KEY = 0x72;

    /** Multicodec {@code dag-pb}: the implicit codec of CIDv0. */
    public static final long DAG_PB = 0x70;

    /** Multicodec {@code raw}. */
    public static final long RAW = 0x55;

    /** Longest CID text accepted by {@link #parse(String)}, checked before decoding. */
    public static final int MAX_STRING_LENGTH = 4096;

    private static final int V0_LENGTH = 34;

    private final int version;
    private final long codec;
    private final Multihash multihash;
    private final byte[] bytes;

    private Cid(int version, long codec, Multihash multihash) {
        this.version = version;
        this.codec = codec;
        this.multihash = multihash;
        if (version == 0) {
            this.bytes = multihash.toBytes();
        } else {
            byte[] mh = multihash.toBytes();
            this.bytes = new byte[1 + Varint.encodedLength(codec) + mh.length];
            bytes[0] = 1;
            int offset = 1 + Varint.write(codec, bytes, 1);
            System.arraycopy(mh, 0, bytes, offset, mh.length);
        }
    }

    /**
     * Creates a CIDv1.
     *
     * @throws IllegalArgumentException if {@code codec} is negative
     */
    public static Cid v1(long codec, Multihash multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (codec < 0) {
            throw new IllegalArgumentException("CID codec must not be negative, got " + codec);
        }
        return new Cid(1, codec, multihash);
    }

    /**
     * Creates a CIDv0 from a sha2-256 multihash.
     *
     * @throws InvalidCidException if the multihash is not a full 32-byte sha2-256 multihash
     */
    public static Cid v0(Multihash multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (multihash.code() != Multihash.SHA2_256 || multihash.digestLength() != 32) {
            throw new InvalidCidException("CIDv0 requires a 32-byte sha2-256 multihash, got code 0x"
                    + Integer.toHexString(multihash.code()) + " with a " + multihash.digestLength()
                    + "-byte digest");
        }
        return new Cid(0, DAG_PB, multihash);
    }

    /**
     * Decodes a binary CID: a CIDv1, or a bare 34-byte sha2-256 multihash (CIDv0).
     *
     * @throws InvalidCidException if the bytes are not exactly one valid CID
     */
    public static Cid decode(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length == 0) {
            throw new InvalidCidException("empty CID");
        }
        if (encoded[0] == Multihash.SHA2_256) {
            if (encoded.length != V0_LENGTH || encoded[1] != 32) {
                throw new InvalidCidException("CIDv0 must be a 34-byte sha2-256 multihash"
                        + " (12 20 + 32 bytes), got " + encoded.length + " bytes");
            }
            return v0(decodeMultihash(encoded, 0));
        }
        ByteBuffer in = ByteBuffer.wrap(encoded);
        long version;
        long codec;
        try {
            version = Varint.decode(in);
        } catch (InvalidVarintException e) {
            throw new InvalidCidException("invalid CID version: " + e.getMessage(), e);
        }
        if (version != 1) {
            throw new InvalidCidException("unsupported CID version " + version
                    + " (only CIDv0 and CIDv1 exist)");
        }
        try {
            codec = Varint.decode(in);
        } catch (InvalidVarintException e) {
            throw new InvalidCidException("invalid CID codec: " + e.getMessage(), e);
        }
        return new Cid(1, codec, decodeMultihash(encoded, in.position()));
    }

    private static Multihash decodeMultihash(byte[] encoded, int offset) {
        try {
            return Multihash.decode(Arrays.copyOfRange(encoded, offset, encoded.length));
        } catch (InvalidMultihashException e) {
            throw new InvalidCidException("invalid CID multihash at byte offset " + offset + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Parses a CID string: bare base58btc {@code Q…} (CIDv0), or any supported multibase
     * ({@code b…}, {@code k…}, {@code z…}, {@code m…}, {@code u…}) holding a binary CID.
     *
     * @throws InvalidCidException if the string is not a valid CID (the cause tells why)
     */
    public static Cid parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_STRING_LENGTH) {
            throw new InvalidCidException("CID string longer than " + MAX_STRING_LENGTH
                    + " characters (" + text.length() + ")");
        }
        if (text.isEmpty()) {
            throw new InvalidCidException("empty CID string");
        }
        byte[] decoded;
        boolean bareBase58 = text.charAt(0) == 'Q';
        try {
            decoded = bareBase58 ? Base58.decode(text) : Multibase.decode(text);
        } catch (InvalidMultibaseException e) {
            throw new InvalidCidException("invalid CID string: " + e.getMessage(), e);
        }
        Cid cid = decode(decoded);
        if (bareBase58 && cid.version != 0) {
            throw new InvalidCidException("a bare base58 'Q…' CID string must be a CIDv0");
        }
        return cid;
    }

    /** Returns the CID version, 0 or 1. */
    public int version() {
        return version;
    }

    /** Returns the content codec (multicodec), {@link #DAG_PB} for CIDv0. */
    public long codec() {
        return codec;
    }

    /** Returns the multihash. */
    public Multihash multihash() {
        return multihash;
    }

    /** Returns this CID as CIDv1 (itself if it is already v1). */
    public Cid toV1() {
        return version == 1 ? this : new Cid(1, codec, multihash);
    }

    /** Returns a copy of the binary form (for CIDv0: the bare multihash). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /**
     * Returns the text form in the given multibase encoding.
     *
     * @throws IllegalArgumentException for a CIDv0 and any encoding other than base58btc (v0 has
     *     only the bare base58 form; use {@link #toV1()} first)
     */
    public String toString(Multibase.Encoding encoding) {
        if (version == 0) {
            if (encoding != Multibase.Encoding.BASE58BTC) {
                throw new IllegalArgumentException("CIDv0 can only be written as bare base58btc");
            }
            return Base58.encode(bytes);
        }
        return Multibase.encode(encoding, bytes);
    }

    /**
     * Returns the canonical text form: base32 ({@code b…}) for CIDv1, bare base58btc
     * ({@code Qm…}) for CIDv0.
     */
    @Override
    public String toString() {
        return version == 0 ? Base58.encode(bytes) : Multibase.encode(Multibase.Encoding.BASE32, bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cid && Arrays.equals(bytes, ((Cid) other).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
