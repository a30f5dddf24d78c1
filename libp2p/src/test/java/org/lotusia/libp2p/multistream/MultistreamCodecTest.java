package org.lotusia.libp2p.multistream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.lotusia.libp2p.multistream.Wire.hex;

@ExtendWith(LeakDetectionExtension.class)
class MultistreamCodecTest {

    private static String encodeHex(String... texts) {
        ByteBuf buf = MultistreamCodec.encode(UnpooledByteBufAllocator.DEFAULT, texts);
        try {
            return ByteBufUtil.hexDump(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void exactBytesOfWellKnownMessages() {
        assertThat(encodeHex("/multistream/1.0.0")).isEqualTo("13" + "2f6d756c746973747265616d2f312e302e30" + "0a");
        assertThat(encodeHex("/noise")).isEqualTo("07" + "2f6e6f697365" + "0a");
        assertThat(encodeHex("na")).isEqualTo("03" + "6e61" + "0a");
        assertThat(encodeHex("/yamux/1.0.0")).isEqualTo("0d" + "2f79616d75782f312e302e30" + "0a");
        assertThat(encodeHex("/multistream/1.0.0", "/noise"))
                .isEqualTo("132f6d756c746973747265616d2f312e302e300a" + "072f6e6f6973650a");
    }

    @Test
    void lsResponseIsOneFrameOfNestedFramesEndingWithNewline() {
        ByteBuf out = Unpooled.buffer();
        try {
            MultistreamCodec.writeLsResponse(out, List.of("/noise", "/yamux/1.0.0"));
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo(
                    "17" + "07" + "2f6e6f697365" + "0a" + "0d" + "2f79616d75782f312e302e30" + "0a" + "0a");
            out.clear();
            MultistreamCodec.writeLsResponse(out, List.of());
            assertThat(ByteBufUtil.hexDump(out)).isEqualTo("010a");
        } finally {
            out.release();
        }
    }

    @Test
    void longMessagesUseTwoByteLengthPrefix() {
        String p = "/" + "a".repeat(1022); // 1023 bytes + '\n' = 1024 = 0x80 0x08
        ByteBuf buf = MultistreamCodec.encode(UnpooledByteBufAllocator.DEFAULT, p);
        try {
            assertThat(buf.readableBytes()).isEqualTo(2 + 1024);
            assertThat((int) buf.getUnsignedByte(0)).isEqualTo(0x80);
            assertThat((int) buf.getUnsignedByte(1)).isEqualTo(0x08);
            assertThat(MultistreamCodec.readMessage(buf)).isEqualTo(p);
            assertThat(buf.isReadable()).isFalse();
        } finally {
            buf.release();
        }
    }

    @Test
    void readsConsecutiveMessagesAndLeavesTheRest() {
        ByteBuf buf = Unpooled.wrappedBuffer(hex("07 2f6e6f697365 0a 03 6e61 0a ff ee"));
        try {
            assertThat(MultistreamCodec.readMessage(buf)).isEqualTo("/noise");
            assertThat(MultistreamCodec.readMessage(buf)).isEqualTo("na");
            assertThat(ByteBufUtil.hexDump(buf)).isEqualTo("ffee");
        } finally {
            buf.release();
        }
    }

    @Test
    void incompleteMessageReturnsNullWithoutConsuming() {
        byte[] whole = hex("07 2f6e6f697365 0a");
        for (int n = 0; n < whole.length; n++) {
            ByteBuf buf = Unpooled.wrappedBuffer(whole, 0, n);
            try {
                assertThat(MultistreamCodec.readMessage(buf)).as("prefix of %d bytes", n).isNull();
                assertThat(buf.readerIndex()).isZero();
            } finally {
                buf.release();
            }
        }
        ByteBuf partialPrefix = Unpooled.wrappedBuffer(hex("80"));
        try {
            assertThat(MultistreamCodec.readMessage(partialPrefix)).isNull();
            assertThat(partialPrefix.readerIndex()).isZero();
        } finally {
            partialPrefix.release();
        }
    }

    @Test
    void trailingWhitespaceIsTrimmedLikeJs() {
        ByteBuf buf = Unpooled.wrappedBuffer(hex("09 2f6e6f697365 20 0d 0a"));
        try {
            assertThat(MultistreamCodec.readMessage(buf)).isEqualTo("/noise");
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsMessagesOverTheLimitBeforeTheBodyArrives() {
        // 1025 = 0x81 0x08; only the prefix is present.
        ByteBuf buf = Unpooled.wrappedBuffer(hex("81 08"));
        try {
            assertThatThrownBy(() -> MultistreamCodec.readMessage(buf))
                    .isInstanceOfSatisfying(MultistreamException.class,
                            e -> assertThat(e.reason()).isEqualTo(MultistreamException.Reason.MESSAGE_TOO_LONG));
        } finally {
            buf.release();
        }
    }

    @Test
    void rejectsLengthPrefixesLongerThanTwoBytesOrNonMinimal() {
        for (String bad : new String[] {"80 80 01", "ff ff ff 7f", "81 00"}) {
            ByteBuf buf = Unpooled.wrappedBuffer(hex(bad));
            try {
                assertThatThrownBy(() -> MultistreamCodec.readMessage(buf)).as(bad)
                        .isInstanceOfSatisfying(MultistreamException.class,
                                e -> assertThat(e.reason()).isEqualTo(MultistreamException.Reason.INVALID_LENGTH_PREFIX));
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void rejectsMissingNewlineAndEmptyMessage() {
        for (String bad : new String[] {"06 2f6e6f697365", "00", "07 2f6e6f6973650b"}) {
            ByteBuf buf = Unpooled.wrappedBuffer(hex(bad));
            try {
                assertThatThrownBy(() -> MultistreamCodec.readMessage(buf)).as(bad)
                        .isInstanceOfSatisfying(MultistreamException.class,
                                e -> assertThat(e.reason()).isEqualTo(MultistreamException.Reason.MISSING_NEWLINE));
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void invalidUtf8IsReplacedNotRejected() {
        ByteBuf buf = Unpooled.wrappedBuffer(hex("03 ff fe 0a"));
        try {
            assertThat(MultistreamCodec.readMessage(buf)).isEqualTo("\uFFFD\uFFFD");
        } finally {
            buf.release();
        }
    }

    @Test
    void checksProtocolIds() {
        MultistreamCodec.checkProtocolId("/ipfs/ping/1.0.0");
        MultistreamCodec.checkProtocolId("/" + "x".repeat(1022));
        for (String bad : new String[] {"", "/a\n", "/a ", "/" + "x".repeat(1023)}) {
            assertThatThrownBy(() -> MultistreamCodec.checkProtocolId(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> MultistreamCodec.checkProtocolId(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writeRejectsUnencodableText() {
        ByteBuf out = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> MultistreamCodec.writeMessage(out, "a\nb")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> MultistreamCodec.writeMessage(out, "x".repeat(1024)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(out.writerIndex()).isZero();
        } finally {
            out.release();
        }
    }

    @Test
    void showEscapesAndTruncatesUntrustedText() {
        assertThat(MultistreamCodec.show("a\u0001'")).isEqualTo("'a\\x01\\x27'");
        assertThat(MultistreamCodec.show("y".repeat(100))).contains("...(100 chars)");
    }
}
