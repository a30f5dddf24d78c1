package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.junit.jupiter.api.AfterEach;
import org.lotusia.libp2p.pubsub.PubsubTestNodes.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.codec.UvarintFrameDecoder;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.pubsub.pb.RpcProto;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.lotusia.libp2p.pubsub.PubsubTestNodes.FAST;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.connect;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.eventually;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Malicious and misbehaving peers against a router with the v1.1 {@link PeerScore}: the attacker is a
 * plain {@link Host} writing hand-built RPCs on a raw pubsub stream.
 */
@ExtendWith(LeakDetectionExtension.class)
class GossipSubHardeningTest {
    private static final String TOPIC = "lotus/hardening";

    private final PubsubTestNodes nodes = new PubsubTestNodes();

    @AfterEach
    void stop() throws Exception {
        nodes.close();
    }

    private Host host() {
        return nodes.host();
    }

    private Node node(GossipSubConfig config, PeerScoring scoring) {
        return nodes.node(config, scoring);
    }

    private Node node(GossipSubConfig config) {
        return node(config, new PeerScore());
    }


    private static void awaitTopicPeer(Node node, PeerId peer, String topic) throws InterruptedException {
        eventually(node.host().peerId() + " to see " + peer + " on " + topic,
                () -> node.router().topicPeers(topic).join().contains(peer));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(PubsubMessage message) {
        return message == null ? null : new String(message.data(), StandardCharsets.UTF_8);
    }

    /** A peer that speaks pubsub by hand: reads what the router sends, writes whatever the test builds. */
    private final class RawPeer {
        final Host host = host();
        final PrivateKey key = host.identity();
        final BlockingQueue<RpcProto.RPC> received = new LinkedBlockingQueue<>();
        Libp2pStream out;

        RawPeer(boolean reading) {
            host.setStreamHandler(GossipSubRouter.MESHSUB_1_2, s -> {
                if (!reading) {
                    // Never consume: the router's stream to us backs up.
                    s.channel().config().setAutoRead(false);
                    return;
                }
                s.channel().pipeline().addLast(new UvarintFrameDecoder(8 << 20), new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) throws Exception {
                        received.add(RpcProto.RPC.parseFrom(ByteBufUtil.getBytes(msg)));
                    }
                });
            });
        }

        PeerId id() {
            return host.peerId();
        }

        void attach(Node target) throws Exception {
            connect(host, target.host());
            out = host.connection(target.host().peerId()).orElseThrow()
                    .newStream(List.of(GossipSubRouter.MESHSUB_1_2), s -> { }).get(10, TimeUnit.SECONDS);
        }

        void send(RpcProto.RPC rpc) {
            out.channel().writeAndFlush(UvarintFrameEncoder.frame(out.channel().alloc(), Unpooled.wrappedBuffer(rpc.toByteArray())));
        }

        void subscribe(String topic) {
            send(RpcProto.RPC.newBuilder().addSubscriptions(
                    RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopic(topic)).build());
        }

