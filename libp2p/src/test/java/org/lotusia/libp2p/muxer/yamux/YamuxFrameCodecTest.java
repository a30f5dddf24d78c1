// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

@ExtendWith(LeakDetectionExtension.class)
class YamuxFrameCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Collects decoder output as whole frames (payload chunks joined). */
    static final class Collector implements YamuxFrameDecoder.Sink {
        final List<Frame> frames = new ArrayList<>();
        private int type;
        private int flags;
        private long stream;
        private long length;
        private final ByteBuf payload = Unpooled.buffer();
        int chunks;

        @Override
        public boolean onFrame(int type, int flags, int streamId, int length) {
            if (type != YamuxFrameHeader.TYPE_DATA) {
                frames.add(new Frame(type, flags, Integer.toUnsignedLong(streamId), Integer.toUnsignedLong(length),
                        new byte[0]));
                return false;
            }
            this.type = type;
            this.flags = flags;
            this.stream = Integer.toUnsignedLong(streamId);
            this.length = Integer.toUnsignedLong(length);
            return true;
        }

        @Override
        public void onData(ByteBuf chunk) {
            chunks++;
            payload.writeBytes(chunk);
            chunk.release();
        }

        @Override
        public void onDataEnd() {
            frames.add(new Frame(type, flags, stream, length, ByteBufUtil.getBytes(payload)));
            payload.clear();
        }

        void release() {
            payload.release();
        }
    }

    static List<Frame> decode(byte[] bytes, int... splits) {
        YamuxFrameDecoder decoder = new YamuxFrameDecoder(16 << 20);
        Collector c = new Collector();
        try {
            int off = 0;
            for (int split : splits) {
                feed(decoder, c, bytes, off, split - off);
                off = split;
            }
            feed(decoder, c, bytes, off, bytes.length - off);
            assertThat(decoder.isMidFrame()).isFalse();
            return c.frames;
        } finally {
            c.release();
        }
    }

    private static void feed(YamuxFrameDecoder d, Collector c, byte[] bytes, int off, int len) {
        ByteBuf in = Unpooled.copiedBuffer(bytes, off, len);
        try {
            d.decode(in, c);
            assertThat(in.isReadable()).isFalse();
        } finally {
            in.release();
        }
    }

    @Test
    void encodesJsFirstFramesExactly() {
        // interop-notes §0.1: Ping SYN id 0, WindowUpdate SYN stream 2, Data stream 2 with 36 bytes.
        ByteBuf out = Unpooled.buffer();
        new YamuxFrameHeader(YamuxFrameHeader.TYPE_PING, YamuxFrameHeader.FLAG_SYN, 0, 0).encode(out);
        new YamuxFrameHeader(YamuxFrameHeader.TYPE_WINDOW_UPDATE, YamuxFrameHeader.FLAG_SYN, 2, 0).encode(out);
        new YamuxFrameHeader(YamuxFrameHeader.TYPE_DATA, 0, 2, 0x24).encode(out);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(
                "000200010000000000000000" + "000100010000000200000000" + "000000000000000200000024");
        out.release();
    }

    @Test
    void decodesJsFirstFramesExactly() {
        byte[] mss = "\u0013/multistream/1.0.0\n\u000f/ipfs/id/1.0.0\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(mss).hasSize(0x24);
        byte[] wire = HEX.parseHex("000200010000000000000000" + "000100010000000200000000"
                + "000000000000000200000024" + HEX.formatHex(mss));
        assertThat(decode(wire)).containsExactly(
                Frame.ping(Frame.SYN, 0),
                Frame.windowUpdate(Frame.SYN, 2, 0),
                Frame.data(0, 2, mss));
    }

    @Test
    void headerRecordRoundTripsUnsignedFields() {
        YamuxFrameHeader h = new YamuxFrameHeader(YamuxFrameHeader.TYPE_GO_AWAY, 0xFFFF, 0xFFFF_FFFFL, 0xFFFF_FFFEL);
        ByteBuf buf = Unpooled.buffer();
        h.encode(buf);
        assertThat(ByteBufUtil.hexDump(buf)).isEqualTo("0003" + "ffff" + "ffffffff" + "fffffffe");
        assertThat(YamuxFrameHeader.decode(buf)).isEqualTo(h);
        buf.release();
        assertThat(h.toString()).contains("GO_AWAY", "SYN", "RST", "stream=4294967295");
        assertThatThrownBy(() -> new YamuxFrameHeader(0, 0, -1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new YamuxFrameHeader(256, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void payloadIsHandedOnAsSlicesWithoutWaitingForTheWholeFrame() {
        YamuxFrameDecoder decoder = new YamuxFrameDecoder(16 << 20);
        Collector c = new Collector();
        byte[] payload = new byte[100_000];
        new Random(1).nextBytes(payload);
        byte[] wire = Frame.data(Frame.FIN, 7, payload).encode();
        feed(decoder, c, wire, 0, 50_000);
        assertThat(c.chunks).isEqualTo(1);
        assertThat(c.frames).isEmpty();
        assertThat(decoder.isMidFrame()).isTrue();
        feed(decoder, c, wire, 50_000, wire.length - 50_000);
        assertThat(c.chunks).isEqualTo(2);
        assertThat(c.frames).containsExactly(Frame.data(Frame.FIN, 7, payload));
        c.release();
    }

    @Test
    void unwantedPayloadIsSkipped() {
        YamuxFrameDecoder decoder = new YamuxFrameDecoder(16 << 20);
        List<String> events = new ArrayList<>();
        YamuxFrameDecoder.Sink sink = new YamuxFrameDecoder.Sink() {
            @Override
            public boolean onFrame(int type, int flags, int streamId, int length) {
                events.add("frame " + type + " " + streamId);
                return false;
            }

            @Override
            public void onData(ByteBuf chunk) {
                chunk.release();
                throw new AssertionError("payload was not wanted");
            }

            @Override
            public void onDataEnd() {
                events.add("end");
            }
        };
        ByteBuf in = Unpooled.wrappedBuffer(Frame.concat(Frame.data(0, 3, new byte[10]), Frame.ping(Frame.SYN, 5)));
        decoder.decode(in, sink);
        in.release();
        assertThat(events).containsExactly("frame 0 3", "end", "frame 2 0");
    }

    @Test
    void rejectsBadVersion() {
        byte[] wire = Frame.ping(Frame.SYN, 1).encode();
        wire[0] = 1;
        assertProtocolError(wire, "version");
    }

    @Test
    void rejectsUnknownType() {
        byte[] wire = new Frame(4, 0, 0, 0, new byte[0]).encode();
        assertProtocolError(wire, "unknown yamux frame type 4");
    }

    @Test
    void rejectsSessionFramesOnStreamsAndStreamFramesOnSession() {
        assertProtocolError(Frame.data(0, 0, new byte[1]).encode(), "DATA frame on stream 0");
        assertProtocolError(Frame.windowUpdate(0, 0, 5).encode(), "WINDOW_UPDATE frame on stream 0");
        assertProtocolError(new Frame(Frame.PING, Frame.SYN, 1, 0, new byte[0]).encode(), "PING frame on stream 1");
        assertProtocolError(new Frame(Frame.GO_AWAY, 0, 3, 0, new byte[0]).encode(), "GO_AWAY frame on stream 3");
    }

    @Test
    void rejectsOversizedDataBeforeReadingIt() {
        byte[] header = HEX.parseHex("0000000000000001ffffffff");
        assertProtocolError(header, "exceeds");
    }

    @Test
    void stopsForGoodAfterAnError() {
        YamuxFrameDecoder decoder = new YamuxFrameDecoder(1024);
        Collector c = new Collector();
        ByteBuf bad = Unpooled.wrappedBuffer(new Frame(9, 0, 0, 0, new byte[0]).encode());
        assertThatThrownBy(() -> decoder.decode(bad, c)).isInstanceOf(YamuxException.class);
        bad.release();
        ByteBuf good = Unpooled.wrappedBuffer(Frame.ping(Frame.SYN, 1).encode());
        decoder.decode(good, c);
        good.release();
        assertThat(c.frames).isEmpty();
        c.release();
    }

    private static void assertProtocolError(byte[] wire, String message) {
        YamuxFrameDecoder decoder = new YamuxFrameDecoder(16 << 20);
        Collector c = new Collector();
        ByteBuf in = Unpooled.wrappedBuffer(wire);
        try {
            assertThatThrownBy(() -> decoder.decode(in, c))
                    .isInstanceOf(YamuxException.class)
                    .hasMessageContaining(message)
                    .satisfies(e -> assertThat(((YamuxException) e).code()).isEqualTo(GoAwayCode.PROTOCOL_ERROR));
        } finally {
            in.release();
            c.release();
        }
    }

    @Test
    void writerCoalescesHeadersAndKeepsPayloadOrder() {
        YamuxFrameWriter w = new YamuxFrameWriter(ByteBufAllocator.DEFAULT);
        w.header(YamuxFrameHeader.TYPE_PING, YamuxFrameHeader.FLAG_ACK, 0, 9);
        w.header(YamuxFrameHeader.TYPE_WINDOW_UPDATE, YamuxFrameHeader.FLAG_SYN, 1, 0);
        w.header(YamuxFrameHeader.TYPE_DATA, 0, 1, 5);
        w.payload(Unpooled.copiedBuffer(new byte[] {1, 2}));
        w.payload(Unpooled.copiedBuffer(new byte[] {3, 4, 5}));
        for (int i = 0; i < 200; i++) { // crosses several header chunks
            w.header(YamuxFrameHeader.TYPE_WINDOW_UPDATE, 0, 1, i);
        }
        assertThat(w.pendingBytes()).isEqualTo(12 * 203 + 5);
        ByteBuf out = w.take();
        List<Frame> frames = Frame.parse(out);
        out.release();
        assertThat(frames).hasSize(203);
        assertThat(frames.get(0)).isEqualTo(Frame.ping(Frame.ACK, 9));
        assertThat(frames.get(1)).isEqualTo(Frame.windowUpdate(Frame.SYN, 1, 0));
        assertThat(frames.get(2)).isEqualTo(Frame.data(0, 1, new byte[] {1, 2, 3, 4, 5}));
        assertThat(frames.get(202)).isEqualTo(Frame.windowUpdate(0, 1, 199));
        assertThat(w.take()).isNull();
        w.payload(Unpooled.copiedBuffer(new byte[] {1}));
        w.release();
        w.payload(Unpooled.copiedBuffer(new byte[] {1})); // dropped and released after release()
        w.release();
    }
}
