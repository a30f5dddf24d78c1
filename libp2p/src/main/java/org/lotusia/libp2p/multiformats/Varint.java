package org.lotusia.libp2p.multiformats;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The multiformats unsigned varint (unsigned LEB128): little-endian groups of 7 bits, the high bit
 * of each byte set when another byte follows.
 *
 * <p>Multiformats rules are enforced: values are in {@code 0 .. 2^63-1}, an encoding is at most
 * {@value #MAX_LENGTH} bytes, and decoders reject non-minimal encodings (a superfluous final
 * {@code 0x00} group such as {@code 81 00} for 1). Encoders always produce the minimal form.
 *
 * <p>Decoding failures throw {@link InvalidVarintException}; passing a negative value to an
 * encoder is a programming error and throws {@link IllegalArgumentException}.
 */
public final class Varint {

    /** Maximum length in bytes of a multiformats varint (9 bytes carry 63 bits). */
    public static final int MAX_LENGTH = 9;

    private Varint() {
    }

    /**
     * Returns the number of bytes the minimal encoding of {@code value} takes (1 to 9).
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static int encodedLength(long value) {
        checkEncodable(value);
        int bits = 64 - Long.numberOfLeadingZeros(value);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    /**
     * Encodes {@code value} into a new array.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static byte[] encode(long value) {
        byte[] out = new byte[encodedLength(value)];
        write(value, out, 0);
        return out;
    }

    /**
     * Writes the encoding of {@code value} into {@code out} starting at {@code offset}.
     *
     * @return the number of bytes written (not the new offset)
     * @throws IllegalArgumentException if {@code value} is negative
     * @throws IndexOutOfBoundsException if the encoding does not fit into {@code out}
     */
    public static int write(long value, byte[] out, int offset) {
        int length = encodedLength(value);
        Objects.checkFromIndexSize(offset, length, out.length);
        long v = value;
        for (int i = 0; i < length - 1; i++) {
            out[offset + i] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[offset + length - 1] = (byte) v;
        return length;
    }

    /**
     * Writes the encoding of {@code value} at the writer index of {@code out}, advancing it.
     *
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static void write(long value, ByteBuf out) {
        checkEncodable(value);
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.writeByte((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.writeByte((int) v);
    }

    /**
     * Decodes one varint starting at the buffer's position and advances the position past it.
     * On failure the position is left unchanged.
     *
     * @throws InvalidVarintException if the varint is truncated, longer than 9 bytes or not minimal
     */
    public static long decode(ByteBuffer in) {
        int start = in.position();
        int available = in.remaining();
        long result = 0;
        for (int i = 0; i < MAX_LENGTH; i++) {
            if (i >= available) {
                throw new InvalidVarintException("truncated varint: input ended after " + i
                        + " byte(s) with the continuation bit set");
            }
            int b = in.get(start + i) & 0xFF;
            result |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new InvalidVarintException("non-minimal varint: " + (i + 1)
                            + "-byte encoding ends with a superfluous 0x00 group");
                }
                in.position(start + i + 1);
                return result;
            }
        }
        throw new InvalidVarintException("varint longer than " + MAX_LENGTH + " bytes");
    }

    /**
     * Decodes an array that must hold exactly one varint and nothing else.
     *
     * @throws InvalidVarintException if the varint is malformed or followed by trailing bytes
     */
    public static long decode(byte[] in) {
        ByteBuffer buffer = ByteBuffer.wrap(in);
        long value = decode(buffer);
        if (buffer.hasRemaining()) {
            throw new InvalidVarintException(buffer.remaining() + " trailing byte(s) after varint "
                    + value + " (the input must hold exactly one varint)");
        }
        return value;
    }

    /**
     * Tries to decode one varint at the reader index of a Netty buffer that may not yet hold all of
     * it, as when reading a length prefix from a stream.
     *
     * @param in the buffer; its reader index is advanced past the varint on success only
     * @param maxBytes the maximum encoded length accepted (values above 9 are treated as 9)
     * @return the decoded value, or {@code -1} if the readable bytes end before the varint does
     *     (the reader index is then unchanged)
     * @throws InvalidVarintException if the varint is not minimal or is longer than
     *     {@code maxBytes} bytes (the reader index is then unchanged)
     * @throws IllegalArgumentException if {@code maxBytes < 1}
     */
    public static long tryDecode(ByteBuf in, int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, got " + maxBytes);
        }
        int limit = Math.min(maxBytes, MAX_LENGTH);
        int start = in.readerIndex();
        int available = in.readableBytes();
        long result = 0;
        for (int i = 0; i < limit; i++) {
            if (i >= available) {
                return -1;
            }
            int b = in.getUnsignedByte(start + i);
            result |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw new InvalidVarintException("non-minimal varint: " + (i + 1)
                            + "-byte encoding ends with a superfluous 0x00 group");
                }
                in.readerIndex(start + i + 1);
                return result;
            }
        }
        throw new InvalidVarintException("varint longer than " + limit + " bytes"
                + (limit < MAX_LENGTH ? " (the caller's limit)" : ""));
    }

    /**
     * Decodes a varint that must not exceed {@code max}, as used for lengths and small codes.
     * The position is unchanged on failure.
     */
    static int decodeBounded(ByteBuffer in, int max, String what) {
        int start = in.position();
        long value = decode(in);
        if (value > max) {
            in.position(start);
            throw new InvalidVarintException(what + " " + value + " exceeds the maximum of " + max);
        }
        return (int) value;
    }

    private static void checkEncodable(long value) {
        if (value < 0) {
            throw new IllegalArgumentException(
                    "varint values must be in 0..2^63-1, got " + Long.toUnsignedString(value));
        }
    }
}
