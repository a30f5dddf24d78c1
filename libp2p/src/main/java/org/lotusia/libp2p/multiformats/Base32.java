package org.lotusia.libp2p.multiformats;

/**
 * RFC 4648 base32 (alphabet {@code abcdefghijklmnopqrstuvwxyz234567}), lower case, without
 * padding and without a multibase prefix (multibase {@code 'b'}, the default text form of CIDs).
 *
 * <p>Decoding accepts either letter case and optional correct {@code '='} padding, and rejects
 * impossible lengths and non-zero unused trailing bits.
 */
public final class Base32 {

    /** The lower-case RFC 4648 base32 alphabet. */
    public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    private static final Rfc4648Codec CODEC = new Rfc4648Codec("base32", ALPHABET, 5, true);

    private Base32() {
    }

    /** Encodes bytes as lower-case, unpadded base32. */
    public static String encode(byte[] data) {
        return CODEC.encode(data);
    }

    /**
     * Decodes base32 text (no multibase prefix).
     *
     * @throws InvalidMultibaseException on an invalid character, length, padding or trailing bits
     */
    public static byte[] decode(String text) {
        return CODEC.decode(text);
    }
}
