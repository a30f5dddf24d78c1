// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.nio.charset.StandardCharsets;

/** Pooled direct copies: unlike unpooled heap buffers, the leak detector tracks these. */
final class TestBufs {
    private TestBufs() {
    }

    static ByteBuf pooled(byte[] bytes) {
        return pooled(bytes, 0, bytes.length);
    }

    static ByteBuf pooled(byte[] bytes, int offset, int length) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(length);
        b.writeBytes(bytes, offset, length);
        return b;
    }

    static ByteBuf pooled(String ascii) {
        return pooled(ascii.getBytes(StandardCharsets.US_ASCII));
    }
}
