package org.lotusia.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Byte helpers for multistream tests. */
final class Wire {
    private Wire() {
    }

    static byte[] hex(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** One multistream message (single-byte length prefix; test texts are short). */
    static byte[] msg(String text) {
        byte[] t = ascii(text);
        if (t.length + 1 > 127) {
            throw new IllegalArgumentException("use a longer prefix");
        }
        return concat(new byte[] {(byte) (t.length + 1)}, t, new byte[] {'\n'});
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** Reads and releases one outbound message; null when there is none. */
    static byte[] readOut(EmbeddedChannel ch) {
        ByteBuf buf = ch.readOutbound();
        if (buf == null) {
            return null;
        }
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    /** Reads and releases all outbound messages, concatenated. */
    static byte[] readAllOut(EmbeddedChannel ch) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] b;
        while ((b = readOut(ch)) != null) {
            out.writeBytes(b);
        }
        return out.toByteArray();
    }
}
