package org.lotusia.libp2p.multiformats;

import java.util.Arrays;

/**
 * Bit-packing codec for the RFC 4648 power-of-two alphabets (base32, base64, base64url).
 *
 * <p>Encoding never pads. Decoding accepts unpadded input and, optionally, correct trailing
 * {@code '='} padding; it rejects characters outside the alphabet, impossible lengths and
 * non-zero leftover bits (so every byte string has exactly one accepted unpadded spelling per
 * letter case).
 */
final class Rfc4648Codec {

    private final String name;
    private final char[] alphabet;
    private final byte[] lookup = new byte[128];
    private final int bitsPerChar;
    /** Characters per padded block: 8 for base32, 4 for base64. */
    private final int blockChars;

    Rfc4648Codec(String name, String alphabet, int bitsPerChar, boolean caseInsensitive) {
        this.name = name;
        this.alphabet = alphabet.toCharArray();
        this.bitsPerChar = bitsPerChar;
        this.blockChars = bitsPerChar == 5 ? 8 : 4;
        Arrays.fill(lookup, (byte) -1);
        for (int i = 0; i < alphabet.length(); i++) {
            char c = alphabet.charAt(i);
            lookup[c] = (byte) i;
            if (caseInsensitive) {
                lookup[Character.toUpperCase(c)] = (byte) i;
                lookup[Character.toLowerCase(c)] = (byte) i;
            }
        }
    }

    String encode(byte[] data) {
        long chars = ((long) data.length * 8 + bitsPerChar - 1) / bitsPerChar;
        StringBuilder out = new StringBuilder((int) Math.min(chars, Integer.MAX_VALUE - 8));
        int mask = (1 << bitsPerChar) - 1;
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xFF);
            bits += 8;
            while (bits >= bitsPerChar) {
                bits -= bitsPerChar;
                out.append(alphabet[(buffer >>> bits) & mask]);
            }
            buffer &= (1 << bits) - 1;
        }
        if (bits > 0) {
            out.append(alphabet[(buffer << (bitsPerChar - bits)) & mask]);
        }
        return out.toString();
    }

    byte[] decode(CharSequence text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '=') {
            end--;
        }
        int padding = text.length() - end;
        if (padding > 0 && (text.length() % blockChars != 0 || padding >= blockChars)) {
            throw new InvalidMultibaseException("invalid " + name + " padding: " + padding
                    + " '=' character(s) in an input of " + text.length() + " characters");
        }
        long totalBits = (long) end * bitsPerChar;
        int leftover = (int) (totalBits % 8);
        if (leftover >= bitsPerChar) {
            throw new InvalidMultibaseException("invalid " + name + " length: " + end
                    + " characters cannot encode a whole number of bytes");
        }
        if (padding > 0 && expectedPadding(end) != padding) {
            throw new InvalidMultibaseException("invalid " + name + " padding: expected "
                    + expectedPadding(end) + " '=' character(s), got " + padding);
        }
        byte[] out = new byte[(int) (totalBits / 8)];
        int buffer = 0;
        int bits = 0;
        int written = 0;
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            int value = c < 128 ? lookup[c] : -1;
            if (value < 0) {
                throw new InvalidMultibaseException("invalid " + name + " character "
                        + RadixCodec.describe(c) + " at index " + i);
            }
            buffer = (buffer << bitsPerChar) | value;
            bits += bitsPerChar;
            if (bits >= 8) {
                bits -= 8;
                out[written++] = (byte) (buffer >>> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        if (buffer != 0) {
            throw new InvalidMultibaseException("non-canonical " + name
                    + " input: the last character has non-zero unused bits");
        }
        return out;
    }

    private int expectedPadding(int dataChars) {
        int rest = dataChars % blockChars;
        return rest == 0 ? 0 : blockChars - rest;
    }
}
