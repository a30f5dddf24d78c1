package org.lotusia.libp2p.multiformats;

import java.util.Arrays;

/**
 * Big-number radix conversion between bytes and a text alphabet, used by base58btc and base36.
 * Leading zero bytes map one-to-one onto leading copies of the alphabet's first character; the
 * rest of the input is treated as one big-endian unsigned integer.
 *
 * <p>The conversion is quadratic in the input length, so both directions are capped (see
 * {@link #MAX_DATA_BYTES}); these alphabets are meant for short identifiers.
 */
final class RadixCodec {

    /** Longest byte array that {@link #encode} accepts. */
    static final int MAX_DATA_BYTES = 16 * 1024;

    /** Longest string that {@link #decode} accepts. */
    static final int MAX_TEXT_CHARS = 2 * MAX_DATA_BYTES;

    private static final long UNSIGNED_INT = 0xFFFF_FFFFL;

    private final String name;
    private final char[] alphabet;
    private final byte[] lookup = new byte[128];
    private final int radix;
    /** Digits processed per big-number step; radix^chunkDigits stays below 2^31. */
    private final int chunkDigits;
    private final long chunkBase;

    RadixCodec(String name, String alphabet, boolean caseInsensitive) {
        this.name = name;
        this.alphabet = alphabet.toCharArray();
        this.radix = alphabet.length();
        Arrays.fill(lookup, (byte) -1);
        for (int i = 0; i < radix; i++) {
            char c = alphabet.charAt(i);
            lookup[c] = (byte) i;
            if (caseInsensitive) {
                lookup[Character.toUpperCase(c)] = (byte) i;
                lookup[Character.toLowerCase(c)] = (byte) i;
            }
        }
        int digits = 0;
        long base = 1;
        while (base * radix < Integer.MAX_VALUE) {
            base *= radix;
            digits++;
        }
        this.chunkDigits = digits;
        this.chunkBase = base;
    }

    String encode(byte[] data) {
        if (data.length > MAX_DATA_BYTES) {
            throw new IllegalArgumentException(name + " encoding is limited to " + MAX_DATA_BYTES
                    + " bytes, got " + data.length);
        }
        int zeros = 0;
        while (zeros < data.length && data[zeros] == 0) {
            zeros++;
        }
        int n = data.length - zeros;
        // Magnitude as big-endian 32-bit words.
        int words = (n + 3) / 4;
        int[] magnitude = new int[words];
        for (int i = 0; i < n; i++) {
            int fromEnd = n - 1 - i;
            int word = words - 1 - fromEnd / 4;
            magnitude[word] |= (data[zeros + i] & 0xFF) << (8 * (fromEnd % 4));
        }
        // Digits, least significant first.
        char[] digits = new char[n * 2 + chunkDigits];
        int count = 0;
        int top = 0;
        while (top < words) {
            long remainder = 0;
            for (int i = top; i < words; i++) {
                long current = (remainder << 32) | (magnitude[i] & UNSIGNED_INT);
                magnitude[i] = (int) (current / chunkBase);
                remainder = current % chunkBase;
            }
            while (top < words && magnitude[top] == 0) {
                top++;
            }
            for (int d = 0; d < chunkDigits; d++) {
                digits[count++] = alphabet[(int) (remainder % radix)];
                remainder /= radix;
            }
        }
        while (count > 0 && digits[count - 1] == alphabet[0]) {
            count--;
        }
        StringBuilder out = new StringBuilder(zeros + count);
        for (int i = 0; i < zeros; i++) {
            out.append(alphabet[0]);
        }
        for (int i = count - 1; i >= 0; i--) {
            out.append(digits[i]);
        }
        return out.toString();
    }

    byte[] decode(CharSequence text) {
        int length = text.length();
        if (length > MAX_TEXT_CHARS) {
            throw new InvalidMultibaseException(name + " input is limited to " + MAX_TEXT_CHARS
                    + " characters, got " + length);
        }
        int zeros = 0;
        while (zeros < length && digitAt(text, zeros) == 0) {
            zeros++;
        }
        int remaining = length - zeros;
        // Magnitude as little-endian 32-bit limbs.
        int[] limbs = new int[(int) (remaining * (Math.log(radix) / Math.log(2)) / 32) + 2];
        int used = 0;
        int index = zeros;
        int firstChunk = remaining % chunkDigits == 0 ? chunkDigits : remaining % chunkDigits;
        int chunk = firstChunk;
        while (index < length) {
            long value = 0;
            long multiplier = 1;
            for (int d = 0; d < chunk; d++) {
                value = value * radix + digitAt(text, index + d);
                multiplier *= radix;
            }
            index += chunk;
            chunk = chunkDigits;
            long carry = value;
            for (int i = 0; i < used; i++) {
                long current = (limbs[i] & UNSIGNED_INT) * multiplier + carry;
                limbs[i] = (int) current;
                carry = current >>> 32;
            }
            if (carry != 0) {
                limbs[used++] = (int) carry;
            }
        }
        int significant = used * 4;
        while (significant > 0 && byteOf(limbs, significant - 1) == 0) {
            significant--;
        }
        byte[] out = new byte[zeros + significant];
        for (int i = 0; i < significant; i++) {
            out[zeros + i] = (byte) byteOf(limbs, significant - 1 - i);
        }
        return out;
    }

    private static int byteOf(int[] limbs, int byteIndex) {
        return (limbs[byteIndex / 4] >>> (8 * (byteIndex % 4))) & 0xFF;
    }

    private int digitAt(CharSequence text, int index) {
        char c = text.charAt(index);
        int digit = c < 128 ? lookup[c] : -1;
        if (digit < 0) {
            throw new InvalidMultibaseException("invalid " + name + " character "
                    + describe(c) + " at index " + index);
        }
        return digit;
    }

    static String describe(char c) {
        if (c >= 0x20 && c < 0x7F) {
            return "'" + c + "'";
        }
        return String.format("U+%04X", (int) c);
    }
}
