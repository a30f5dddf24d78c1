package org.lotusia.libp2p.crypto;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.pb.PeerRecordProto;
import org.lotusia.libp2p.multiformats.Multiaddr;

/**
 * A peer record (libp2p RFC 0003): a peer's listen addresses with a sequence number, carried signed in a
 * {@link SignedEnvelope} (identify's {@code signedPeerRecord}, kad-dht, relay).
 *
 * <p>Uses the constants every implementation really uses, not the RFC text's: domain
 * {@value #DOMAIN} and payload type {@code 0x03 0x01}. Addresses should not contain {@code /p2p}. The
 * sequence number is an unsigned 64-bit value (js uses the creation time in milliseconds); a record
 * with a higher sequence number supersedes one with a lower.
 *
 * @param peerId the peer the record describes
 * @param seq the sequence number (unsigned)
 * @param addresses the peer's addresses, in order
 */
public record PeerRecord(PeerId peerId, long seq, List<Multiaddr> addresses) {
    /** Signature domain of peer records. */
    public static final String DOMAIN = "libp2p-peer-record";
    private static final byte[] PAYLOAD_TYPE = {0x03, 0x01};

    /** Validates and copies the components. */
    public PeerRecord {
        Objects.requireNonNull(peerId, "peerId");
        addresses = List.copyOf(addresses);
    }

    /** Creates a record whose sequence number is the current time in milliseconds (as js does). */
    public static PeerRecord create(PeerId peerId, List<Multiaddr> addresses) {
        return new PeerRecord(peerId, System.currentTimeMillis(), addresses);
    }

    /** Returns the payload type of peer records, {@code 0x03 0x01} (multicodec 0x0301, big-endian). */
    public static byte[] payloadType() {
        return PAYLOAD_TYPE.clone();
    }

    /** Encodes the record as the envelope payload protobuf. */
    public byte[] encode() {
        PeerRecordProto.PeerRecord.Builder b = PeerRecordProto.PeerRecord.newBuilder()
                .setPeerId(ByteString.copyFrom(peerId.toBytes()))
                .setSeq(seq);
        for (Multiaddr a : addresses) {
            b.addAddresses(PeerRecordProto.PeerRecord.AddressInfo.newBuilder()
                    .setMultiaddr(ByteString.copyFrom(a.toBytes())));
        }
        return b.build().toByteArray();
    }

    /**
     * Decodes a record payload. Empty addresses and addresses this library cannot decode (unknown
     * protocols) are skipped, since they could not be dialled anyway; the signed bytes stay available in
     * the envelope.
     *
     * @throws InvalidPeerRecordException if the payload is oversized or malformed or its peer id is invalid
     */
    public static PeerRecord decode(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        if (payload.length > SignedEnvelope.MAX_ENVELOPE_BYTES) {
            throw new InvalidPeerRecordException("peer record too large: " + payload.length + " bytes");
        }
        PeerRecordProto.PeerRecord pb;
        try {
            pb = PeerRecordProto.PeerRecord.parseFrom(payload);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new InvalidPeerRecordException("malformed peer record protobuf: " + e.getMessage(), e);
        }
        PeerId id;
        try {
            id = PeerId.fromBytes(pb.getPeerId().toByteArray());
        } catch (InvalidPeerIdException e) {
            throw new InvalidPeerRecordException("peer record has an invalid peer id: " + e.getMessage(), e);
        }
        List<Multiaddr> addrs = new ArrayList<>(pb.getAddressesCount());
        for (PeerRecordProto.PeerRecord.AddressInfo info : pb.getAddressesList()) {
            if (info.getMultiaddr().isEmpty()) {
                continue;
            }
            try {
                addrs.add(Multiaddr.fromBytes(info.getMultiaddr().toByteArray()));
            } catch (Libp2pException | IllegalArgumentException e) {
                // undecodable address: skip (see Javadoc)
            }
        }
        return new PeerRecord(id, pb.getSeq(), addrs);
    }

    /**
     * Signs this record with {@code key} into an envelope.
     *
     * @throws IllegalArgumentException if {@code key} is not the key of {@link #peerId()}
     */
    public SignedEnvelope seal(PrivateKey key) {
        if (!peerId.equals(Objects.requireNonNull(key, "key").publicKey().peerId())) {
            throw new IllegalArgumentException("peer record for " + peerId + " cannot be signed by the key of "
                    + key.publicKey().peerId());
        }
        return SignedEnvelope.seal(key, DOMAIN, PAYLOAD_TYPE, encode());
    }

    /**
     * Extracts the record from an opened envelope, checking that it is a peer record signed by the peer
     * it describes.
     *
     * @throws InvalidPeerRecordException if the payload type is not {@code 0x03 0x01}, the payload is not
     *     a valid record, or the record's peer id is not the signer's
     */
    public static PeerRecord fromEnvelope(SignedEnvelope envelope) {
        Objects.requireNonNull(envelope, "envelope");
        if (!envelope.hasPayloadType(PAYLOAD_TYPE)) {
            throw new InvalidPeerRecordException("envelope payload type is not a peer record (expected 0301, got "
                    + java.util.HexFormat.of().formatHex(envelope.payloadType()) + ")");
        }
        PeerRecord record = decode(envelope.payload());
        if (!record.peerId().equals(envelope.peerId())) {
            throw new InvalidPeerRecordException("peer record for " + record.peerId() + " was signed by "
                    + envelope.peerId());
        }
        return record;
    }

    /**
     * Opens a signed peer record envelope: verifies the signature for {@value #DOMAIN} and returns the
     * record, checked as by {@link #fromEnvelope(SignedEnvelope)}.
     *
     * @throws InvalidEnvelopeException if the envelope is malformed or its signature does not verify
     * @throws InvalidPeerRecordException if the envelope does not hold a valid record of its signer
     */
    public static PeerRecord openSigned(byte[] envelopeBytes) {
        return fromEnvelope(SignedEnvelope.open(envelopeBytes, DOMAIN));
    }
}
