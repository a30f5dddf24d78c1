// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Test data and write helpers shared by the muxer tests. */
public final class StreamTestData {
    private StreamTestData() {
    }

    /** Pooled direct copy (tracked by the leak detector, unlike unpooled heap buffers). */
    public static ByteBuf buf(byte[] bytes, int off, int len) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(len);
        b.writeBytes(bytes, off, len);
        return b;
    }

    public static ByteBuf buf(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return buf(b, 0, b.length);
    }

    /** Deterministic random bytes. */
    public static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} in chunks and then half-closes, all on the stream's event loop. */
    public static void writeAllAndFin(StreamChannel s, byte[] data, int chunk) {
        s.eventLoop().execute(() -> {
            for (int off = 0; off < data.length; off += chunk) {
                s.write(buf(data, off, Math.min(chunk, data.length - off)));
            }
            s.flush();
            s.closeWrite();
        });
    }
}
