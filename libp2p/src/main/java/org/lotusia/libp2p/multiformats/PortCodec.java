package org.lotusia.libp2p.multiformats;

/**
 * Port numbers ({@code tcp}, {@code udp}, ...): two bytes big-endian, written in decimal. Parsing
 * accepts only ASCII digits without sign or leading zeros (like js-multiaddr), 0 to 65535.
 */
final class PortCodec implements ValueCodec {

    static final PortCodec INSTANCE = new PortCodec();

    private PortCodec() {
    }

    @Override
    public byte[] parse(String text) {
        int port = parsePort(text);
        return new byte[] {(byte) (port >>> 8), (byte) port};
    }

    @Override
    public String format(byte[] value) {
        if (value.length != 2) {
            throw new InvalidMultiaddrException("a port is 2 bytes, got " + value.length);
        }
        return Integer.toString(((value[0] & 0xFF) << 8) | (value[1] & 0xFF));
    }

    private static int parsePort(String text) {
        if (text.isEmpty() || text.length() > 5 || (text.length() > 1 && text.charAt(0) == '0')) {
            throw new InvalidMultiaddrException("a port must be a decimal number 0-65535"
                    + " without leading zeros");
        }
        int port = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new InvalidMultiaddrException("a port must be a decimal number 0-65535");
            }
            port = port * 10 + (c - '0');
        }
        if (port > 0xFFFF) {
            throw new InvalidMultiaddrException("port " + port + " is out of range 0-65535");
        }
        return port;
    }
}
