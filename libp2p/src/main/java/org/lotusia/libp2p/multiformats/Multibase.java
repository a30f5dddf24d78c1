package org.lotusia.libp2p.multiformats;

import java.util.Objects;
import java.util.Optional;

/**
 * Multibase: self-describing text encodings of bytes, the first character naming the alphabet.
 * Only the encodings libp2p needs are supported; see {@link Encoding}.
 */
public final class Multibase {

    /** The supported multibase encodings and their prefix characters. */
    public enum Encoding {
        /** Bitcoin base58, prefix {@code 'z'}. */
        BASE58BTC('z'),
        /** RFC 4648 base32 lower case without padding, prefix {@code 'b'}. */
        BASE32('b'),
        /** Base36 lower case, prefix {@code 'k'}. */
        BASE36('k'),
        /** RFC 4648 standard base64 without padding, prefix {@code 'm'}. */
        BASE64('m'),
        /** RFC 4648 URL-safe base64 without padding, prefix {@code 'u'}. */
        BASE64URL('u');

        private final char prefix;

        Encoding(char prefix) {
            this.prefix = prefix;
        }

        /** Returns the multibase prefix character of this encoding. */
        public char prefix() {
            return prefix;
        }

        /** Returns the encoding that uses {@code prefix}, if it is one of the supported ones. */
        public static Optional<Encoding> forPrefix(char prefix) {
            for (Encoding encoding : values()) {
                if (encoding.prefix == prefix) {
                    return Optional.of(encoding);
                }
            }
            return Optional.empty();
        }
    }

    private Multibase() {
    }

    /**
     * Encodes bytes with the given encoding, prefixed by the encoding's character.
     *
     * @throws IllegalArgumentException if the data exceeds the base58/base36 size cap (16 KiB)
     */
    public static String encode(Encoding encoding, byte[] data) {
        Objects.requireNonNull(encoding, "encoding");
        Objects.requireNonNull(data, "data");
        String body;
        switch (encoding) {
            case BASE58BTC:
                body = Base58.encode(data);
                break;
            case BASE32:
                body = Base32.encode(data);
                break;
            case BASE36:
                body = Base36.encode(data);
                break;
            case BASE64:
                body = Base64.encode(data);
                break;
            case BASE64URL:
                body = Base64.encodeUrl(data);
                break;
            default:
                throw new AssertionError(encoding);
        }
        return encoding.prefix + body;
    }

    /**
     * Decodes a multibase string.
     *
     * @throws InvalidMultibaseException if the string is empty, has an unsupported prefix or an
     *     invalid body
     */
    public static byte[] decode(String text) {
        Encoding encoding = encodingOf(text);
        String body = text.substring(1);
        switch (encoding) {
            case BASE58BTC:
                return Base58.decode(body);
            case BASE32:
                return Base32.decode(body);
            case BASE36:
                return Base36.decode(body);
            case BASE64:
                return Base64.decode(body);
            case BASE64URL:
                return Base64.decodeUrl(body);
            default:
                throw new AssertionError(encoding);
        }
    }

    /**
     * Returns the encoding named by the first character of a multibase string.
     *
     * @throws InvalidMultibaseException if the string is empty or the prefix is unsupported
     */
    public static Encoding encodingOf(String text) {
        Objects.requireNonNull(text, "text");
        if (text.isEmpty()) {
            throw new InvalidMultibaseException("empty multibase string (missing prefix character)");
        }
        char prefix = text.charAt(0);
        return Encoding.forPrefix(prefix).orElseThrow(() -> new InvalidMultibaseException(
                "unsupported multibase prefix " + RadixCodec.describe(prefix)
                        + " (supported: z, b, k, m, u)"));
    }
}
