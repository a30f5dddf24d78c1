package org.lotusia.libp2p.multiformats;

/**
 * Plain UTF-8 text values ({@code dns*}, {@code sni}, {@code ip6zone}, {@code memory}), written
 * as-is. The value must be non-empty, valid UTF-8 and must not contain {@code '/'} (it could not
 * be written in the string form).
 */
final class TextCodec implements ValueCodec {

    static final TextCodec INSTANCE = new TextCodec();

    private TextCodec() {
    }

    @Override
    public byte[] parse(String text) {
        check(text);
        return Utf8.encode(text);
    }

    @Override
    public String format(byte[] value) {
        String text = Utf8.decode(value);
        check(text);
        return text;
    }

    private static void check(String text) {
        if (text.isEmpty()) {
            throw new InvalidMultiaddrException("value must not be empty");
        }
        if (text.indexOf('/') >= 0) {
            throw new InvalidMultiaddrException("value must not contain '/'");
        }
    }
}
