package org.lotusia.libp2p.multiformats;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.lotusia.libp2p.crypto.PeerId;

/**
 * An immutable multiaddr: a sequence of {@link MultiaddrComponent}s such as
 * {@code /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW…}.
 *
 * <p>Binary form: the concatenation of {@code varint(code) || value} for each component, where
 * variable-size values are {@code varint(length) || bytes}. String form: {@code /name/value…};
 * {@link #toString()} is canonical (ip6 compressed lower case, p2p base58btc, certhash base64url),
 * so two multiaddrs are equal exactly when their strings are. Equality and hash code are defined by
 * the binary form. The empty multiaddr has no bytes and the string {@code "/"}.
 *
 * <p>Decoding is bounded: at most {@value #MAX_BYTES} bytes, {@value #MAX_COMPONENTS} components
 * and {@value #MAX_STRING_LENGTH} characters; variable-size values are capped per protocol (see
 * {@link MultiaddrProtocol#maxValueLength()}). Any malformed input raises
 * {@link InvalidMultiaddrException} naming the problem and where it is. Host names are never
 * resolved.
 */
public final class Multiaddr {

    /** Longest binary form accepted. */
    public static final int MAX_BYTES = 64 * 1024;

    /** Largest number of components accepted. */
    public static final int MAX_COMPONENTS = 1024;

    /** Longest string form accepted by {@link #parse(String)}. */
    public static final int MAX_STRING_LENGTH = 4 * MAX_BYTES;

    private static final Multiaddr EMPTY = new Multiaddr(List.of(), new byte[0]);

    private final List<MultiaddrComponent> components;
    private final byte[] bytes;
    private String text;

    private Multiaddr(List<MultiaddrComponent> components, byte[] bytes) {
        this.components = components;
        this.bytes = bytes;
    }

    /** Returns the empty multiaddr ({@code "/"}, no bytes). */
    public static Multiaddr empty() {
        return EMPTY;
    }

    /**
     * Creates a multiaddr from components.
     *
     * @throws InvalidMultiaddrException if the result exceeds the size limits
     */
    public static Multiaddr of(List<MultiaddrComponent> components) {
        List<MultiaddrComponent> copy = List.copyOf(components);
        if (copy.size() > MAX_COMPONENTS) {
            throw new InvalidMultiaddrException("multiaddr has " + copy.size()
                    + " components, more than the maximum of " + MAX_COMPONENTS);
        }
        long length = 0;
        for (MultiaddrComponent component : copy) {
            length += component.encodedLength();
        }
        if (length > MAX_BYTES) {
            throw new InvalidMultiaddrException("multiaddr of " + length
                    + " bytes exceeds the maximum of " + MAX_BYTES);
        }
        byte[] bytes = new byte[(int) length];
        int offset = 0;
        for (MultiaddrComponent component : copy) {
            byte[] encoded = component.encodedView();
            System.arraycopy(encoded, 0, bytes, offset, encoded.length);
            offset += encoded.length;
        }
        return copy.isEmpty() ? EMPTY : new Multiaddr(copy, bytes);
    }

    /**
     * Creates a multiaddr from components.
     *
     * @throws InvalidMultiaddrException if the result exceeds the size limits
     */
    public static Multiaddr of(MultiaddrComponent... components) {
        return of(Arrays.asList(components));
    }

    /**
     * Decodes the binary form.
     *
     * @throws InvalidMultiaddrException on an unknown protocol code, a truncated or invalid value,
     *     or input over the size limits; the message names the byte offset
     */
    public static Multiaddr fromBytes(byte[] encoded) {
        Objects.requireNonNull(encoded, "encoded");
        if (encoded.length > MAX_BYTES) {
            throw new InvalidMultiaddrException("multiaddr of " + encoded.length
                    + " bytes exceeds the maximum of " + MAX_BYTES);
        }
        if (encoded.length == 0) {
            return EMPTY;
        }
        ByteBuffer in = ByteBuffer.wrap(encoded);
        List<MultiaddrComponent> components = new ArrayList<>();
        while (in.hasRemaining()) {
            if (components.size() == MAX_COMPONENTS) {
                throw new InvalidMultiaddrException("multiaddr has more than " + MAX_COMPONENTS
                        + " components (at byte offset " + in.position() + ")");
            }
            components.add(readComponent(in));
        }
        return new Multiaddr(Collections.unmodifiableList(components), encoded.clone());
    }

