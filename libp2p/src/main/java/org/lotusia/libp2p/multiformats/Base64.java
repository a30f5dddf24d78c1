package org.lotusia.libp2p.multiformats;

/**
 * RFC 4648 base64 in its standard ({@code +/}, multibase {@code 'm'}) and URL-safe ({@code -_},
 * multibase {@code 'u'}, used for {@code certhash}) alphabets, without padding and without a
 * multibase prefix.
 *
 * <p>Decoders accept optional correct {@code '='} padding, and reject characters of the other
 * alphabet, impossible lengths and non-zero unused trailing bits.
 */
public final class Base64 {

    private static final Rfc4648Codec STANDARD = new Rfc4648Codec("base64",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 6, false);
    private static final Rfc4648Codec URL = new Rfc4648Codec("base64url",
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", 6, false);

    private Base64() {
    }

    /** Encodes bytes as unpadded standard base64. */
    public static String encode(byte[] data) {
        return STANDARD.encode(data);
    }

    /**
     * Decodes standard base64 text (padding optional).
     *
     * @throws InvalidMultibaseException on an invalid character, length, padding or trailing bits
     */
    public static byte[] decode(String text) {
        return STANDARD.decode(text);
    }

    /** Encodes bytes as unpadded URL-safe base64. */
    public static String encodeUrl(byte[] data) {
        return URL.encode(data);
    }

    /**
     * Decodes URL-safe base64 text (padding optional).
     *
     * @throws InvalidMultibaseException on an invalid character, length, padding or trailing bits
     */
    public static byte[] decodeUrl(String text) {
        return URL.decode(text);
    }
}
