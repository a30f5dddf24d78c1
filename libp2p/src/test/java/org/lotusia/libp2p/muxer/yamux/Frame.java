// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A whole yamux frame for tests, parsed and built independently of the production codec.
 *
 * @param type     frame type
 * @param flags    flags
 * @param streamId stream id
 * @param length   length field
 * @param payload  Data payload (empty for other types)
 */
record Frame(int type, int flags, long streamId, long length, byte[] payload) {
    static final int DATA = 0;
    static final int WINDOW_UPDATE = 1;
    static final int PING = 2;
    static final int GO_AWAY = 3;
    static final int SYN = 1;
    static final int ACK = 2;
    static final int FIN = 4;
    static final int RST = 8;

    static Frame data(int flags, long streamId, byte[] payload) {
        return new Frame(DATA, flags, streamId, payload.length, payload);
    }

    static Frame windowUpdate(int flags, long streamId, long delta) {
        return new Frame(WINDOW_UPDATE, flags, streamId, delta, new byte[0]);
    }

    static Frame ping(int flags, long value) {
        return new Frame(PING, flags, 0, value, new byte[0]);
    }

    static Frame goAway(long code) {
        return new Frame(GO_AWAY, 0, 0, code, new byte[0]);
    }

    /** Encodes by hand: version 0, BE fields, then the payload. */
    byte[] encode() {
        byte[] out = new byte[12 + payload.length];
        out[0] = 0;
        out[1] = (byte) type;
        out[2] = (byte) (flags >>> 8);
        out[3] = (byte) flags;
        for (int i = 0; i < 4; i++) {
            out[4 + i] = (byte) (streamId >>> (24 - 8 * i));
            out[8 + i] = (byte) (length >>> (24 - 8 * i));
        }
        System.arraycopy(payload, 0, out, 12, payload.length);
        return out;
    }

    ByteBuf toBuf() {
        return Unpooled.wrappedBuffer(encode());
    }

    static byte[] concat(Frame... frames) {
        int n = 0;
        for (Frame f : frames) {
            n += 12 + f.payload.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (Frame f : frames) {
            byte[] e = f.encode();
            System.arraycopy(e, 0, out, off, e.length);
            off += e.length;
        }
        return out;
    }

    /** Parses every complete frame from {@code in}, leaving an incomplete tail in place. */
    static List<Frame> parse(ByteBuf in) {
        List<Frame> frames = new ArrayList<>();
        while (in.readableBytes() >= 12) {
            int idx = in.readerIndex();
            long length = in.getUnsignedInt(idx + 8);
            int type = in.getUnsignedByte(idx + 1);
            int payloadLength = type == DATA ? (int) length : 0;
            if (in.readableBytes() < 12 + payloadLength) {
                break;
            }
            if (in.getUnsignedByte(idx) != 0) {
                throw new AssertionError("version byte " + in.getUnsignedByte(idx));
            }
            int flags = in.getUnsignedShort(idx + 2);
            long stream = in.getUnsignedInt(idx + 4);
            in.skipBytes(12);
            byte[] payload = ByteBufUtil.getBytes(in, in.readerIndex(), payloadLength);
            in.skipBytes(payloadLength);
            frames.add(new Frame(type, flags, stream, length, payload));
        }
        return frames;
    }

    String hexHeader() {
        return HexFormat.of().formatHex(encode(), 0, 12);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.type == type && f.flags == flags && f.streamId == streamId
                && f.length == length && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encode());
    }

    @Override
    public String toString() {
        String[] names = {"DATA", "WINDOW_UPDATE", "PING", "GO_AWAY"};
        String name = type < names.length ? names[type] : "TYPE_" + type;
        StringBuilder sb = new StringBuilder(name).append('(');
        if ((flags & SYN) != 0) {
            sb.append("SYN|");
        }
        if ((flags & ACK) != 0) {
            sb.append("ACK|");
        }
        if ((flags & FIN) != 0) {
            sb.append("FIN|");
        }
        if ((flags & RST) != 0) {
            sb.append("RST|");
        }
        sb.append("stream=").append(streamId).append(", length=").append(length);
        if (payload.length > 0 && payload.length <= 32) {
            sb.append(", payload=").append(HexFormat.of().formatHex(payload));
        }
        return sb.append(')').toString();
    }
}
