package org.lotusia.libp2p.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.UnknownFieldSet;
import java.util.Arrays;
import java.util.Objects;
import org.lotusia.libp2p.crypto.pb.KeysProto;

/**
 * Encodes and strictly decodes the libp2p key protobufs ({@code PublicKey} and {@code PrivateKey}
 * have the same wire shape). Decoding accepts only the canonical encoding that {@link #encode} would
 * produce, so that a key's marshalled bytes, and hence its peer id, are unique.
 */
final class KeyCodec {

    private KeyCodec() {
    }

    /** A decoded key protobuf. */
    record Decoded(KeyType type, byte[] data) {
    }

    /** Encodes {@code Type} then {@code Data}, both always present (proto2 required fields). */
    static byte[] encode(KeyType type, byte[] data) {
        return KeysProto.PublicKey.newBuilder()
                .setType(KeysProto.KeyType.forNumber(type.number()))
                .setData(ByteString.copyFrom(data))
                .build()
                .toByteArray();
    }

    static Decoded decodePublic(byte[] bytes) {
        checkSize(bytes, "public key");
        KeysProto.PublicKey pb;
        try {
            pb = KeysProto.PublicKey.parser().parsePartialFrom(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new KeyFormatException("malformed public key protobuf: " + e.getMessage(), e);
        }
        return finish(pb, pb.hasType() ? pb.getType().getNumber() : -1, pb.hasData() ? pb.getData() : null,
                pb.getUnknownFields(), bytes, "public key");
    }

    static Decoded decodePrivate(byte[] bytes) {
        checkSize(bytes, "private key");
        KeysProto.PrivateKey pb;
        try {
            pb = KeysProto.PrivateKey.parser().parsePartialFrom(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new KeyFormatException("malformed private key protobuf: " + e.getMessage(), e);
        }
        return finish(pb, pb.hasType() ? pb.getType().getNumber() : -1, pb.hasData() ? pb.getData() : null,
                pb.getUnknownFields(), bytes, "private key");
    }

    private static void checkSize(byte[] bytes, String what) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length == 0) {
            throw new KeyFormatException("empty " + what);
        }
        if (bytes.length > Keys.MAX_MARSHALLED_KEY_BYTES) {
            throw new KeyFormatException(what + " protobuf too large: " + bytes.length + " bytes (max "
                    + Keys.MAX_MARSHALLED_KEY_BYTES + ")");
        }
    }

    private static Decoded finish(MessageLite pb, int typeNumber, ByteString data, UnknownFieldSet unknown,
            byte[] input, String what) {
        if (!unknown.asMap().isEmpty()) {
            UnknownFieldSet.Field typeField = unknown.getField(1);
            if (typeNumber < 0 && !typeField.getVarintList().isEmpty()) {
                long n = typeField.getVarintList().get(typeField.getVarintList().size() - 1);
                throw new KeyFormatException("unsupported key type " + n);
            }
            throw new KeyFormatException(what + " protobuf has unknown fields " + unknown.asMap().keySet());
        }
        if (typeNumber < 0) {
            throw new KeyFormatException(what + " protobuf is missing the Type field");
        }
        if (data == null) {
            throw new KeyFormatException(what + " protobuf is missing the Data field");
        }
        KeyType type = KeyType.fromNumber(typeNumber);
        byte[] raw = data.toByteArray();
        if (pb.getSerializedSize() != input.length || !Arrays.equals(encode(type, raw), input)) {
            throw new KeyFormatException(what + " protobuf is not canonically encoded"
                    + " (fields out of order, repeated, or non-minimal varints)");
        }
        return new Decoded(type, raw);
    }
}
