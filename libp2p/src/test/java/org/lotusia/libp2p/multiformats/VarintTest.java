package org.lotusia.libp2p.multiformats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VarintTest {

    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest
    @CsvSource({
        "0, 00",
        "1, 01",
        "127, 7f",
        "128, 8001",
        "255, ff01",
        "300, ac02",
        "16384, 808001",
        "421, a503",
        "9007199254740991, ffffffffffffff0f",
        "9223372036854775807, ffffffffffffffff7f",
    })
    void encodesAndDecodesKnownValues(long value, String hex) {
        byte[] bytes = HEX.parseHex(hex);
        assertThat(Varint.encode(value)).isEqualTo(bytes);
        assertThat(Varint.encodedLength(value)).isEqualTo(bytes.length);
        assertThat(Varint.decode(bytes)).isEqualTo(value);
    }

    @Test
    void writeIntoArrayReturnsBytesWritten() {
        byte[] out = new byte[6];
        assertThat(Varint.write(300, out, 2)).isEqualTo(2);
        assertThat(out).isEqualTo(HEX.parseHex("0000ac020000"));
        assertThatThrownBy(() -> Varint.write(300, new byte[1], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void writeIntoByteBuf() {
        ByteBuf buf = Unpooled.buffer();
        try {
            Varint.write(16384, buf);
            Varint.write(0, buf);
            assertThat(ByteBufUtilHex.hex(buf)).isEqualTo("80800100");
        } finally {
            buf.release();
        }
    }

    @Test
    void negativeValuesCannotBeEncoded() {
        assertThatThrownBy(() -> Varint.encode(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("18446744073709551615");
        ByteBuf buf = Unpooled.buffer();
        try {
            assertThatThrownBy(() -> Varint.write(Long.MIN_VALUE, buf))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(buf.readableBytes()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void decodeFromByteBufferAdvancesPosition() {
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("ac0201ff"));
        assertThat(Varint.decode(in)).isEqualTo(300);
        assertThat(in.position()).isEqualTo(2);
        assertThat(Varint.decode(in)).isEqualTo(1);
        assertThat(in.position()).isEqualTo(3);
        assertThatThrownBy(() -> Varint.decode(in)).isInstanceOf(InvalidVarintException.class)
                .hasMessageContaining("truncated");
        assertThat(in.position()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8100", "808000", "ff00", "ffffffffffffffff00"})
    void rejectsNonMinimalEncodings(String hex) {
        assertThatThrownBy(() -> Varint.decode(HEX.parseHex(hex)))
                .isInstanceOf(InvalidVarintException.class)
                .hasMessageContaining("non-minimal");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "80", "ff", "8080", "ffffffffffffffff"})
    void rejectsTruncatedEncodings(String hex) {
        assertThatThrownBy(() -> Varint.decode(HEX.parseHex(hex)))
                .isInstanceOf(InvalidVarintException.class)
                .hasMessageContaining("truncated");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ffffffffffffffff8001", "80808080808080808001", "ffffffffffffffffff7f"})
    void rejectsEncodingsLongerThanNineBytes(String hex) {
        assertThatThrownBy(() -> Varint.decode(HEX.parseHex(hex)))
                .isInstanceOf(InvalidVarintException.class)
                .hasMessageContaining("longer than 9 bytes");
    }

    @Test
    void wholeArrayDecodeRejectsTrailingBytes() {
        assertThatThrownBy(() -> Varint.decode(HEX.parseHex("0100")))
                .isInstanceOf(InvalidVarintException.class)
                .hasMessageContaining("1 trailing byte");
    }

    @Test
    void tryDecodeReturnsMinusOneWhenMoreBytesAreNeeded() {
        ByteBuf buf = Unpooled.buffer();
        try {
            buf.writeByte(0x80);
            assertThat(Varint.tryDecode(buf, 9)).isEqualTo(-1);
            assertThat(buf.readerIndex()).isZero();
            buf.writeByte(0x80);
            assertThat(Varint.tryDecode(buf, 9)).isEqualTo(-1);
            buf.writeByte(0x01);
            buf.writeByte(0x05);
            assertThat(Varint.tryDecode(buf, 9)).isEqualTo(16384);
            assertThat(buf.readerIndex()).isEqualTo(3);
            assertThat(Varint.tryDecode(buf, 1)).isEqualTo(5);
            assertThat(Varint.tryDecode(buf, 1)).isEqualTo(-1);
        } finally {
            buf.release();
        }
    }

    @Test
    void tryDecodeEnforcesMaxBytes() {
        ByteBuf buf = Unpooled.wrappedBuffer(HEX.parseHex("808001"));
        try {
            assertThatThrownBy(() -> Varint.tryDecode(buf, 2))
                    .isInstanceOf(InvalidVarintException.class)
                    .hasMessageContaining("longer than 2 bytes");
            assertThat(buf.readerIndex()).isZero();
            assertThat(Varint.tryDecode(buf, 3)).isEqualTo(16384);
            assertThatThrownBy(() -> Varint.tryDecode(buf, 0))
                    .isInstanceOf(IllegalArgumentException.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void tryDecodeRejectsNonMinimalAndOverlong() {
        ByteBuf nonMinimal = Unpooled.wrappedBuffer(HEX.parseHex("8100"));
        ByteBuf overlong = Unpooled.wrappedBuffer(HEX.parseHex("ffffffffffffffffff01"));
        try {
            assertThatThrownBy(() -> Varint.tryDecode(nonMinimal, 9))
                    .isInstanceOf(InvalidVarintException.class);
            assertThat(nonMinimal.readerIndex()).isZero();
            assertThatThrownBy(() -> Varint.tryDecode(overlong, 100))
                    .isInstanceOf(InvalidVarintException.class)
                    .hasMessageContaining("longer than 9 bytes");
        } finally {
            nonMinimal.release();
            overlong.release();
        }
    }

    /** Tiny hex helper so the test does not depend on ByteBufUtil's formatting. */
    static final class ByteBufUtilHex {
        static String hex(ByteBuf buf) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), bytes);
            return HEX.formatHex(bytes);
        }
    }
}
