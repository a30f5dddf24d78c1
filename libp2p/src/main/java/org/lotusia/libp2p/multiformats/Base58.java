package org.lotusia.libp2p.multiformats;

/**
 * Base58btc (Bitcoin alphabet {@code 123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz}),
 * without a multibase prefix. Each leading {@code 0x00} byte is written as {@code '1'}. This is the
 * legacy text form of peer ids ({@code 12D3KooW…}, {@code Qm…}).
 *
 * <p>Inputs are capped (16 KiB of data, 32 Ki characters) because the conversion is quadratic.
 */
public final class Base58 {

    /** The Bitcoin base58 alphabet. */
    public static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static final RadixCodec CODEC = new RadixCodec("base58btc", ALPHABET, false);

    private Base58() {
    }

    /**
     * Encodes bytes as base58btc.
     *
     * @throws IllegalArgumentException if {@code data} is longer than 16 KiB
     */
    public static String encode(byte[] data) {
        return CODEC.encode(data);
    }

    /**
     * Decodes a base58btc string (no multibase prefix).
     *
     * @throws InvalidMultibaseException on a character outside the alphabet or an over-long input
     */
    public static byte[] decode(String text) {
        return CODEC.decode(text);
    }
}
