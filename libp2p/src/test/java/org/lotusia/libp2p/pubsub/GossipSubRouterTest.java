package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.lotusia.libp2p.pubsub.PubsubTestNodes.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.pubsub.pb.RpcProto;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.lotusia.libp2p.pubsub.PubsubTestNodes.FAST;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.connect;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.eventually;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LeakDetectionExtension.class)
class GossipSubRouterTest {
    private static final String TOPIC = "lotus/test";

    private final PubsubTestNodes nodes = new PubsubTestNodes();

    @AfterEach
    void stop() throws Exception {
        nodes.close();
    }

    private Host host() {
        return nodes.host();
    }

    private Node node() {
        return node(FAST);
    }

    private Node node(GossipSubConfig config) {
        return nodes.node(config, new SimplePeerScoring());
    }


    private static void awaitTopicPeer(Node node, Node peer, String topic) throws InterruptedException {
        eventually(node.host().peerId() + " to see " + peer.host().peerId() + " on " + topic,
                () -> node.router().topicPeers(topic).join().contains(peer.host().peerId()));
    }

    private static String text(PubsubMessage message) {
        return new String(message.data(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void subscriptionsPropagateAndMeshForms() throws Exception {
        Node a = node();
        Node b = node();
        connect(a.host(), b.host());
        subscribe(b, TOPIC);
        awaitTopicPeer(a, b, TOPIC);
        assertThat(a.router().meshPeers(TOPIC).join()).isEmpty();
        subscribe(a, TOPIC);
        awaitTopicPeer(b, a, TOPIC);
        eventually("mesh a-b", () -> a.router().meshPeers(TOPIC).join().contains(b.host().peerId())
                && b.router().meshPeers(TOPIC).join().contains(a.host().peerId()));
        assertThat(a.router().topics().join()).containsExactly(TOPIC);
        // A subscription made before the connection is announced when the stream opens.
        Node c = node();
        subscribe(c, "other");
        connect(c.host(), a.host());
        awaitTopicPeer(a, c, "other");
    }

    @Test
    void publishReachesEveryoneOnALineOnce() throws Exception {
        Node a = node();
        Node b = node();
        Node c = node();
        connect(a.host(), b.host());
        connect(b.host(), c.host());
        BlockingQueue<PubsubMessage> qa = subscribe(a, TOPIC);
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        BlockingQueue<PubsubMessage> qc = subscribe(c, TOPIC);
        awaitTopicPeer(a, b, TOPIC);
        awaitTopicPeer(c, b, TOPIC);
        eventually("b's mesh", () -> b.router().meshPeers(TOPIC).join().size() == 2);

        assertThat(a.router().publish(TOPIC, bytes("from a")).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        PubsubMessage atB = qb.poll(5, TimeUnit.SECONDS);
        PubsubMessage atC = qc.poll(5, TimeUnit.SECONDS);
        assertThat(atB).isNotNull();
        assertThat(atC).isNotNull();
        assertThat(text(atC)).isEqualTo("from a");
        assertThat(atC.from()).contains(a.host().peerId());
        assertThat(atC.receivedFrom()).contains(b.host().peerId());
        assertThat(atC.topic()).isEqualTo(TOPIC);

        c.router().publish(TOPIC, bytes("from c")).get(5, TimeUnit.SECONDS);
        assertThat(text(qa.poll(5, TimeUnit.SECONDS))).isEqualTo("from c");
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("from c");
        // No duplicates, no echo to the publisher.
        Thread.sleep(300);
        assertThat(qa).isEmpty();
        assertThat(qb).isEmpty();
        assertThat(qc).isEmpty();
    }

    @Test
    void publishReachesEveryoneInASparseMesh() throws Exception {
        List<Node> nodes = new ArrayList<>();
        List<BlockingQueue<PubsubMessage>> queues = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            nodes.add(node());
        }
        // ring 0-1-2-3-4-0
        for (int i = 0; i < 5; i++) {
            connect(nodes.get(i).host(), nodes.get((i + 1) % 5).host());
        }
        for (Node node : nodes) {
            queues.add(subscribe(node, TOPIC));
        }
        for (int i = 0; i < 5; i++) {
            awaitTopicPeer(nodes.get(i), nodes.get((i + 1) % 5), TOPIC);
            awaitTopicPeer(nodes.get((i + 1) % 5), nodes.get(i), TOPIC);
        }
        for (int round = 0; round < 5; round++) {
            String payload = "round " + round;
            nodes.get(round).router().publish(TOPIC, bytes(payload)).get(5, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                if (i == round) {
                    continue;
                }
                PubsubMessage got = queues.get(i).poll(5, TimeUnit.SECONDS);
                assertThat(got).as("node %d round %d", i, round).isNotNull();
                assertThat(text(got)).isEqualTo(payload);
            }
        }
        Thread.sleep(300);
        for (BlockingQueue<PubsubMessage> queue : queues) {
            assertThat(queue).isEmpty();
        }
    }

    @Test
    void publishRightAfterSubscribeAndFanout() throws Exception {
        Node a = node();
        Node b = node();
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        awaitTopicPeer(a, b, TOPIC);
        // Not subscribed: fanout / flood publish.
        assertThat(a.router().publish(TOPIC, bytes("fanout")).get(5, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("fanout");
        // Subscribe and publish at once.
        BlockingQueue<PubsubMessage> qa = subscribe(a, TOPIC);
        a.router().publish(TOPIC, bytes("right away")).get(5, TimeUnit.SECONDS);
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("right away");
        // emitSelf is off by default.
        assertThat(qa.poll(200, TimeUnit.MILLISECONDS)).isNull();
        // Publishing where nobody listens fails (js default) unless allowed.
        assertThatThrownBy(() -> a.router().publish("nobody", bytes("x")).join())
                .hasCauseInstanceOf(PubsubException.class);
    }

    @Test
    void severalHandlersAndUnsubscribe() throws Exception {
        Node a = node();
        Node b = node();
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> first = new LinkedBlockingQueue<>();
        BlockingQueue<PubsubMessage> second = new LinkedBlockingQueue<>();
        GossipSubRouter.Subscription s1 = b.router().subscribe(TOPIC, first::add);
        GossipSubRouter.Subscription s2 = b.router().subscribe(TOPIC, second::add);
        awaitTopicPeer(a, b, TOPIC);
        a.router().publish(TOPIC, bytes("one")).get(5, TimeUnit.SECONDS);
        assertThat(text(first.poll(5, TimeUnit.SECONDS))).isEqualTo("one");
        assertThat(text(second.poll(5, TimeUnit.SECONDS))).isEqualTo("one");

        s1.close();
        a.router().publish(TOPIC, bytes("two")).get(5, TimeUnit.SECONDS);
        assertThat(text(second.poll(5, TimeUnit.SECONDS))).isEqualTo("two");
        assertThat(first.poll(200, TimeUnit.MILLISECONDS)).isNull();

        s2.close();
        eventually("a to forget b's subscription", () -> a.router().topicPeers(TOPIC).join().isEmpty());
        assertThat(b.router().topics().join()).isEmpty();
        assertThatThrownBy(() -> a.router().publish(TOPIC, bytes("three")).join()).hasCauseInstanceOf(PubsubException.class);
        assertThat(second.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void validatorsDecideDelivery() throws Exception {
        Node a = node();
        Node b = node();
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        b.router().setValidator(TOPIC, message -> java.util.concurrent.CompletableFuture.supplyAsync(() ->
                switch (text(message)) {
                    case "bad" -> ValidationResult.REJECT;
                    case "meh" -> ValidationResult.IGNORE;
                    default -> ValidationResult.ACCEPT;
                }));
        awaitTopicPeer(a, b, TOPIC);
        for (String payload : List.of("meh", "good", "bad")) {
            a.router().publish(TOPIC, bytes(payload)).get(5, TimeUnit.SECONDS);
        }
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("good");
        eventually("a penalised", () -> b.router().score(a.host().peerId()).join() < 0);
        assertThat(qb.poll(200, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void invalidDuplicateAndOversizedInputIsRejectedAndTheNodeStaysHealthy() throws Exception {
        Node a = node();
        Node b = node();
        Host raw = host();
        PrivateKey rawKey = raw.identity();
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        awaitTopicPeer(a, b, TOPIC);

        Libp2pStream stream = raw.connect(b.host().shareableAddresses().get(0)).get(10, TimeUnit.SECONDS)
                .newStream(List.of(GossipSubRouter.MESHSUB_1_1), s -> { })
                .get(10, TimeUnit.SECONDS);
        RpcProto.Message valid = MessageSigner.sign(rawKey, TOPIC, bytes("valid"), 7);
        RpcProto.Message badSignature = valid.toBuilder().setData(ByteString.copyFromUtf8("tampered")).build();
        PrivateKey other = Keys.generateEd25519();
        RpcProto.Message wrongFrom = MessageSigner.sign(other, TOPIC, bytes("wrong from"), 8).toBuilder()
                .setFrom(ByteString.copyFrom(raw.peerId().toBytes())).build();
        RpcProto.Message unsigned = valid.toBuilder().clearSignature().setSeqno(
                ByteString.copyFrom(new byte[]{0, 0, 0, 0, 0, 0, 0, 9})).build();
        RpcProto.RPC rpc = RpcProto.RPC.newBuilder()
                .addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopic(TOPIC))
                .addMessages(badSignature).addMessages(wrongFrom).addMessages(unsigned)
                .addMessages(valid).addMessages(valid).build();
        write(stream, rpc.toByteArray());
        write(stream, RpcProto.RPC.newBuilder().addMessages(valid).build().toByteArray());

        PubsubMessage got = qb.poll(5, TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(text(got)).isEqualTo("valid");
        assertThat(got.from()).contains(raw.peerId());
        assertThat(qb.poll(300, TimeUnit.MILLISECONDS)).as("duplicates and invalid messages").isNull();
        assertThat(b.router().score(raw.peerId()).join()).isLessThan(0);

        // An oversized RPC closes the stream.
        ByteBuf huge = Unpooled.buffer(10);
        org.lotusia.libp2p.multiformats.Varint.write(8L << 20, huge);
        stream.channel().writeAndFlush(huge);
        stream.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(stream.channel().isActive()).isFalse();

        // Garbage protobuf closes a fresh stream too.
        Libp2pStream second = raw.connection(b.host().peerId()).orElseThrow()
                .newStream(List.of(GossipSubRouter.MESHSUB_1_2), s -> { }).get(10, TimeUnit.SECONDS);
        write(second, new byte[]{(byte) 0xff, (byte) 0xff, (byte) 0xff});
        second.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(second.channel().isActive()).isFalse();

        // B still works with A.
        a.router().publish(TOPIC, bytes("still alive")).get(5, TimeUnit.SECONDS);
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("still alive");
    }

    private static void write(Libp2pStream stream, byte[] payload) {
        stream.channel().writeAndFlush(UvarintFrameEncoder.frame(stream.channel().alloc(), Unpooled.wrappedBuffer(payload)));
    }

    @Test
    void closeReleasesTheThreadAndTheProtocols() throws Exception {
        Node a = node();
        Node b = node();
        connect(a.host(), b.host());
        subscribe(a, TOPIC);
        subscribe(b, TOPIC);
        awaitTopicPeer(a, b, TOPIC);
        eventually("b's mesh", () -> b.router().meshPeers(TOPIC).join().contains(a.host().peerId()));
        String threadName = "lotus-gossipsub-" + a.host().peerId().toString().substring(a.host().peerId().toString().length() - 6);
        assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals(threadName));
        a.router().close();
        a.router().close();
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals(threadName) && t.isAlive());
        assertThat(a.host().protocols().protocols()).doesNotContainAnyElementsOf(GossipSubRouter.PROTOCOLS);
        assertThatThrownBy(() -> a.router().publish(TOPIC, bytes("x")).join()).hasCauseInstanceOf(PubsubException.class);
        // B's stream from A was closed: B drops A from its mesh once A's subscription is gone or the
        // stream replacement fails; at least B's router keeps working and A's host too.
        assertThat(a.host().isClosed()).isFalse();
    }

    @Test
    void peersOutsideTheMeshGetMessagesThroughGossip() throws Exception {
        GossipSubConfig narrow = FAST.toBuilder().mesh(1, 1, 1).build();
        Node hub = node(narrow);
        List<Node> leaves = new ArrayList<>();
        List<BlockingQueue<PubsubMessage>> queues = new ArrayList<>();
        subscribe(hub, TOPIC);
        for (int i = 0; i < 3; i++) {
            Node leaf = node(narrow);
            leaves.add(leaf);
            queues.add(subscribe(leaf, TOPIC));
            connect(leaf.host(), hub.host());
        }
        for (Node leaf : leaves) {
            awaitTopicPeer(hub, leaf, TOPIC);
            awaitTopicPeer(leaf, hub, TOPIC);
        }
        eventually("hub mesh of one", () -> hub.router().meshPeers(TOPIC).join().size() == 1);
        Thread.sleep(500);
        assertThat(hub.router().meshPeers(TOPIC).join()).hasSize(1);
        // Leaf 0 floods its message to the hub; the hub forwards to one mesh peer and gossips to the rest.
        leaves.get(0).router().publish(TOPIC, bytes("gossiped")).get(5, TimeUnit.SECONDS);
        for (int i = 1; i < 3; i++) {
            PubsubMessage got = queues.get(i).poll(5, TimeUnit.SECONDS);
            assertThat(got).as("leaf %d", i).isNotNull();
            assertThat(text(got)).isEqualTo("gossiped");
        }
        Thread.sleep(500);
        for (BlockingQueue<PubsubMessage> queue : queues) {
            assertThat(queue).isEmpty();
        }
    }

    @Test
    void graftPruneBackoffAndIwantOnTheWire() throws Exception {
        Node b = node();
        Host raw = host();
        BlockingQueue<RpcProto.RPC> fromB = new LinkedBlockingQueue<>();
        raw.setStreamHandler(GossipSubRouter.MESHSUB_1_1, s -> s.channel().pipeline().addLast(
                new org.lotusia.libp2p.codec.UvarintFrameDecoder(1 << 20),
                new io.netty.channel.SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(io.netty.channel.ChannelHandlerContext ctx, ByteBuf msg) throws Exception {
                        fromB.add(RpcProto.RPC.parseFrom(io.netty.buffer.ByteBufUtil.getBytes(msg)));
                    }
                }));
        subscribe(b, TOPIC);
        connect(raw, b.host());
        // B opens its stream to the raw peer (identified as meshsub) and announces its subscription first.
        RpcProto.RPC hello = fromB.poll(5, TimeUnit.SECONDS);
        assertThat(hello).isNotNull();
        assertThat(hello.getSubscriptionsList()).anyMatch(sub -> sub.getSubscribe() && sub.getTopic().equals(TOPIC));

        Libp2pStream toB = raw.connection(b.host().peerId()).orElseThrow()
                .newStream(List.of(GossipSubRouter.MESHSUB_1_1), s -> { }).get(10, TimeUnit.SECONDS);
        RpcProto.ControlGraft graft = RpcProto.ControlGraft.newBuilder().setTopicID(TOPIC).build();
        write(toB, RpcProto.RPC.newBuilder()
                .addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopic(TOPIC))
                .setControl(RpcProto.ControlMessage.newBuilder().addGraft(graft)
                        .addGraft(RpcProto.ControlGraft.newBuilder().setTopicID("not-subscribed"))).build().toByteArray());
        eventually("raw in b's mesh", () -> b.router().meshPeers(TOPIC).join().contains(raw.peerId()));

        // IWANT for a message B published is served.
        b.router().publish(TOPIC, bytes("cached")).get(5, TimeUnit.SECONDS);
        RpcProto.Message published = awaitRpc(fromB, rpc -> rpc.getMessagesCount() > 0).getMessages(0);
        ByteString id = MessageIdFunction.JS_STRICT_SIGN.id(published);
        write(toB, RpcProto.RPC.newBuilder().setControl(RpcProto.ControlMessage.newBuilder()
                .addIwant(RpcProto.ControlIWant.newBuilder().addMessageIDs(id))).build().toByteArray());
        assertThat(awaitRpc(fromB, rpc -> rpc.getMessagesCount() > 0).getMessages(0)).isEqualTo(published);

        // PRUNE with a backoff, then a GRAFT inside the backoff: B answers with PRUNE and keeps us out.
        write(toB, RpcProto.RPC.newBuilder().setControl(RpcProto.ControlMessage.newBuilder()
                .addPrune(RpcProto.ControlPrune.newBuilder().setTopicID(TOPIC).setBackoff(30))).build().toByteArray());
        eventually("raw out of b's mesh", () -> !b.router().meshPeers(TOPIC).join().contains(raw.peerId()));
        write(toB, RpcProto.RPC.newBuilder().setControl(RpcProto.ControlMessage.newBuilder().addGraft(graft))
                .build().toByteArray());
        RpcProto.ControlPrune prune = awaitRpc(fromB, rpc -> rpc.getControl().getPruneCount() > 0).getControl().getPrune(0);
        assertThat(prune.getTopicID()).isEqualTo(TOPIC);
        assertThat(prune.getBackoff()).isEqualTo(60);
        Thread.sleep(300);
        assertThat(b.router().meshPeers(TOPIC).join()).doesNotContain(raw.peerId());
    }

    @Test
    void strictNoSignNodesExchangeAnonymousMessages() throws Exception {
        GossipSubConfig anonymous = FAST.toBuilder().signaturePolicy(SignaturePolicy.STRICT_NO_SIGN).messageIdFunction(null).build();
        Node a = node(anonymous);
        Node b = node(anonymous);
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        awaitTopicPeer(a, b, TOPIC);
        a.router().publish(TOPIC, bytes("anon")).get(5, TimeUnit.SECONDS);
        PubsubMessage got = qb.poll(5, TimeUnit.SECONDS);
        assertThat(got).isNotNull();
        assertThat(text(got)).isEqualTo("anon");
        assertThat(got.from()).isEmpty();
        assertThat(got.seqno()).isEmpty();
        assertThat(got.toProto().hasSignature()).isFalse();
        // Same data again has the same id (sha256(data)): a duplicate, refused.
        assertThatThrownBy(() -> a.router().publish(TOPIC, bytes("anon")).join()).hasCauseInstanceOf(PubsubException.class);
    }

    private static RpcProto.RPC awaitRpc(BlockingQueue<RpcProto.RPC> queue, java.util.function.Predicate<RpcProto.RPC> filter)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            RpcProto.RPC rpc = queue.poll(100, TimeUnit.MILLISECONDS);
            if (rpc != null && filter.test(rpc)) {
                return rpc;
            }
        }
        throw new AssertionError("no matching RPC");
    }
}
