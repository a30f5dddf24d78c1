package org.lotusia.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import org.lotusia.libp2p.multiformats.MultiformatException;
import org.lotusia.libp2p.multiformats.Varint;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes and decodes multistream-select messages: {@code uvarint(len) || utf8(text) || '\n'}, where
 * {@code len} counts the text and the newline. Stateless; all methods are thread-safe.
 *
 * <p>Decoding follows the js-libp2p listener: the length prefix is at most
 * {@value #MAX_LENGTH_PREFIX_BYTES} bytes, a message may be at most {@value #MAX_MESSAGE_LENGTH}
 * bytes, must end with {@code '\n'}, and its text has trailing whitespace removed. Invalid UTF-8 is
 * replaced (as a JavaScript {@code TextDecoder} does) rather than rejected, so such a proposal is
 * simply unsupported.
 */
public final class MultistreamCodec {
    /** The protocol id and header message of multistream-select 1.0. */
    public static final String PROTOCOL_ID = "/multistream/1.0.0";
    /** The listener's reply to a protocol it does not support. */
    public static final String NA = "na";
    /** The request for the listener's protocol list. */
    public static final String LS = "ls";
    /** Largest accepted message, in bytes, counting the trailing newline (js {@code MAX_PROTOCOL_LENGTH}). */
    public static final int MAX_MESSAGE_LENGTH = 1024;
    /** Longest accepted length prefix, in bytes (enough for {@link #MAX_MESSAGE_LENGTH}). */
    public static final int MAX_LENGTH_PREFIX_BYTES = 2;

    private static final int MAX_SHOWN_CHARS = 64;

    private MultistreamCodec() {
    }

    /**
     * Checks that {@code protocolId} can be sent as one message: not empty, no newline, no trailing
     * whitespace (the receiver would strip it) and at most {@code MAX_MESSAGE_LENGTH - 1} UTF-8 bytes.
     *
     * @throws IllegalArgumentException when it cannot
     */
    public static void checkProtocolId(String protocolId) {
        if (protocolId == null || protocolId.isEmpty()) {
            throw new IllegalArgumentException("protocol id must not be empty");
        }
        if (protocolId.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("protocol id must not contain a newline: " + show(protocolId));
        }
        if (Character.isWhitespace(protocolId.charAt(protocolId.length() - 1))) {
            throw new IllegalArgumentException("protocol id must not end with whitespace: " + show(protocolId));
        }
        if (ByteBufUtil.utf8Bytes(protocolId) + 1 > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("protocol id longer than " + (MAX_MESSAGE_LENGTH - 1)
                    + " UTF-8 bytes: " + show(protocolId));
        }
    }

    /**
     * Appends one message carrying {@code text} to {@code out}.
     *
     * @throws IllegalArgumentException when {@code text} contains a newline or the message would be
     *                                  longer than {@link #MAX_MESSAGE_LENGTH}
     */
    public static void writeMessage(ByteBuf out, String text) {
        if (text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("message must not contain a newline: " + show(text));
        }
        int length = ByteBufUtil.utf8Bytes(text) + 1;
        if (length > MAX_MESSAGE_LENGTH) {
            throw new IllegalArgumentException("message longer than " + MAX_MESSAGE_LENGTH + " bytes: " + show(text));
        }
        Varint.write(length, out);
        ByteBufUtil.writeUtf8(out, text);
        out.writeByte('\n');
    }

    /** Allocates a buffer holding one message per entry of {@code texts}, in order. */
    public static ByteBuf encode(ByteBufAllocator alloc, String... texts) {
        ByteBuf out = alloc.buffer();
        try {
            for (String text : texts) {
                writeMessage(out, text);
            }
            return out;
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /**
     * Appends the reply to {@code ls}: a single message whose body is one nested message per protocol
     * followed by {@code '\n'}, i.e. {@code uvarint(len(body)) || Σ(uvarint(len(p)+1) || p || '\n') || '\n'}.
     * Note that js dialers reject a reply longer than {@link #MAX_MESSAGE_LENGTH} bytes; the reply is
     * written regardless, since truncating it would be worse.
     */
    public static void writeLsResponse(ByteBuf out, List<String> protocols) {
        int bodyLength = 1;
        for (String p : protocols) {
            int itemLength = ByteBufUtil.utf8Bytes(p) + 1;
            bodyLength += Varint.encodedLength(itemLength) + itemLength;
        }
        Varint.write(bodyLength, out);
        for (String p : protocols) {
            Varint.write(ByteBufUtil.utf8Bytes(p) + 1, out);
            ByteBufUtil.writeUtf8(out, p);
            out.writeByte('\n');
        }
        out.writeByte('\n');
    }

    /**
     * Reads one message from {@code in} if it is complete.
     *
     * @return the message text without its newline and trailing whitespace, or {@code null} when
     *         more bytes are needed (then {@code in} is left untouched)
     * @throws MultistreamException when the bytes cannot be a valid message; how far {@code in} was
     *                              read is then unspecified
     */
    public static String readMessage(ByteBuf in) {
        int start = in.readerIndex();
        int frameLength = frameLength(in);
        if (frameLength < 0) {
            return null;
        }
        int bodyStart = in.readerIndex();
        in.skipBytes(frameLength);
        if (frameLength == 0 || in.getByte(bodyStart + frameLength - 1) != '\n') {
            throw new MultistreamException(MultistreamException.Reason.MISSING_NEWLINE,
                    "multistream message of " + frameLength + " bytes does not end with a newline: "
                            + show(in.toString(start, in.readerIndex() - start, StandardCharsets.UTF_8)));
        }
        return trimEnd(in.toString(bodyStart, frameLength - 1, StandardCharsets.UTF_8));
    }

    /**
     * Reads the length prefix, checks it and leaves {@code in} after the prefix when the whole body is
     * there; otherwise leaves {@code in} untouched and returns -1.
     */
    private static int frameLength(ByteBuf in) {
        int start = in.readerIndex();
        long length;
        try {
            length = Varint.tryDecode(in, MAX_LENGTH_PREFIX_BYTES);
        } catch (MultiformatException e) {
            throw new MultistreamException(MultistreamException.Reason.INVALID_LENGTH_PREFIX,
                    "invalid multistream length prefix " + ByteBufUtil.hexDump(in, start,
                            Math.min(in.writerIndex() - start, MAX_LENGTH_PREFIX_BYTES + 1)), e);
        }
        if (length < 0) {
            return -1;
        }
        if (length > MAX_MESSAGE_LENGTH) {
            throw new MultistreamException(MultistreamException.Reason.MESSAGE_TOO_LONG,
                    "multistream message of " + length + " bytes exceeds the limit of " + MAX_MESSAGE_LENGTH);
        }
        if (in.readableBytes() < length) {
            in.readerIndex(start);
            return -1;
        }
        return (int) length;
    }

    private static String trimEnd(String s) {
        int end = s.length();
        while (end > 0 && isJsWhitespace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Whitespace as JavaScript's {@code String.prototype.trimEnd} understands it. */
    private static boolean isJsWhitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\uFEFF';
    }

    /** Renders untrusted text for an error message: quoted, control characters escaped, shortened. */
    static String show(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_SHOWN_CHARS) + 8).append('\'');
        for (int i = 0; i < text.length(); i++) {
            if (i == MAX_SHOWN_CHARS) {
                sb.append("...(").append(text.length()).append(" chars)");
                break;
            }
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\'' || c == '\\') {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }
}
