package org.lotusia.libp2p.multiformats;

/**
 * Base36 with the lower-case alphabet {@code 0123456789abcdefghijklmnopqrstuvwxyz}, without a
 * multibase prefix (multibase {@code 'k'}, used for {@code k51…} peer-id CIDs). Each leading
 * {@code 0x00} byte is written as {@code '0'}. Decoding also accepts upper-case letters.
 *
 * <p>Inputs are capped (16 KiB of data, 32 Ki characters) because the conversion is quadratic.
 */
public final class Base36 {

    /** The lower-case base36 alphabet. */
    public static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

    private static final RadixCodec CODEC = new RadixCodec("base36", ALPHABET, true);

    private Base36() {
    }

    /**
     * Encodes bytes as lower-case base36.
     *
     * @throws IllegalArgumentException if {@code data} is longer than 16 KiB
     */
    public static String encode(byte[] data) {
        return CODEC.encode(data);
    }

    /**
     * Decodes a base36 string (no multibase prefix, either letter case).
     *
     * @throws InvalidMultibaseException on a character outside the alphabet or an over-long input
     */
    public static byte[] decode(String text) {
        return CODEC.decode(text);
    }
}
