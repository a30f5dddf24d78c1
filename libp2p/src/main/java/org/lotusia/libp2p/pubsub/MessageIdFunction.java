package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.pubsub.pb.RpcProto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Computes the id a message is known by in the seen cache, message cache, IHAVE, IWANT and IDONTWANT.
 * Every peer in a network must use the same function.
 */
@FunctionalInterface
public interface MessageIdFunction {
    /**
     * The id of {@code message}.
     *
     * @throws PubsubException if the message lacks what the function needs
     */
    ByteString id(RpcProto.Message message);

    /**
     * js-libp2p's StrictSign id: the author's PublicKey protobuf bytes followed by the 8-byte seqno
     * (for Ed25519 authors that is {@code from} without its 2-byte multihash prefix).
     */
    MessageIdFunction JS_STRICT_SIGN = message -> {
        if (!message.hasSeqno()) {
            throw new PubsubException("message without seqno");
        }
        return ByteString.copyFrom(MessageSigner.authorKey(message).marshal()).concat(message.getSeqno());
    };

    /** The spec's (and go-libp2p's) default: {@code from || seqno}. */
    MessageIdFunction FROM_AND_SEQNO = message -> message.getFrom().concat(message.getSeqno());

    /** js's StrictNoSign id: sha256(data). */
    MessageIdFunction SHA256_DATA = message -> {
        try {
            return ByteString.copyFrom(MessageDigest.getInstance("SHA-256").digest(message.getData().toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    };

    /** The js default for {@code policy}. */
    static MessageIdFunction defaultFor(SignaturePolicy policy) {
        return policy == SignaturePolicy.STRICT_SIGN ? JS_STRICT_SIGN : SHA256_DATA;
    }
}
