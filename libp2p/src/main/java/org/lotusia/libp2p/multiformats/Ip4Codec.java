package org.lotusia.libp2p.multiformats;

/**
 * IPv4 addresses: four bytes, written as a dotted quad. Parsing is literal-only (never a name
 * lookup) and strict: exactly four decimal parts 0-255 made of ASCII digits, no leading zeros.
 */
final class Ip4Codec implements ValueCodec {

    static final Ip4Codec INSTANCE = new Ip4Codec();

    private Ip4Codec() {
    }

    @Override
    public byte[] parse(String text) {
        byte[] out = new byte[4];
        parseInto(text, out, 0);
        return out;
    }

    @Override
    public String format(byte[] value) {
        if (value.length != 4) {
            throw new InvalidMultiaddrException("an IPv4 address is 4 bytes, got " + value.length);
        }
        return format(value, 0);
    }

    static String format(byte[] bytes, int offset) {
        return (bytes[offset] & 0xFF) + "." + (bytes[offset + 1] & 0xFF) + "."
                + (bytes[offset + 2] & 0xFF) + "." + (bytes[offset + 3] & 0xFF);
    }

    /** Parses a dotted quad into {@code out[offset..offset+4)}. */
    static void parseInto(String text, byte[] out, int offset) {
        int part = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '.') {
                if (part == 4) {
                    throw invalid();
                }
                out[offset + part++] = (byte) parseOctet(text, start, i);
                start = i + 1;
            }
        }
        if (part != 4) {
            throw invalid();
        }
    }

    private static int parseOctet(String text, int from, int to) {
        int length = to - from;
        if (length < 1 || length > 3 || (length > 1 && text.charAt(from) == '0')) {
            throw invalid();
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw invalid();
            }
            value = value * 10 + (c - '0');
        }
        if (value > 255) {
            throw invalid();
        }
        return value;
    }

    private static InvalidMultiaddrException invalid() {
        return new InvalidMultiaddrException("not an IPv4 address literal (expected four decimal"
                + " octets 0-255 without leading zeros, e.g. 192.0.2.1)");
    }
}