    private static MultiaddrComponent readComponent(ByteBuffer in) {
        int offset = in.position();
        long code;
        try {
            code = Varint.decode(in);
        } catch (InvalidVarintException e) {
            throw new InvalidMultiaddrException("invalid protocol code at byte offset " + offset
                    + ": " + e.getMessage(), e);
        }
        MultiaddrProtocol protocol = (code <= Integer.MAX_VALUE
                ? MultiaddrProtocol.forCode((int) code) : Optional.<MultiaddrProtocol>empty())
                .orElseThrow(() -> new InvalidMultiaddrException("unknown protocol code " + code
                        + " (0x" + Long.toHexString(code) + ") at byte offset " + offset));
        int length;
        if (protocol.isVariableSize()) {
            int lengthOffset = in.position();
            try {
                length = Varint.decodeBounded(in, protocol.maxValueLength(), "value length");
            } catch (InvalidVarintException e) {
                throw new InvalidMultiaddrException("invalid /" + protocol.name()
                        + " value length at byte offset " + lengthOffset + ": " + e.getMessage(), e);
            }
        } else {
            length = protocol.size() / 8;
        }
        if (in.remaining() < length) {
            throw new InvalidMultiaddrException("truncated /" + protocol.name() + " value at byte offset "
                    + in.position() + ": needs " + length + " byte(s), " + in.remaining() + " left");
        }
        byte[] value = new byte[length];
        in.get(value);
        try {
            return MultiaddrComponent.fromValueBytes(protocol, value);
        } catch (InvalidMultiaddrException e) {
            throw new InvalidMultiaddrException(e.getMessage() + " (component at byte offset "
                    + offset + ")", e);
        }
    }

