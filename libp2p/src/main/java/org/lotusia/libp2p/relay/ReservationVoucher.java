package org.lotusia.libp2p.relay;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.crypto.SignedEnvelope;
import org.lotusia.libp2p.relay.pb.CircuitProto;

import java.time.Instant;
import java.util.Objects;

/**
 * A relay's signed promise to serve {@code peer} until {@code expiration}: the payload of a signed
 * envelope (domain {@code libp2p-relay-rsvp}, payload type {@code 0x0302}).
 *
 * @param relay      the relay's peer id (the envelope's signer)
 * @param peer       the reserving peer
 * @param expiration when the reservation ends (whole seconds)
 */
public record ReservationVoucher(PeerId relay, PeerId peer, Instant expiration) {

    /** Validates the voucher. */
    public ReservationVoucher {
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(expiration, "expiration");
    }

    /** Signs the voucher with the relay's key, which must be {@link #relay()}'s. */
    public SignedEnvelope seal(PrivateKey relayKey) {
        if (!relayKey.publicKey().peerId().equals(relay)) {
            throw new IllegalArgumentException("a voucher is signed by its relay " + relay);
        }
        byte[] payload = CircuitProto.ReservationVoucher.newBuilder()
                .setRelay(ByteString.copyFrom(relay.toBytes()))
                .setPeer(ByteString.copyFrom(peer.toBytes()))
                .setExpiration(expiration.getEpochSecond())
                .build().toByteArray();
        return SignedEnvelope.seal(relayKey, CircuitRelay.VOUCHER_DOMAIN, CircuitRelay.VOUCHER_PAYLOAD_TYPE, payload);
    }

    /**
     * Opens and verifies a voucher envelope: signature for the voucher domain, payload type, and a
     * signer that is the relay named inside.
     *
     * @throws InvalidRelayMessageException if any check fails
     */
    public static ReservationVoucher open(byte[] envelopeBytes) {
        SignedEnvelope envelope;
        try {
            envelope = SignedEnvelope.open(envelopeBytes, CircuitRelay.VOUCHER_DOMAIN);
        } catch (Libp2pException e) {
            throw new InvalidRelayMessageException("invalid reservation voucher envelope: " + e.getMessage(), e);
        }
        if (!envelope.hasPayloadType(CircuitRelay.VOUCHER_PAYLOAD_TYPE)) {
            throw new InvalidRelayMessageException("reservation voucher has the wrong payload type");
        }
        CircuitProto.ReservationVoucher pb;
        try {
            pb = CircuitProto.ReservationVoucher.parseFrom(envelope.payload());
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRelayMessageException("malformed reservation voucher: " + e.getMessage(), e);
        }
        if (!pb.hasRelay() || !pb.hasPeer() || !pb.hasExpiration()) {
            throw new InvalidRelayMessageException("reservation voucher lacks relay, peer or expiration");
        }
        ReservationVoucher voucher;
        try {
            voucher = new ReservationVoucher(PeerId.fromBytes(pb.getRelay().toByteArray()),
                    PeerId.fromBytes(pb.getPeer().toByteArray()),
                    Instant.ofEpochSecond(Math.max(0, Math.min(pb.getExpiration(), Instant.MAX.getEpochSecond()))));
        } catch (Libp2pException e) {
            throw new InvalidRelayMessageException("reservation voucher names an invalid peer id: " + e.getMessage(), e);
        }
        if (!envelope.peerId().equals(voucher.relay())) {
            throw new InvalidRelayMessageException("reservation voucher for relay " + voucher.relay()
                    + " is signed by " + envelope.peerId());
        }
        return voucher;
    }
}
