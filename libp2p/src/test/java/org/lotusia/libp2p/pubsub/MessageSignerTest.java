package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.pubsub.pb.RpcProto;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageSignerTest {
    private static final HexFormat HEX = HexFormat.of();
    /** interop-notes §2.4 Ed25519 private key. */
    private static final PrivateKey KEY = Keys.unmarshalPrivateKey(HEX.parseHex(
            "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e"));

    private static RpcProto.Message vector() {
        return MessageSigner.sign(KEY, "test", "hello".getBytes(StandardCharsets.UTF_8), 1);
    }

    @Test
    void signsLikeJs() {
        RpcProto.Message message = vector();
        byte[] signed = MessageSigner.signedBytes(message);
        assertThat(HEX.formatHex(signed)).isEqualTo(HEX.formatHex("libp2p-pubsub:".getBytes(StandardCharsets.UTF_8))
                + "0a260024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e120568656c6c6f1a080000000000000001220474657374");
        assertThat(HEX.formatHex(message.getSignature().toByteArray())).isEqualTo(
                "f05e62a21b5f1f89b4ab356feb34c493746a2af8ef2fa03b9fd4956fb40d3c279b1eae5153c6b28dce3b2f9bed546dc1cfd5a71513af0aa38ee38d31675ac30f");
        assertThat(message.getKey().toByteArray()).isEqualTo(KEY.publicKey().marshal());
        assertThat(MessageSigner.verify(message, SignaturePolicy.STRICT_SIGN)).contains(KEY.publicKey());
    }

    @Test
    void subscribeRpcEncodesLikeJs() {
        RpcProto.RPC rpc = RpcProto.RPC.newBuilder().addSubscriptions(
                RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopic("test")).build();
        assertThat(HEX.formatHex(rpc.toByteArray())).isEqualTo("0a080801120474657374");
    }

    @Test
    void jsMessageIdIsKeyProtobufAndSeqno() {
        assertThat(HEX.formatHex(MessageIdFunction.JS_STRICT_SIGN.id(vector()).toByteArray()))
                .isEqualTo("080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e0000000000000001");
        assertThat(HEX.formatHex(MessageIdFunction.FROM_AND_SEQNO.id(vector()).toByteArray()))
                .isEqualTo("0024080112201ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e0000000000000001");
        // Without the key field the key is taken from the inlined peer id: same id.
        assertThat(MessageIdFunction.JS_STRICT_SIGN.id(vector().toBuilder().clearKey().build()))
                .isEqualTo(MessageIdFunction.JS_STRICT_SIGN.id(vector()));
        assertThat(MessageIdFunction.SHA256_DATA.id(vector()).size()).isEqualTo(32);
    }

    @Test
    void keyIsOptionalForInlinedPeerIds() {
        assertThat(MessageSigner.verify(vector().toBuilder().clearKey().build(), SignaturePolicy.STRICT_SIGN))
                .contains(KEY.publicKey());
    }

    @Test
    void rejectsTamperedUnsignedOrMismatchedMessages() {
        RpcProto.Message good = vector();
        assertThatThrownBy(() -> MessageSigner.verify(good.toBuilder().setData(ByteString.copyFromUtf8("hellO")).build(),
                SignaturePolicy.STRICT_SIGN)).isInstanceOf(PubsubException.class).hasMessageContaining("signature");
        assertThatThrownBy(() -> MessageSigner.verify(good.toBuilder().clearSignature().build(), SignaturePolicy.STRICT_SIGN))
                .isInstanceOf(PubsubException.class);
        assertThatThrownBy(() -> MessageSigner.verify(good.toBuilder().clearFrom().build(), SignaturePolicy.STRICT_SIGN))
                .isInstanceOf(PubsubException.class);
        assertThatThrownBy(() -> MessageSigner.verify(good.toBuilder().setSeqno(ByteString.copyFrom(new byte[4])).build(),
                SignaturePolicy.STRICT_SIGN)).isInstanceOf(PubsubException.class).hasMessageContaining("seqno");
        PrivateKey other = Keys.generateEd25519();
        // from names another peer: key no longer matches from
        assertThatThrownBy(() -> MessageSigner.verify(good.toBuilder()
                .setFrom(ByteString.copyFrom(other.publicKey().peerId().toBytes())).build(), SignaturePolicy.STRICT_SIGN))
                .isInstanceOf(PubsubException.class).hasMessageContaining("does not belong");
        // signed by another key but claiming our from (with the other key): mismatch
        RpcProto.Message forged = MessageSigner.sign(other, "test", new byte[]{1}, 5).toBuilder()
                .setFrom(good.getFrom()).clearKey().build();
        assertThatThrownBy(() -> MessageSigner.verify(forged, SignaturePolicy.STRICT_SIGN))
                .isInstanceOf(PubsubException.class).hasMessageContaining("signature");
        assertThatThrownBy(() -> MessageSigner.verify(good.toBuilder().setFrom(ByteString.copyFromUtf8("junk")).build(),
                SignaturePolicy.STRICT_SIGN)).isInstanceOf(PubsubException.class);
        assertThatThrownBy(() -> MessageSigner.verify(good.toBuilder().setKey(ByteString.copyFromUtf8("junk")).build(),
                SignaturePolicy.STRICT_SIGN)).isInstanceOf(PubsubException.class);
    }

    @Test
    void strictNoSign() {
        RpcProto.Message anonymous = MessageSigner.anonymous("t", new byte[]{1, 2});
        assertThat(MessageSigner.verify(anonymous, SignaturePolicy.STRICT_NO_SIGN)).isEmpty();
        assertThatThrownBy(() -> MessageSigner.verify(vector(), SignaturePolicy.STRICT_NO_SIGN)).isInstanceOf(PubsubException.class);
        assertThatThrownBy(() -> MessageSigner.verify(anonymous, SignaturePolicy.STRICT_SIGN)).isInstanceOf(PubsubException.class);
    }
}
