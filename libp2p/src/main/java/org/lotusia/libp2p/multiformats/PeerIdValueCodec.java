package org.lotusia.libp2p.multiformats;

/**
 * The {@code p2p} value: the peer id's multihash bytes (not a CID). Written as bare base58btc.
 * Parsing accepts bare base58btc ({@code 12D3KooW…}, {@code Qm…}, i.e. strings starting with
 * {@code '1'} or {@code 'Q'}, as js does) or a multibase CIDv1 string with the
 * {@code libp2p-key} codec ({@code bafz…}, {@code k51…}); the bytes must be a valid multihash.
 */
final class PeerIdValueCodec implements ValueCodec {

    static final PeerIdValueCodec INSTANCE = new PeerIdValueCodec();

    private PeerIdValueCodec() {
    }

    @Override
    public byte[] parse(String text) {
        byte[] bytes;
        char first = text.charAt(0);
        if (first == '1' || first == 'Q') {
            try {
                bytes = Base58.decode(text);
            } catch (InvalidMultibaseException e) {
                throw new InvalidMultiaddrException("peer id is not valid base58btc: "
                        + e.getMessage(), e);
            }
        } else {
            Cid cid;
            try {
                cid = Cid.parse(text);
            } catch (InvalidCidException e) {
                throw new InvalidMultiaddrException("peer id is neither base58btc nor a CID: "
                        + e.getMessage(), e);
            }
            if (cid.codec() != Cid.LIBP2P_KEY) {
                throw new InvalidMultiaddrException("peer id CID has codec 0x"
                        + Long.toHexString(cid.codec()) + ", expected libp2p-key (0x72)");
            }
            bytes = cid.multihash().toBytes();
        }
        format(bytes);
        return bytes;
    }

    @Override
    public String format(byte[] value) {
        try {
            Multihash.decode(value);
        } catch (InvalidMultihashException e) {
            throw new InvalidMultiaddrException("peer id is not a valid multihash: "
                    + e.getMessage(), e);
        }
        return Base58.encode(value);
    }
}
