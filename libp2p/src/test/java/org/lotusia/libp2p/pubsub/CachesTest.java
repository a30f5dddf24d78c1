package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.pubsub.pb.RpcProto;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachesTest {
    private static RpcProto.Message message(String topic, int n) {
        return RpcProto.Message.newBuilder().setTopic(topic).setData(ByteString.copyFrom(new byte[]{(byte) n})).build();
    }

    private static ByteString id(int n) {
        return ByteString.copyFrom(new byte[]{(byte) n});
    }

    @Test
    void messageCacheKeepsLengthWindowsAndGossipsTheNewest() {
        MessageCache cache = new MessageCache(5, 3);
        assertThat(cache.put(id(1), message("a", 1))).isTrue();
        assertThat(cache.put(id(1), message("a", 1))).isFalse();
        cache.put(id(2), message("b", 2));
        assertThat(cache.gossipIds("a")).containsExactly(id(1));
        for (int i = 0; i < 3; i++) {
            cache.shift();
        }
        assertThat(cache.gossipIds("a")).isEmpty();
        assertThat(cache.get(id(1))).isPresent();
        cache.shift();
        assertThat(cache.get(id(1))).isPresent();
        cache.shift();
        assertThat(cache.get(id(1))).isEmpty();
        assertThat(cache.size()).isZero();
    }

    @Test
    void messageCacheLimitsRetransmissionsPerPeer() {
        MessageCache cache = new MessageCache(5, 3);
        cache.put(id(1), message("a", 1));
        for (int i = 0; i < 3; i++) {
            assertThat(cache.getForPeer(id(1), "p", 3)).isPresent();
        }
        assertThat(cache.getForPeer(id(1), "p", 3)).isEmpty();
        assertThat(cache.getForPeer(id(1), "q", 3)).isPresent();
        assertThat(cache.getForPeer(id(9), "q", 3)).isEmpty();
    }

    @Test
    void seenCacheExpiresAndIsBounded() {
        SeenCache seen = new SeenCache(100, 3);
        assertThat(seen.add(id(1), 0)).isTrue();
        assertThat(seen.add(id(1), 1)).isFalse();
        seen.add(id(2), 50);
        seen.expire(120);
        assertThat(seen.contains(id(1))).isFalse();
        assertThat(seen.contains(id(2))).isTrue();
        seen.add(id(3), 60);
        seen.add(id(4), 60);
        seen.add(id(5), 60);
        assertThat(seen.size()).isEqualTo(3);
        assertThat(seen.contains(id(2))).isFalse();
    }

    @Test
    void configDefaultsAreJsAndValidated() {
        GossipSubConfig config = GossipSubConfig.defaults();
        assertThat(config.d()).isEqualTo(6);
        assertThat(config.dlo()).isEqualTo(4);
        assertThat(config.dhi()).isEqualTo(12);
        assertThat(config.dlazy()).isEqualTo(6);
        assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.fanoutTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.mcacheLength()).isEqualTo(5);
        assertThat(config.mcacheGossip()).isEqualTo(3);
        assertThat(config.seenTtl()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.maxRpcSize()).isEqualTo(4 << 20);
        assertThat(config.dscore()).isEqualTo(4);
        assertThat(config.dout()).isEqualTo(2);
        assertThat(config.prunePeers()).isEqualTo(16);
        assertThat(config.doPx()).isFalse();
        assertThat(config.opportunisticGraftTicks()).isEqualTo(60);
        assertThat(config.opportunisticGraftPeers()).isEqualTo(2);
        assertThat(config.graftFloodThreshold()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.iwantFollowupTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.maxIHaveMessages()).isEqualTo(10);
        assertThat(config.maxIWantIdsPerHeartbeat()).isEqualTo(5000);
        assertThatThrownBy(() -> GossipSubConfig.builder().meshRetention(2, 4).build()).isInstanceOf(IllegalArgumentException.class);
        assertThat(GossipSubConfig.builder().mesh(1, 1, 1).build().dout()).isZero();
        assertThat(config.messageIdFunction()).isSameAs(MessageIdFunction.JS_STRICT_SIGN);
        assertThat(config.toBuilder().signaturePolicy(SignaturePolicy.STRICT_NO_SIGN).messageIdFunction(null).build()
                .messageIdFunction()).isSameAs(MessageIdFunction.SHA256_DATA);
        assertThatThrownBy(() -> GossipSubConfig.builder().mesh(6, 8, 12).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSubConfig.builder().messageCache(2, 3).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rpcCountLimits() {
        RpcProto.RPC.Builder ok = RpcProto.RPC.newBuilder();
        RpcProto.ControlIDontWant.Builder idw = RpcProto.ControlIDontWant.newBuilder();
        for (int i = 0; i < 512; i++) {
            idw.addMessageIDs(id(i));
        }
        ok.setControl(RpcProto.ControlMessage.newBuilder().addIdontwant(idw));
        assertThat(GossipSubRouter.withinLimits(ok.build())).isTrue();
        idw.addMessageIDs(id(1));
        assertThat(GossipSubRouter.withinLimits(RpcProto.RPC.newBuilder()
                .setControl(RpcProto.ControlMessage.newBuilder().addIdontwant(idw)).build())).isFalse();
        RpcProto.RPC.Builder subs = RpcProto.RPC.newBuilder();
        for (int i = 0; i <= GossipSubRouter.MAX_SUBSCRIPTIONS; i++) {
            subs.addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopic("t" + i));
        }
        assertThat(GossipSubRouter.withinLimits(subs.build())).isFalse();
    }
}
