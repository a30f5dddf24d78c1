package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.crypto.PeerId;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;

/**
 * A point in the Kademlia key space: the SHA-256 of a key's bytes (a peer id's multihash bytes for
 * peers, the raw record key for values, the multihash bytes for provider keys). Distance is XOR.
 */
public final class KadId {
    /** Length of an id in bytes. */
    public static final int BYTES = 32;
    /** Length of an id in bits (also the number of distinct common prefix lengths below equality). */
    public static final int BITS = BYTES * 8;

    private final byte[] bytes;

    private KadId(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id of a key: SHA-256 of its bytes. */
    public static KadId ofKey(byte[] key) {
        try {
            return new KadId(MessageDigest.getInstance("SHA-256").digest(key));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** The id of a peer: SHA-256 of its peer id multihash bytes. */
    public static KadId ofPeer(PeerId peer) {
        return ofKey(peer.toBytes());
    }

    /** Wraps 32 raw id bytes (already hashed). */
    public static KadId fromRaw(byte[] raw) {
        if (raw.length != BYTES) {
            throw new IllegalArgumentException("a kad id has " + BYTES + " bytes, not " + raw.length);
        }
        return new KadId(raw.clone());
    }

    /** The 32 id bytes (a copy). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** XOR distance to {@code other}, as 32 big-endian bytes. */
    public byte[] distance(KadId other) {
        byte[] d = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) {
            d[i] = (byte) (bytes[i] ^ other.bytes[i]);
        }
        return d;
    }

    /** Number of leading bits this id shares with {@code other} ({@value #BITS} when equal). */
    public int commonPrefixLength(KadId other) {
        for (int i = 0; i < BYTES; i++) {
            int x = (bytes[i] ^ other.bytes[i]) & 0xff;
            if (x != 0) {
                return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
            }
        }
        return BITS;
    }

    /**
     * Compares the distances of {@code a} and {@code b} to this id: negative when {@code a} is closer,
     * zero when equally close (only when a equals b), positive when {@code b} is closer.
     */
    public int compareDistance(KadId a, KadId b) {
        for (int i = 0; i < BYTES; i++) {
            int da = (a.bytes[i] ^ bytes[i]) & 0xff;
            int db = (b.bytes[i] ^ bytes[i]) & 0xff;
            if (da != db) {
                return Integer.compare(da, db);
            }
        }
        return 0;
    }

    /** Orders ids by their distance to this one, closest first. */
    public Comparator<KadId> byDistance() {
        return this::compareDistance;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KadId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