    /**
     * Parses the string form, e.g. {@code /ip4/127.0.0.1/tcp/4001}. The string must start with
     * {@code '/'}; {@code "/"} is the empty multiaddr; a single trailing {@code '/'} is allowed.
     * {@code ipfs} is accepted as an alias of {@code p2p}. Host names are not resolved.
     *
     * @throws InvalidMultiaddrException on an unknown protocol name, a missing, empty or invalid
     *     value, an empty component or input over the size limits
     */
    public static Multiaddr parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_STRING_LENGTH) {
            throw new InvalidMultiaddrException("multiaddr string of " + text.length()
                    + " characters exceeds the maximum of " + MAX_STRING_LENGTH);
        }
        if (text.isEmpty() || text.charAt(0) != '/') {
            throw new InvalidMultiaddrException("multiaddr string must start with '/': '"
                    + MultiaddrComponent.abbreviate(text) + "'");
        }
        if (text.length() == 1) {
            return EMPTY;
        }
        int end = text.charAt(text.length() - 1) == '/' ? text.length() - 1 : text.length();
        List<String> parts = split(text, 1, end);
        List<MultiaddrComponent> components = new ArrayList<>();
        int i = 0;
        while (i < parts.size()) {
            if (components.size() == MAX_COMPONENTS) {
                throw new InvalidMultiaddrException("multiaddr has more than " + MAX_COMPONENTS
                        + " components");
            }
            String name = parts.get(i);
            if (name.isEmpty()) {
                throw new InvalidMultiaddrException("empty protocol name in component "
                        + (components.size() + 1) + " ('//' or misplaced '/')");
            }
            MultiaddrProtocol protocol = MultiaddrProtocol.forName(name).orElseThrow(() ->
                    new InvalidMultiaddrException("unknown protocol '"
                            + MultiaddrComponent.abbreviate(name) + "' in component "
                            + (components.size() + 1)));
            if (!protocol.hasValue()) {
                components.add(MultiaddrComponent.of(protocol));
                i++;
                continue;
            }
            if (i + 1 >= parts.size()) {
                throw new InvalidMultiaddrException("missing value for /" + protocol.name()
                        + " at the end of the multiaddr");
            }
            String value = parts.get(i + 1);
            if (value.isEmpty()) {
                throw new InvalidMultiaddrException("empty value for /" + protocol.name()
                        + " in component " + (components.size() + 1));
            }
            components.add(MultiaddrComponent.parse(protocol, value));
            i += 2;
        }
        return of(components);
    }

    private static List<String> split(String text, int from, int to) {
        List<String> parts = new ArrayList<>();
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || text.charAt(i) == '/') {
                parts.add(text.substring(start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    /** Returns a copy of the binary form. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** Returns the components (unmodifiable). */
    public List<MultiaddrComponent> components() {
        return components;
    }

    /** Returns whether this is the empty multiaddr. */
    public boolean isEmpty() {
        return components.isEmpty();
    }

    /**
     * Returns this multiaddr followed by {@code other}'s components.
     *
     * @throws InvalidMultiaddrException if the result exceeds the size limits
     */
    public Multiaddr encapsulate(Multiaddr other) {
        Objects.requireNonNull(other, "other");
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        List<MultiaddrComponent> joined = new ArrayList<>(components.size() + other.components.size());
        joined.addAll(components);
        joined.addAll(other.components);
        return of(joined);
    }

    /**
     * Removes the last occurrence of {@code other} (matched component by component) and everything
     * after it: {@code /ip4/1.2.3.4/tcp/1/ws}.decapsulate({@code /tcp/1}) is {@code /ip4/1.2.3.4}.
     * Matching whole components avoids js's string-matching pitfall ({@code /tcp/1} inside
     * {@code /tcp/100}).
     *
     * <p>Unlike js-multiaddr, which throws, this returns the multiaddr unchanged when {@code other}
     * does not occur (as go-multiaddr does, and as {@link #decapsulateCode(int)} does in both).
     * Decapsulating the empty multiaddr also returns this one unchanged.
     */
    public Multiaddr decapsulate(Multiaddr other) {
        Objects.requireNonNull(other, "other");
        List<MultiaddrComponent> needle = other.components;
        if (needle.isEmpty()) {
            return this;
        }
        for (int start = components.size() - needle.size(); start >= 0; start--) {
            if (components.subList(start, start + needle.size()).equals(needle)) {
                return prefix(start);
            }
        }
        return this;
    }

    /**
     * Removes the last component with the given protocol code and everything after it, e.g.
     * {@code decapsulateCode(P2P.code())} strips a trailing peer id. Returns this multiaddr
     * unchanged if no component has that code.
     */
    public Multiaddr decapsulateCode(int protocolCode) {
        for (int i = components.size() - 1; i >= 0; i--) {
            if (components.get(i).code() == protocolCode) {
                return prefix(i);
            }
        }
        return this;
    }

    private Multiaddr prefix(int count) {
        if (count == components.size()) {
            return this;
        }
        return of(components.subList(0, count));
    }

    /**
     * Returns the peer id of the peer this address reaches: the last {@code /p2p} component after
     * the last {@code /p2p-circuit} (as js-multiaddr does), so a relay address
     * {@code …/p2p/RELAY/p2p-circuit} has no peer id and {@code …/p2p-circuit/p2p/TARGET} has
     * TARGET.
     *
     * @throws org.lotusia.libp2p.Libp2pException (from {@link PeerId#fromBytes(byte[])}) if the
     *     {@code /p2p} multihash is not a valid peer id
     */
    public Optional<PeerId> getPeerId() {
        MultiaddrComponent last = null;
        for (MultiaddrComponent component : components) {
            if (component.protocol() == MultiaddrProtocol.P2P) {
                last = component;
            } else if (component.protocol() == MultiaddrProtocol.P2P_CIRCUIT) {
                last = null;
            }
        }
        return last == null ? Optional.empty() : Optional.of(PeerId.fromBytes(last.valueBytes()));
    }

    /**
     * Returns this multiaddr ending in {@code /p2p/<peerId>}: a trailing {@code /p2p} component is
     * replaced, otherwise one is appended.
     *
     * @throws InvalidMultiaddrException if the peer id bytes are not a valid multihash or the
     *     result exceeds the size limits
     */
    public Multiaddr withPeerId(PeerId peerId) {
        Objects.requireNonNull(peerId, "peerId");
        MultiaddrComponent p2p = MultiaddrComponent.fromValueBytes(MultiaddrProtocol.P2P,
                peerId.toBytes());
        return withoutPeerId().encapsulate(of(p2p));
    }

    /** Returns this multiaddr without its last component if that is a {@code /p2p} component. */
    public Multiaddr withoutPeerId() {
        if (!components.isEmpty()
                && components.get(components.size() - 1).protocol() == MultiaddrProtocol.P2P) {
            return prefix(components.size() - 1);
        }
        return this;
    }

    /**
     * Returns the string value of the first component with the given protocol name or alias
     * ({@code ""} for protocols without a value), or empty if there is none or the name is unknown.
     */
    public Optional<String> valueForProtocol(String name) {
        Optional<MultiaddrProtocol> protocol = MultiaddrProtocol.forName(name);
        if (protocol.isEmpty()) {
            return Optional.empty();
        }
        for (MultiaddrComponent component : components) {
            if (component.protocol() == protocol.get()) {
                return Optional.of(component.value());
            }
        }
        return Optional.empty();
    }

    /** Returns whether any component has the given protocol name or alias. */
    public boolean hasProtocol(String name) {
        return valueForProtocol(name).isPresent();
    }

    /** Returns whether any component has the given protocol code. */
    public boolean hasProtocol(int protocolCode) {
        for (MultiaddrComponent component : components) {
            if (component.code() == protocolCode) {
                return true;
            }
        }
        return false;
    }

    /** Returns the canonical string form ({@code "/"} for the empty multiaddr). */
    @Override
    public String toString() {
        String result = text;
        if (result == null) {
            if (components.isEmpty()) {
                result = "/";
            } else {
                StringBuilder out = new StringBuilder();
                for (MultiaddrComponent component : components) {
                    out.append(component);
                }
                result = out.toString();
            }
            text = result;
        }
        return result;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Multiaddr && Arrays.equals(bytes, ((Multiaddr) other).bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
