// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer.yamux;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.lotusia.libp2p.muxer.yamux.YamuxFrameCodecTest.Collector;

/** Property tests of the frame codec: round trips, arbitrary splitting, garbage input. */
class YamuxFrameCodecPropertyTest {

    @Provide
    Arbitrary<Frame> frames() {
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, 0xFFFF);
        Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
        Arbitrary<Long> stream = Arbitraries.longs().between(1, 0xFFFF_FFFFL);
        Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<Frame> data = Combinators.combine(flags, stream, payload).as((f, s, p) -> Frame.data(f, s, p));
        Arbitrary<Frame> wu = Combinators.combine(flags, stream, u32).as(Frame::windowUpdate);
        Arbitrary<Frame> ping = Combinators.combine(flags, u32).as(Frame::ping);
        Arbitrary<Frame> goAway = u32.map(Frame::goAway);
        return Arbitraries.oneOf(data, wu, ping, goAway);
    }

    @Property(tries = 300)
    void decodesAnySequenceSplitAnywhere(@ForAll @Size(max = 12) List<@From("frames") Frame> frames,
            @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 10_000) Integer> cuts) {
        byte[] wire = Frame.concat(frames.toArray(new Frame[0]));
        int[] splits = cuts.stream().mapToInt(c -> c % (wire.length + 1)).sorted().distinct().toArray();
        assertThat(YamuxFrameCodecTest.decode(wire, splits)).isEqualTo(frames);
    }

    @Property(tries = 300)
    void headerEncodeDecodeRoundTrip(@ForAll @IntRange(min = 0, max = 3) int type,
            @ForAll @IntRange(min = 0, max = 0xFFFF) int flags,
            @ForAll("u32") long streamId, @ForAll("u32") long length) {
        YamuxFrameHeader h = new YamuxFrameHeader(type, flags, streamId, length);
        ByteBuf buf = Unpooled.buffer(12);
        h.encode(buf);
        assertThat(buf.readableBytes()).isEqualTo(12);
        assertThat(buf.getByte(0)).isZero();
        assertThat(YamuxFrameHeader.decode(buf)).isEqualTo(h);
        buf.release();
    }

    @Provide
    Arbitrary<Long> u32() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    @Property(tries = 500)
    void randomBytesEitherDecodeOrFailWithYamuxException(@ForAll @Size(max = 64) byte[] junk) {
        YamuxFrameDecoder decoder = new YamuxFrameDecoder(1 << 20);
        Collector c = new Collector();
        ByteBuf in = Unpooled.wrappedBuffer(junk);
        try {
            decoder.decode(in, c);
        } catch (YamuxException expected) {
            assertThat(expected.code()).isEqualTo(GoAwayCode.PROTOCOL_ERROR);
        } finally {
            in.release();
            c.release();
        }
    }
}
