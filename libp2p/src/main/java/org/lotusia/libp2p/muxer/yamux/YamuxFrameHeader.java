// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.buffer.ByteBuf;

/**
 * The 12-byte yamux frame header: {@code version u8 | type u8 | flags u16 | streamId u32 | length u32},
 * all big-endian. The unsigned 32-bit fields are held in {@code long}s.
 *
 * <p>{@code length} is the payload size of a Data frame, the window delta of a WindowUpdate, the
 * opaque value of a Ping and the error code of a GoAway.
 *
 * @param type     one of the {@code TYPE_*} constants
 * @param flags    a combination of the {@code FLAG_*} constants
 * @param streamId the stream id, 0 for session frames
 * @param length   the type-specific length field
 */
public record YamuxFrameHeader(int type, int flags, long streamId, long length) {

    /** Size of an encoded header in bytes. */
    public static final int LENGTH = 12;
    /** The only protocol version. */
    public static final int VERSION = 0;

    /** Data frame: {@code length} payload bytes follow the header. */
    public static final int TYPE_DATA = 0;
    /** WindowUpdate frame: grows the stream's send window by {@code length}. */
    public static final int TYPE_WINDOW_UPDATE = 1;
    /** Ping frame on stream 0: {@code length} is an opaque value echoed in the answer. */
    public static final int TYPE_PING = 2;
    /** GoAway frame on stream 0: {@code length} is a {@link GoAwayCode}. */
    public static final int TYPE_GO_AWAY = 3;

    /** Opens a stream, or marks a ping request. */
    public static final int FLAG_SYN = 0x1;
    /** Acknowledges a stream, or marks a ping answer. */
    public static final int FLAG_ACK = 0x2;
    /** Half-closes the sender's side of a stream. */
    public static final int FLAG_FIN = 0x4;
    /** Resets a stream. */
    public static final int FLAG_RST = 0x8;

    private static final long MAX_U32 = 0xFFFF_FFFFL;

    /** Checks that every field fits its wire width. */
    public YamuxFrameHeader {
        if (type < 0 || type > 0xFF || flags < 0 || flags > 0xFFFF) {
            throw new IllegalArgumentException("type or flags out of range");
        }
        if (streamId < 0 || streamId > MAX_U32 || length < 0 || length > MAX_U32) {
            throw new IllegalArgumentException("streamId or length out of range");
        }
    }

    /** Writes the 12 header bytes to {@code out}; the caller keeps ownership of {@code out}. */
    public void encode(ByteBuf out) {
        write(out, type, flags, (int) streamId, (int) length);
    }

    /**
     * Reads a header from the 12 readable bytes at {@code in}'s reader index and advances it. Does not
     * validate the version or type; {@link YamuxFrameDecoder} does. The caller keeps ownership.
     */
    public static YamuxFrameHeader decode(ByteBuf in) {
        if (in.readableBytes() < LENGTH) {
            throw new IllegalArgumentException("need " + LENGTH + " bytes, have " + in.readableBytes());
        }
        in.skipBytes(1);
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedShort();
        long streamId = in.readUnsignedInt();
        long length = in.readUnsignedInt();
        return new YamuxFrameHeader(type, flags, streamId, length);
    }

    /** Writes a header from raw fields; {@code streamId} and {@code length} are unsigned 32-bit values. */
    static void write(ByteBuf out, int type, int flags, int streamId, int length) {
        // version (0) and type in one short, then flags, then the two u32s: 3 bounds checks instead of 5.
        out.writeShort(type);
        out.writeShort(flags);
        out.writeInt(streamId);
        out.writeInt(length);
    }

    /** Returns a readable name of a frame type. */
    static String typeName(int type) {
        return switch (type) {
            case TYPE_DATA -> "DATA";
            case TYPE_WINDOW_UPDATE -> "WINDOW_UPDATE";
            case TYPE_PING -> "PING";
            case TYPE_GO_AWAY -> "GO_AWAY";
            default -> "TYPE_" + type;
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(typeName(type)).append('(');
        if ((flags & FLAG_SYN) != 0) {
            sb.append("SYN|");
        }
        if ((flags & FLAG_ACK) != 0) {
            sb.append("ACK|");
        }
        if ((flags & FLAG_FIN) != 0) {
            sb.append("FIN|");
        }
        if ((flags & FLAG_RST) != 0) {
            sb.append("RST|");
        }
        return sb.append("stream=").append(streamId).append(", length=").append(length).append(')').toString();
    }
}
