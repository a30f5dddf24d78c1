package org.lotusia.libp2p.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.lotusia.libp2p.crypto.pb.EnvelopeProto;

/**
 * A signed envelope (libp2p RFC 0002): a payload, its type, the signer's public key and a signature over
 * {@code uvarint(len(domain)) || domain || uvarint(len(payloadType)) || payloadType ||
 * uvarint(len(payload)) || payload}. The domain is not transmitted: the receiver supplies the domain it
 * expects, so a signature made for one purpose cannot be replayed for another.
 *
 * <p>Immutable and thread-safe. {@link #open(byte[], String)} only ever returns verified envelopes;
 * {@link #seal} produces the same bytes as js-libp2p for the same key and payload (Ed25519 signatures
 * are deterministic).
 */
public final class SignedEnvelope {
    /** Largest envelope {@link #open} accepts. */
    public static final int MAX_ENVELOPE_BYTES = 64 * 1024;
    /** Largest domain string (UTF-8 bytes). */
    public static final int MAX_DOMAIN_BYTES = 256;

    private final PublicKey publicKey;
    private final byte[] payloadType;
    private final byte[] payload;
    private final byte[] signature;
    private final byte[] encoded;

    private SignedEnvelope(PublicKey publicKey, byte[] payloadType, byte[] payload, byte[] signature, byte[] encoded) {
        this.publicKey = publicKey;
        this.payloadType = payloadType;
        this.payload = payload;
        this.signature = signature;
        this.encoded = encoded;
    }

    /**
     * Signs {@code payload} for {@code domain} with {@code key} and wraps it in an envelope.
     *
     * @param domain the signature domain, e.g. {@code "libp2p-peer-record"}; non-empty
     * @param payloadType the payload's multicodec bytes, e.g. {@code 0x03 0x01}; non-empty
     * @throws IllegalArgumentException if the domain or payload type is empty, or the envelope would
     *     exceed {@value #MAX_ENVELOPE_BYTES} bytes
     */
    public static SignedEnvelope seal(PrivateKey key, String domain, byte[] payloadType, byte[] payload) {
        Objects.requireNonNull(key, "key");
        byte[] domainBytes = domainBytes(domain);
        Objects.requireNonNull(payloadType, "payloadType");
        Objects.requireNonNull(payload, "payload");
        if (domainBytes.length == 0 || payloadType.length == 0) {
            throw new IllegalArgumentException("envelope domain and payload type must not be empty");
        }
        byte[] type = payloadType.clone();
        byte[] body = payload.clone();
        byte[] sig = key.sign(signingBytes(domainBytes, type, body));
        PublicKey pub = key.publicKey();
        byte[] encoded = EnvelopeProto.Envelope.newBuilder()
                .setPublicKey(ByteString.copyFrom(pub.marshalledUnsafe()))
                .setPayloadType(ByteString.copyFrom(type))
                .setPayload(ByteString.copyFrom(body))
                .setSignature(ByteString.copyFrom(sig))
                .build()
                .toByteArray();
        if (encoded.length > MAX_ENVELOPE_BYTES) {
            throw new IllegalArgumentException("envelope of " + encoded.length + " bytes exceeds "
                    + MAX_ENVELOPE_BYTES);
        }
        return new SignedEnvelope(pub, type, body, sig, encoded);
    }

    /**
     * Decodes an envelope and verifies its signature for {@code expectedDomain}.
     *
     * @throws InvalidEnvelopeException if the bytes are oversized or malformed, a field is missing, the
     *     public key cannot be decoded, or the signature is not valid for the domain
     */
    public static SignedEnvelope open(byte[] bytes, String expectedDomain) {
        Objects.requireNonNull(bytes, "bytes");
        byte[] domainBytes = domainBytes(expectedDomain);
        if (bytes.length > MAX_ENVELOPE_BYTES) {
            throw new InvalidEnvelopeException("envelope too large: " + bytes.length + " bytes (max "
                    + MAX_ENVELOPE_BYTES + ")");
        }
        EnvelopeProto.Envelope pb;
        try {
            pb = EnvelopeProto.Envelope.parseFrom(bytes);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new InvalidEnvelopeException("malformed envelope protobuf: " + e.getMessage(), e);
        }
        if (pb.getPublicKey().isEmpty() || pb.getPayloadType().isEmpty() || pb.getSignature().isEmpty()) {
            throw new InvalidEnvelopeException("envelope is missing its public key, payload type or signature");
        }
        PublicKey key;
        try {
            key = Keys.unmarshalPublicKey(pb.getPublicKey().toByteArray());
        } catch (KeyFormatException e) {
            throw new InvalidEnvelopeException("envelope public key is invalid: " + e.getMessage(), e);
        }
        byte[] type = pb.getPayloadType().toByteArray();
        byte[] body = pb.getPayload().toByteArray();
        byte[] sig = pb.getSignature().toByteArray();
        if (!key.verify(signingBytes(domainBytes, type, body), sig)) {
            throw new InvalidEnvelopeException("envelope signature is not valid for domain '" + expectedDomain
                    + "' and signer " + key.peerId());
        }
        return new SignedEnvelope(key, type, body, sig, bytes.clone());
    }

    /** Returns the signer's public key. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** Returns the signer's peer id. */
    public PeerId peerId() {
        return publicKey.peerId();
    }

    /** Returns a copy of the payload type (multicodec bytes). */
    public byte[] payloadType() {
        return payloadType.clone();
    }

    /** Returns a copy of the payload. */
    public byte[] payload() {
        return payload.clone();
    }

    /** Returns a copy of the signature. */
    public byte[] signature() {
        return signature.clone();
    }

    /** Returns a copy of the envelope protobuf bytes (exactly as received for opened envelopes). */
    public byte[] toBytes() {
        return encoded.clone();
    }

    /** Returns true if the payload type equals {@code type}. */
    public boolean hasPayloadType(byte[] type) {
        return Arrays.equals(payloadType, type);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedEnvelope other && Arrays.equals(encoded, other.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "SignedEnvelope[signer=" + peerId() + ", payloadType=" + java.util.HexFormat.of().formatHex(payloadType)
                + ", payload=" + payload.length + " bytes]";
    }

    private static byte[] domainBytes(String domain) {
        Objects.requireNonNull(domain, "domain");
        byte[] b = domain.getBytes(StandardCharsets.UTF_8);
        if (b.length == 0 || b.length > MAX_DOMAIN_BYTES) {
            throw new IllegalArgumentException("envelope domain must be 1 to " + MAX_DOMAIN_BYTES + " UTF-8 bytes");
        }
        return b;
    }

    static byte[] signingBytes(byte[] domain, byte[] type, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(domain.length + type.length + payload.length + 12);
        writeField(out, domain);
        writeField(out, type);
        writeField(out, payload);
        return out.toByteArray();
    }

    private static void writeField(ByteArrayOutputStream out, byte[] field) {
        int v = field.length;
        while ((v & ~0x7f) != 0) {
            out.write((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write(v);
        out.write(field, 0, field.length);
    }
}
