package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.pubsub.pb.RpcProto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Builds and checks pubsub messages under a {@link SignaturePolicy}. StrictSign signs
 * {@code utf8("libp2p-pubsub:") || protobuf(Message{from, data, seqno, topic})} with the author's
 * identity key and carries the author's public key in {@code key} (as js does).
 */
public final class MessageSigner {
    /** The prefix of the signed bytes. */
    public static final byte[] SIGN_PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.UTF_8);
    /** Length of the sequence number js requires. */
    public static final int SEQNO_LENGTH = 8;

    private MessageSigner() {
    }

    /** A signed message by {@code author} (from, data, 8-byte seqno, topic, signature, key). */
    public static RpcProto.Message sign(PrivateKey author, String topic, byte[] data, long seqno) {
        RpcProto.Message unsigned = RpcProto.Message.newBuilder()
                .setFrom(ByteString.copyFrom(author.publicKey().peerId().toBytes()))
                .setData(ByteString.copyFrom(data))
                .setSeqno(ByteString.copyFrom(ByteBuffer.allocate(SEQNO_LENGTH).putLong(seqno).array()))
                .setTopic(topic)
                .build();
        byte[] signature = author.sign(signedBytes(unsigned));
        return unsigned.toBuilder()
                .setSignature(ByteString.copyFrom(signature))
                .setKey(ByteString.copyFrom(author.publicKey().marshal()))
                .build();
    }

    /** An anonymous message (StrictNoSign): topic and data only. */
    public static RpcProto.Message anonymous(String topic, byte[] data) {
        return RpcProto.Message.newBuilder().setData(ByteString.copyFrom(data)).setTopic(topic).build();
    }

    /** The bytes a StrictSign signature covers: the prefix and fields 1..4 of {@code message}, re-encoded. */
    public static byte[] signedBytes(RpcProto.Message message) {
        RpcProto.Message.Builder fields = RpcProto.Message.newBuilder();
        if (message.hasFrom()) {
            fields.setFrom(message.getFrom());
        }
        if (message.hasData()) {
            fields.setData(message.getData());
        }
        if (message.hasSeqno()) {
            fields.setSeqno(message.getSeqno());
        }
        if (message.hasTopic()) {
            fields.setTopic(message.getTopic());
        }
        byte[] body = fields.build().toByteArray();
        byte[] out = new byte[SIGN_PREFIX.length + body.length];
        System.arraycopy(SIGN_PREFIX, 0, out, 0, SIGN_PREFIX.length);
        System.arraycopy(body, 0, out, SIGN_PREFIX.length, body.length);
        return out;
    }

    /**
     * Checks {@code message} against {@code policy}. Returns the author's public key for StrictSign,
     * empty for StrictNoSign.
     *
     * @throws PubsubException if the message does not meet the policy
     */
    public static Optional<PublicKey> verify(RpcProto.Message message, SignaturePolicy policy) {
        if (!message.hasTopic()) {
            throw new PubsubException("message without topic");
        }
        if (policy == SignaturePolicy.STRICT_NO_SIGN) {
            if (message.hasFrom() || message.hasSeqno() || message.hasSignature() || message.hasKey()) {
                throw new PubsubException("StrictNoSign message carries from, seqno, signature or key");
            }
            return Optional.empty();
        }
        if (!message.hasSeqno() || message.getSeqno().size() != SEQNO_LENGTH) {
            throw new PubsubException("message without an 8-byte seqno");
        }
        if (!message.hasSignature()) {
            throw new PubsubException("unsigned message");
        }
        if (!message.hasFrom()) {
            throw new PubsubException("message without from");
        }
        PublicKey key = authorKey(message);
        if (!key.verify(signedBytes(message), message.getSignature().toByteArray())) {
            throw new PubsubException("invalid message signature");
        }
        return Optional.of(key);
    }

    /**
     * The author's public key: {@code key} if present (it must belong to {@code from}), else the key
     * inlined in {@code from}.
     *
     * @throws PubsubException if neither yields a key that matches {@code from}
     */
    public static PublicKey authorKey(RpcProto.Message message) {
        PeerId from;
        try {
            from = PeerId.fromBytes(message.getFrom().toByteArray());
        } catch (Libp2pException | IllegalArgumentException e) {
            throw new PubsubException("message from is not a peer id: " + e.getMessage(), e);
        }
        if (message.hasKey()) {
            PublicKey key;
            try {
                key = Keys.unmarshalPublicKey(message.getKey().toByteArray());
            } catch (Libp2pException | IllegalArgumentException e) {
                throw new PubsubException("message key is not a public key: " + e.getMessage(), e);
            }
            if (!from.matches(key)) {
                throw new PubsubException("message key does not belong to from " + from);
            }
            return key;
        }
        return from.extractPublicKey()
                .orElseThrow(() -> new PubsubException("message without key and from " + from + " does not inline one"));
    }
}
