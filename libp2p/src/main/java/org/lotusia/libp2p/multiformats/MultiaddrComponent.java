package org.lotusia.libp2p.multiformats;

import java.util.Arrays;
import java.util.Objects;

/**
 * One immutable multiaddr component: a protocol and its value, e.g. {@code /tcp/4001}.
 *
 * <p>The value is kept in both forms: the binary value ({@link #valueBytes()}, without the length
 * prefix) and the canonical string value ({@link #value()}); protocols without a value have an
 * empty byte array and an empty string. Equality and hash code are defined by the encoded bytes
 * {@code varint(code) [|| varint(length)] || value}.
 */
public final class MultiaddrComponent {

    private static final int MAX_ECHOED_CHARS = 64;

    private final MultiaddrProtocol protocol;
    private final byte[] value;
    private final String text;
    private final byte[] encoded;

    private MultiaddrComponent(MultiaddrProtocol protocol, byte[] value, String text) {
        this.protocol = protocol;
        this.value = value;
        this.text = text;
        int prefix = Varint.encodedLength(protocol.code())
                + (protocol.isVariableSize() ? Varint.encodedLength(value.length) : 0);
        this.encoded = new byte[prefix + value.length];
        int offset = Varint.write(protocol.code(), encoded, 0);
        if (protocol.isVariableSize()) {
            offset += Varint.write(value.length, encoded, offset);
        }
        System.arraycopy(value, 0, encoded, offset, value.length);
    }

    /**
     * Creates a component of a protocol that has no value, e.g. {@code /tls}.
     *
     * @throws InvalidMultiaddrException if the protocol requires a value
     */
    public static MultiaddrComponent of(MultiaddrProtocol protocol) {
        Objects.requireNonNull(protocol, "protocol");
        if (protocol.hasValue()) {
            throw new InvalidMultiaddrException("missing value for /" + protocol.name());
        }
        return new MultiaddrComponent(protocol, new byte[0], "");
    }

    /**
     * Creates a component from the string form of its value, e.g. ({@code TCP}, {@code "4001"}).
     * For protocols without a value, {@code value} must be empty.
     *
     * @throws InvalidMultiaddrException if the value is missing, too long or invalid for the protocol
     */
    public static MultiaddrComponent parse(MultiaddrProtocol protocol, String value) {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(value, "value");
        if (!protocol.hasValue()) {
            if (!value.isEmpty()) {
                throw new InvalidMultiaddrException("/" + protocol.name() + " takes no value, got '"
                        + abbreviate(value) + "'");
            }
            return of(protocol);
        }
        if (value.isEmpty()) {
            throw new InvalidMultiaddrException("missing value for /" + protocol.name());
        }
        if (value.length() > 4 * protocol.maxValueLength()) {
            throw new InvalidMultiaddrException("invalid /" + protocol.name() + " value: too long ("
                    + value.length() + " characters)");
        }
        byte[] bytes;
        try {
            bytes = protocol.codec().parse(value);
        } catch (InvalidMultiaddrException e) {
            throw new InvalidMultiaddrException("invalid /" + protocol.name() + " value '"
                    + abbreviate(value) + "': " + e.getMessage(), e);
        }
        return fromValueBytes(protocol, bytes);
    }

    /**
     * Creates a component from the binary form of its value (without any length prefix).
     *
     * @throws InvalidMultiaddrException if the value has the wrong size or is invalid for the
     *     protocol
     */
    public static MultiaddrComponent fromValueBytes(MultiaddrProtocol protocol, byte[] value) {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(value, "value");
        if (!protocol.hasValue()) {
            if (value.length != 0) {
                throw new InvalidMultiaddrException("/" + protocol.name() + " takes no value, got "
                        + value.length + " byte(s)");
            }
            return of(protocol);
        }
        if (protocol.isVariableSize()) {
            if (value.length == 0) {
                throw new InvalidMultiaddrException("empty value for /" + protocol.name());
            }
            if (value.length > protocol.maxValueLength()) {
                throw new InvalidMultiaddrException("/" + protocol.name() + " value of "
                        + value.length + " bytes exceeds the maximum of " + protocol.maxValueLength());
            }
        } else if (value.length != protocol.size() / 8) {
            throw new InvalidMultiaddrException("/" + protocol.name() + " value must be "
                    + protocol.size() / 8 + " bytes, got " + value.length);
        }
        byte[] copy = value.clone();
        String text;
        try {
            text = protocol.codec().format(copy);
        } catch (InvalidMultiaddrException e) {
            throw new InvalidMultiaddrException("invalid /" + protocol.name() + " value: "
                    + e.getMessage(), e);
        }
        return new MultiaddrComponent(protocol, copy, text);
    }

    static String abbreviate(String text) {
        return text.length() <= MAX_ECHOED_CHARS ? text : text.substring(0, MAX_ECHOED_CHARS) + "…";
    }

    /** Returns the protocol. */
    public MultiaddrProtocol protocol() {
        return protocol;
    }

    /** Returns the protocol code. */
    public int code() {
        return protocol.code();
    }

    /** Returns the protocol name, e.g. {@code "tcp"}. */
    public String name() {
        return protocol.name();
    }

    /** Returns whether this component carries a value. */
    public boolean hasValue() {
        return protocol.hasValue();
    }

    /** Returns the canonical string form of the value, or {@code ""} if the protocol has none. */
    public String value() {
        return text;
    }

    /** Returns a copy of the binary value without length prefix (empty if the protocol has none). */
    public byte[] valueBytes() {
        return value.clone();
    }

    /** Returns a copy of the encoded component: {@code varint(code) [|| varint(len)] || value}. */
    public byte[] toBytes() {
        return encoded.clone();
    }

    /** Returns the length of {@link #toBytes()}. */
    public int encodedLength() {
        return encoded.length;
    }

    byte[] encodedView() {
        return encoded;
    }

    /** Returns the string form, e.g. {@code "/tcp/4001"} or {@code "/tls"}. */
    @Override
    public String toString() {
        return protocol.hasValue() ? "/" + protocol.name() + "/" + text : "/" + protocol.name();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MultiaddrComponent
                && Arrays.equals(encoded, ((MultiaddrComponent) other).encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }
}