        RpcProto.RPC await(Predicate<RpcProto.RPC> filter) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                RpcProto.RPC rpc = received.poll(50, TimeUnit.MILLISECONDS);
                if (rpc != null && filter.test(rpc)) {
                    return rpc;
                }
            }
            throw new AssertionError("no matching RPC");
        }
    }

    private static RpcProto.RPC messages(RpcProto.Message... messages) {
        return RpcProto.RPC.newBuilder().addAllMessages(List.of(messages)).build();
    }

    @Test
    void invalidMessagesCostTheSenderUntilItIsGraylisted() throws Exception {
        Node a = node(FAST);
        Node b = node(FAST);
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        awaitTopicPeer(a, b.host().peerId(), TOPIC);
        RawPeer raw = new RawPeer(true);
        raw.attach(b);
        raw.subscribe(TOPIC);
        awaitTopicPeer(b, raw.id(), TOPIC);

        RpcProto.Message valid = MessageSigner.sign(raw.key, TOPIC, bytes("valid"), 1);
        // Bad signature: delivered nowhere, the sender pays (−10 with the default topic parameters).
        raw.send(messages(valid.toBuilder().setData(ByteString.copyFromUtf8("tampered")).build()));
        eventually("first penalty", () -> b.router().score(raw.id()).join() <= -10);
        // A valid message, then duplicates of it: delivered once, duplicates cost nothing.
        raw.send(messages(valid, valid));
        raw.send(messages(valid));
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("valid");
        // Wrong from (signed by another key, claiming to be from the raw peer): the sender pays again
        // (the counter decays by 0.9 a second, the penalty is its square × −10).
        double afterFirst = b.router().score(raw.id()).join();
        PrivateKey other = Keys.generateEd25519();
        raw.send(messages(MessageSigner.sign(other, TOPIC, bytes("wrong from"), 2).toBuilder()
                .setFrom(ByteString.copyFrom(raw.id().toBytes())).build()));
        eventually("second penalty", () -> b.router().score(raw.id()).join() < afterFirst - 10);
        assertThat(qb.poll(100, TimeUnit.MILLISECONDS)).as("duplicates and invalid messages").isNull();
        // Two more (unsigned) drop it below the graylist threshold (−80): even its valid messages are ignored.
        raw.send(messages(MessageSigner.anonymous(TOPIC, bytes("unsigned 1")), MessageSigner.anonymous(TOPIC, bytes("unsigned 2"))));
        eventually("graylisted", () -> b.router().score(raw.id()).join() < -80);
        raw.send(messages(MessageSigner.sign(raw.key, TOPIC, bytes("from a graylisted peer"), 3)));
        // B keeps working with the honest peer, and the graylisted message never shows up.
        a.router().publish(TOPIC, bytes("honest")).get(5, TimeUnit.SECONDS);
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("honest");
        assertThat(qb.poll(200, TimeUnit.MILLISECONDS)).isNull();
        assertThat(b.router().score(a.host().peerId()).join()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void validatorRejectsCostTheSenderAndIgnoresDoNot() throws Exception {
        Node b = node(FAST);
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        b.router().setValidator(TOPIC, MessageValidator.of(m -> switch (text(m)) {
            case "reject" -> ValidationResult.REJECT;
            case "ignore" -> ValidationResult.IGNORE;
            default -> ValidationResult.ACCEPT;
        }));
        RawPeer raw = new RawPeer(true);
        raw.attach(b);
        raw.subscribe(TOPIC);
        awaitTopicPeer(b, raw.id(), TOPIC);
        raw.send(messages(MessageSigner.sign(raw.key, TOPIC, bytes("ignore"), 1)));
        raw.send(messages(MessageSigner.sign(raw.key, TOPIC, bytes("ok"), 2)));
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("ok");
        assertThat(b.router().score(raw.id()).join()).as("ignored messages are free").isGreaterThanOrEqualTo(0);
        raw.send(messages(MessageSigner.sign(raw.key, TOPIC, bytes("reject"), 3)));
        eventually("penalty for the rejected message", () -> b.router().score(raw.id()).join() < 0);
        assertThat(qb.poll(100, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void messagesOnUnknownTopicsAreDroppedWithoutPenalty() throws Exception {
        Node b = node(FAST);
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        RawPeer raw = new RawPeer(true);
        raw.attach(b);
        raw.subscribe(TOPIC);
        awaitTopicPeer(b, raw.id(), TOPIC);
        raw.send(messages(MessageSigner.sign(raw.key, "not/ours", bytes("elsewhere"), 1),
                MessageSigner.sign(raw.key, "not/ours", bytes("tampered"), 2).toBuilder()
                        .setData(ByteString.copyFromUtf8("x")).build()));
        raw.send(messages(MessageSigner.sign(raw.key, TOPIC, bytes("ours"), 3)));
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("ours");
        assertThat(qb.poll(100, TimeUnit.MILLISECONDS)).isNull();
        assertThat(b.router().score(raw.id()).join()).isGreaterThanOrEqualTo(0);
        assertThat(b.router().stats().join().seenMessages()).isEqualTo(1);
    }

    @Test
    void oversizedRpcsResetTheStreamAndTheNodeStaysHealthy() throws Exception {
        GossipSubConfig small = FAST.toBuilder().maxRpcSize(64 * 1024).build();
        Node a = node(small);
        Node b = node(small);
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        awaitTopicPeer(a, b.host().peerId(), TOPIC);
        RawPeer raw = new RawPeer(true);
        raw.attach(b);
        raw.send(messages(MessageSigner.sign(raw.key, TOPIC, new byte[100 * 1024], 1)));
        raw.out.channel().closeFuture().await(5, TimeUnit.SECONDS);
        assertThat(raw.out.channel().isActive()).isFalse();
        assertThat(qb.poll(100, TimeUnit.MILLISECONDS)).isNull();
        // Our own oversized messages are refused before they leave.
        assertThat(a.router().publish(TOPIC, new byte[64 * 1024])).failsWithin(5, TimeUnit.SECONDS)
                .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(PubsubException.class);
        a.router().publish(TOPIC, bytes("fits")).get(5, TimeUnit.SECONDS);
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("fits");
    }

    @Test
    void spammyIhaveIsBoundedAndBrokenPromisesArePenalised() throws Exception {
        GossipSubConfig config = FAST.toBuilder().gossipLimits(10, 500).iwantFollowupTime(Duration.ofMillis(300)).build();
        Node a = node(config);
        Node b = node(config);
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        awaitTopicPeer(a, b.host().peerId(), TOPIC);
        RawPeer raw = new RawPeer(true);
        raw.attach(b);
        raw.subscribe(TOPIC);
        awaitTopicPeer(b, raw.id(), TOPIC);

        // One RPC: 20 IHAVEs × 400 ids = 8000 ids (within the decode limits).
        RpcProto.ControlMessage.Builder spam = RpcProto.ControlMessage.newBuilder();
        List<Set<ByteString>> announced = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            RpcProto.ControlIHave.Builder ihave = RpcProto.ControlIHave.newBuilder().setTopicID(TOPIC);
            Set<ByteString> ids = new java.util.HashSet<>();
            for (int j = 0; j < 400; j++) {
                ByteString id = ByteString.copyFromUtf8("spam-" + i + "-" + j);
                ihave.addMessageIDs(id);
                ids.add(id);
            }
            announced.add(ids);
            spam.addIhave(ihave);
        }
        raw.send(RpcProto.RPC.newBuilder().setControl(spam).build());
        RpcProto.RPC iwantRpc = raw.await(rpc -> rpc.getControl().getIwantCount() > 0);
        List<ByteString> asked = iwantRpc.getControl().getIwant(0).getMessageIDsList();
        // At most 500 ids per heartbeat, taken only from the first 10 IHAVE messages.
        assertThat(asked).hasSizeLessThanOrEqualTo(500).isNotEmpty();
        Set<ByteString> firstTen = new java.util.HashSet<>();
        announced.subList(0, 10).forEach(firstTen::addAll);
        assertThat(firstTen).containsAll(asked);
        // The raw peer never delivers: a broken promise, a behaviour penalty (−10 × 1²).
        eventually("broken promise penalty", () -> b.router().score(raw.id()).join() < 0);
        GossipSubRouter.Stats stats = b.router().stats().join();
        assertThat(stats.promises()).isZero();
        assertThat(stats.seenMessages()).isZero();
        // Still healthy.
        a.router().publish(TOPIC, bytes("after the spam")).get(5, TimeUnit.SECONDS);
        assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("after the spam");
    }

    @Test
    void graftingDuringBackoffIsRefusedAndPenalised() throws Exception {
        Node b = node(FAST);
        subscribe(b, TOPIC);
        RawPeer raw = new RawPeer(true);
        raw.attach(b);
        raw.subscribe(TOPIC);
        awaitTopicPeer(b, raw.id(), TOPIC);
        RpcProto.ControlMessage graft = RpcProto.ControlMessage.newBuilder()
                .addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(TOPIC)).build();
        raw.send(RpcProto.RPC.newBuilder().setControl(graft).build());
        eventually("raw in b's mesh", () -> b.router().meshPeers(TOPIC).join().contains(raw.id()));
        // The raw peer leaves with a backoff, then grafts again at once: refused, and a GRAFT flood (2 × P7).
        raw.send(RpcProto.RPC.newBuilder().setControl(RpcProto.ControlMessage.newBuilder()
                .addPrune(RpcProto.ControlPrune.newBuilder().setTopicID(TOPIC).setBackoff(60))).build());
        eventually("raw out of b's mesh", () -> !b.router().meshPeers(TOPIC).join().contains(raw.id()));
        raw.send(RpcProto.RPC.newBuilder().setControl(graft).build());
        RpcProto.ControlPrune prune = raw.await(rpc -> rpc.getControl().getPruneCount() > 0).getControl().getPrune(0);
        assertThat(prune.getTopicID()).isEqualTo(TOPIC);
        assertThat(prune.getPeersList()).as("no PX for a peer grafting in backoff").isEmpty();
        // The penalty decays by 0.8 a second, so look right away: (2)² × −10 at first.
        eventually("behaviour penalty", () -> b.router().score(raw.id()).join() < 0);
        assertThat(b.router().meshPeers(TOPIC).join()).doesNotContain(raw.id());
    }

    @Test
    void aPeerThatDoesNotReadCostsBoundedMemory() throws Exception {
        long bound = 256 * 1024;
        GossipSubConfig config = FAST.toBuilder().maxOutboundQueueBytes(bound).build();
        Node a = node(config);
        Node b = node(config);
        connect(a.host(), b.host());
        BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
        subscribe(a, TOPIC);
        awaitTopicPeer(a, b.host().peerId(), TOPIC);
        RawPeer slow = new RawPeer(false);
        slow.attach(a);
        slow.subscribe(TOPIC);
        awaitTopicPeer(a, slow.id(), TOPIC);
        // 100 × 16 KiB flood-published to the slow peer: its yamux window (256 KiB) fills, then our bound.
        // Paced by the healthy peer, whose queue therefore never comes near the bound.
        byte[] chunk = new byte[16 * 1024];
        for (int i = 0; i < 100; i++) {
            chunk[0] = (byte) i;
            a.router().publish(TOPIC, chunk).get(5, TimeUnit.SECONDS);
            assertThat(qb.poll(5, TimeUnit.SECONDS)).as("message %d at the healthy peer", i).isNotNull();
        }
        GossipSubRouter.Stats stats = a.router().stats().join();
        assertThat(stats.droppedRpcs()).isPositive();
        assertThat(stats.maxQueuedBytes()).isLessThanOrEqualTo(bound);
        assertThat(stats.cachedMessages()).isLessThanOrEqualTo(100);
    }

    @Test
    void publishingRightAfterSubscribingReachesConnectedTopicPeers() throws Exception {
        // One heartbeat (100 ms after start) and then none for an hour: no mesh maintenance helps.
        GossipSubConfig slowBeat = GossipSubConfig.builder().heartbeatInterval(Duration.ofHours(1)).build();
        for (boolean flood : new boolean[]{true, false}) {
            GossipSubConfig config = slowBeat.toBuilder().floodPublish(flood).build();
            Node a = node(config);
            Node b = node(config);
            Node c = node(config);
            connect(a.host(), b.host());
            connect(a.host(), c.host());
            BlockingQueue<PubsubMessage> qb = subscribe(b, TOPIC);
            BlockingQueue<PubsubMessage> qc = subscribe(c, TOPIC);
            awaitTopicPeer(a, b.host().peerId(), TOPIC);
            awaitTopicPeer(a, c.host().peerId(), TOPIC);
            a.router().subscribe(TOPIC, m -> { });
            assertThat(a.router().publish(TOPIC, bytes("at once " + flood)).get(5, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(text(qb.poll(5, TimeUnit.SECONDS))).isEqualTo("at once " + flood);
            assertThat(text(qc.poll(5, TimeUnit.SECONDS))).isEqualTo("at once " + flood);
        }
    }

    @Test
    void peerExchangeOnPruneConnectsToTheOfferedPeers() throws Exception {
        // The hub's mesh is full at two peers; a GRAFT on an inbound connection is refused with PX.
        GossipSubConfig hubConfig = FAST.toBuilder().mesh(2, 1, 2).meshRetention(1, 0).peerExchange(true, 16).build();
        Node hub = node(hubConfig);
        Node y = node(FAST);
        Node z = node(FAST);
        subscribe(hub, TOPIC);
        subscribe(y, TOPIC);
        subscribe(z, TOPIC);
        connect(y.host(), hub.host());
        connect(z.host(), hub.host());
        eventually("hub mesh {y, z}", () -> hub.router().meshPeers(TOPIC).join()
                .equals(Set.of(y.host().peerId(), z.host().peerId())));
        // The newcomer trusts the hub enough to follow its PX (app-specific score 1 × weight 10 = acceptPX 10).
        PeerId hubId = hub.host().peerId();
        PeerScore trusting = new PeerScore(PeerScoreParams.builder()
                .appSpecificScore(peer -> peer.equals(hubId) ? 1 : 0, 10).build(), PeerScoreThresholds.defaults());
        Node w = node(FAST, trusting);
        subscribe(w, TOPIC);
        connect(w.host(), hub.host());
        eventually("w connected to y and z through PX",
                () -> w.host().isConnected(y.host().peerId()) && w.host().isConnected(z.host().peerId()));
        assertThat(hub.router().meshPeers(TOPIC).join()).doesNotContain(w.host().peerId());
        eventually("w's mesh from PX peers", () -> w.router().meshPeers(TOPIC).join().contains(y.host().peerId()));

        // Without enough trust PX is ignored.
        Node v = node(FAST);
        subscribe(v, TOPIC);
        connect(v.host(), hub.host());
        awaitTopicPeer(v, hubId, TOPIC);
        Thread.sleep(600); // a few heartbeats: v grafts, is pruned with PX, must not follow it
        assertThat(v.host().isConnected(y.host().peerId())).isFalse();
        assertThat(v.host().isConnected(z.host().peerId())).isFalse();
    }
}
