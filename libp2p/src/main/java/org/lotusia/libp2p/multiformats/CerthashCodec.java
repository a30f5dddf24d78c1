package org.lotusia.libp2p.multiformats;

/**
 * The {@code certhash} value: a multihash of a TLS certificate. Written as multibase base64url
 * ({@code u…}, as js does); parsing accepts any supported multibase.
 */
final class CerthashCodec implements ValueCodec {

    static final CerthashCodec INSTANCE = new CerthashCodec();

    private CerthashCodec() {
    }

    @Override
    public byte[] parse(String text) {
        byte[] bytes;
        try {
            bytes = Multibase.decode(text);
        } catch (InvalidMultibaseException e) {
            throw new InvalidMultiaddrException("certhash is not valid multibase: "
                    + e.getMessage(), e);
        }
        format(bytes);
        return bytes;
    }

    @Override
    public String format(byte[] value) {
        try {
            Multihash.decode(value);
        } catch (InvalidMultihashException e) {
            throw new InvalidMultiaddrException("certhash is not a valid multihash: "
                    + e.getMessage(), e);
        }
        return Multibase.encode(Multibase.Encoding.BASE64URL, value);
    }
}
