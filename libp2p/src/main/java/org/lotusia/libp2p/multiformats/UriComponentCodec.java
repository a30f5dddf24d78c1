package org.lotusia.libp2p.multiformats;

/**
 * Path-like UTF-8 values written percent-encoded like JavaScript's {@code encodeURIComponent}
 * ({@code unix}, {@code http-path}), so that {@code '/'} inside the value appears as {@code %2F}.
 *
 * <p>For {@code http-path} js-multiaddr 13 stores the path with a leading {@code '/'} in the
 * binary form and omits it in the string form ({@code /http-path/foo%2Fbar} is the bytes
 * {@code "/foo/bar"}); {@link #HTTP_PATH} reproduces that, and rejects binary values that do not
 * start with {@code '/'}.
 */
final class UriComponentCodec implements ValueCodec {

    /** The {@code unix} codec: the value bytes are the decoded string. */
    static final UriComponentCodec PLAIN = new UriComponentCodec(false);

    /** The {@code http-path} codec: the value bytes are {@code '/'} + the decoded string. */
    static final UriComponentCodec HTTP_PATH = new UriComponentCodec(true);

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final boolean leadingSlash;

    private UriComponentCodec(boolean leadingSlash) {
        this.leadingSlash = leadingSlash;
    }

    @Override
    public byte[] parse(String text) {
        byte[] decoded = percentDecode(text);
        if (decoded.length == 0) {
            throw new InvalidMultiaddrException("value must not be empty");
        }
        Utf8.decode(decoded);
        if (!leadingSlash) {
            return decoded;
        }
        byte[] out = new byte[decoded.length + 1];
        out[0] = '/';
        System.arraycopy(decoded, 0, out, 1, decoded.length);
        return out;
    }

    @Override
    public String format(byte[] value) {
        Utf8.decode(value);
        int start = 0;
        if (leadingSlash) {
            if (value.length < 2 || value[0] != '/') {
                throw new InvalidMultiaddrException(
                        "http-path value must be '/' followed by at least one byte");
            }
            start = 1;
        } else if (value.length == 0) {
            throw new InvalidMultiaddrException("value must not be empty");
        }
        StringBuilder out = new StringBuilder(value.length * 3);
        for (int i = start; i < value.length; i++) {
            int b = value[i] & 0xFF;
            if (isUnreserved(b)) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[b >>> 4]).append(HEX[b & 0x0F]);
            }
        }
        return out.toString();
    }

    /** The characters {@code encodeURIComponent} leaves alone: {@code A-Z a-z 0-9 - _ . ! ~ * ' ( )}. */
    private static boolean isUnreserved(int c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_' || c == '.' || c == '!' || c == '~' || c == '*'
                || c == '\'' || c == '(' || c == ')';
    }

    /** Decodes {@code %XX} escapes; other characters contribute their UTF-8 bytes. */
    private static byte[] percentDecode(String text) {
        byte[] out = new byte[text.length() * 3];
        int length = 0;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%') {
                int high = i + 1 < text.length() ? hexDigit(text.charAt(i + 1)) : -1;
                int low = i + 2 < text.length() ? hexDigit(text.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    throw new InvalidMultiaddrException("'%' at index " + i
                            + " is not followed by two hex digits");
                }
                out[length++] = (byte) ((high << 4) | low);
                i += 3;
            } else {
                int end = i;
                while (end < text.length() && text.charAt(end) != '%') {
                    end++;
                }
                byte[] run = Utf8.encode(text.subSequence(i, end));
                System.arraycopy(run, 0, out, length, run.length);
                length += run.length;
                i = end;
            }
        }
        byte[] result = new byte[length];
        System.arraycopy(out, 0, result, 0, length);
        return result;
    }

    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
