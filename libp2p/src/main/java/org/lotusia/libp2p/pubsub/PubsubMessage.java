package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.crypto.InvalidPeerIdException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.pubsub.pb.RpcProto;

import java.util.Objects;
import java.util.Optional;

/**
 * An immutable pubsub message: the wire {@link RpcProto.Message} plus who handed it to us
 * ({@link #receivedFrom()}, empty for our own messages).
 */
public final class PubsubMessage {
    private final RpcProto.Message proto;
    private final PeerId receivedFrom;

    /** Wraps a wire message; {@code receivedFrom} may be null for a locally published one. */
    public PubsubMessage(RpcProto.Message proto, PeerId receivedFrom) {
        this.proto = Objects.requireNonNull(proto, "proto");
        this.receivedFrom = receivedFrom;
    }

    /** The topic. */
    public String topic() {
        return proto.getTopic();
    }

    /** A copy of the payload. */
    public byte[] data() {
        return proto.getData().toByteArray();
    }

    /** The payload without copying. */
    public ByteString dataBytes() {
        return proto.getData();
    }

    /** The author, if the message carries a decodable {@code from}. */
    public Optional<PeerId> from() {
        if (!proto.hasFrom()) {
            return Optional.empty();
        }
        try {
            return Optional.of(PeerId.fromBytes(proto.getFrom().toByteArray()));
        } catch (InvalidPeerIdException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The sequence number bytes (8 bytes, big-endian, for signed messages), if present. */
    public Optional<ByteString> seqno() {
        return proto.hasSeqno() ? Optional.of(proto.getSeqno()) : Optional.empty();
    }

    /** The peer that sent us this message; empty for our own. */
    public Optional<PeerId> receivedFrom() {
        return Optional.ofNullable(receivedFrom);
    }

    /** The wire form. */
    public RpcProto.Message toProto() {
        return proto;
    }

    @Override
    public String toString() {
        return "PubsubMessage[topic=" + topic() + ", from=" + from().map(PeerId::toString).orElse("-")
                + ", " + proto.getData().size() + " bytes]";
    }
}
