package org.lotusia.p2p.dht;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.crypto.PublicKey;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Optional signatures on resource records. The creator signs, with its libp2p identity key,
 * {@value #DOMAIN} followed by {@link ResourceRecord#signedBytes()} (the record's stored JSON
 * without {@code signature}); the signature travels hex-encoded in the record's {@code signature}
 * field. A receiver verifies it with the public key inlined in {@code creatorPeerId} (Ed25519 and
 * secp256k1 peer ids inline it; a hashed peer id cannot be verified and counts as forged). The
 * domain prefix keeps these signatures from being valid in any other protocol.
 */
public final class SignedResourceRecords {
    /** Domain-separation prefix of the signed bytes. */
    public static final String DOMAIN = "lotus-resource-record:";

    private SignedResourceRecords() {
    }

    /** The signature check of a record. */
    public enum Verdict {
        /** No signature present. */
        UNSIGNED,
        /** The signature was made by {@code creatorPeerId}'s key over this exact record. */
        VALID,
        /** The signature does not verify (tampered or forged) or the creator's key is unknown. */
        INVALID
    }

    /** {@code record} signed by {@code key}; {@code creatorPeerId} must be the key's peer id. */
    public static ResourceRecord sign(ResourceRecord record, PrivateKey key) {
        PeerId signer = key.publicKey().peerId();
        if (!signer.toString().equals(record.creatorPeerId())) {
            throw new IllegalArgumentException("creatorPeerId " + record.creatorPeerId() + " is not the signer " + signer);
        }
        return record.withSignature(key.sign(preimage(record)));
    }

    /** Checks the signature of {@code record}. */
    public static Verdict verify(ResourceRecord record) {
        if (record.signature().isEmpty()) {
            return Verdict.UNSIGNED;
        }
        Optional<PublicKey> key;
        try {
            key = PeerId.parse(record.creatorPeerId()).extractPublicKey();
        } catch (RuntimeException e) {
            return Verdict.INVALID;
        }
        if (key.isEmpty()) {
            return Verdict.INVALID;
        }
        try {
            return key.get().verify(preimage(record), record.signature().get()) ? Verdict.VALID : Verdict.INVALID;
        } catch (RuntimeException e) {
            return Verdict.INVALID;
        }
    }

    private static byte[] preimage(ResourceRecord record) {
        byte[] prefix = DOMAIN.getBytes(StandardCharsets.UTF_8);
        byte[] body = record.signedBytes();
        byte[] out = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(body, 0, out, prefix.length, body.length);
        return out;
    }
}
