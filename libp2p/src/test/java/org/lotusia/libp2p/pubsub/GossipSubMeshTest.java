package org.lotusia.libp2p.pubsub;

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
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.pubsub.pb.RpcProto;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.lotusia.libp2p.pubsub.PubsubTestNodes.FAST;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.connect;
import static org.lotusia.libp2p.pubsub.PubsubTestNodes.eventually;
import static org.assertj.core.api.Assertions.assertThat;

/** Mesh maintenance driven by scores and connection direction: Dscore, Dout, opportunistic grafting. */
@ExtendWith(LeakDetectionExtension.class)
class GossipSubMeshTest {
    private static final String TOPIC = "lotus/mesh";

    private final PubsubTestNodes nodes = new PubsubTestNodes();

    @AfterEach
    void stop() throws Exception {
        nodes.close();
    }

    private Host host() {
        return nodes.host();
    }

    private Node node(GossipSubConfig config, PeerScoring scoring) {
        Node node = nodes.node(config, scoring);
        node.router().subscribe(TOPIC, m -> { });
        return node;
    }

    /** A score where the listed peers are liked (app-specific 3 × weight 10 = 30) and everyone else is neutral. */
    private static PeerScore liking(Set<PeerId> liked) {
        return new PeerScore(PeerScoreParams.builder().appSpecificScore(p -> liked.contains(p) ? 3 : 0, 10).build(),
                PeerScoreThresholds.defaults());
    }

    @Test
    void anOversubscribedMeshKeepsTheBestScoredAndAnOutboundPeer() throws Exception {
        List<Node> inbound = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            inbound.add(node(FAST, new SimplePeerScoring()));
        }
        Node outbound = node(FAST, new SimplePeerScoring());
        // The first to connect: it is in the mesh before the mesh is full.
        PeerId best = inbound.get(0).host().peerId();
        // d=3, dhi=4: GRAFTs on inbound connections are accepted up to 4, the outbound one always.
        GossipSubConfig config = FAST.toBuilder().mesh(3, 2, 4).meshRetention(1, 1).build();
        Node x = node(config, liking(Set.of(best)));
        for (Node n : inbound) {
            connect(n.host(), x.host());
            if (n == inbound.get(0)) {
                eventually("the best peer in x's mesh", () -> x.router().meshPeers(TOPIC).join().contains(best));
            }
        }
        connect(x.host(), outbound.host());
        // Every peer grafts x; x ends at d=3 after pruning: the best (Dscore) and the outbound one (Dout) stay.
        eventually("x's mesh pruned to 3 with the best and the outbound peer", () -> {
            Set<PeerId> mesh = x.router().meshPeers(TOPIC).join();
            return mesh.size() == 3 && mesh.contains(best) && mesh.contains(outbound.host().peerId());
        });
        for (int i = 0; i < 3; i++) {
            Thread.sleep(200);
            Set<PeerId> mesh = x.router().meshPeers(TOPIC).join();
            assertThat(mesh).hasSizeBetween(2, 4).contains(best, outbound.host().peerId());
        }
    }

    @Test
    void aMediocreMeshGraftsBetterPeersOpportunistically() throws Exception {
        Node a = node(FAST, new SimplePeerScoring());
        Node b = node(FAST, new SimplePeerScoring());
        // Two peers that subscribe but never GRAFT on their own; x likes them.
        List<Host> good = List.of(host(), host());
        List<BlockingQueue<RpcProto.RPC>> toGood = new ArrayList<>();
        for (Host g : good) {
            BlockingQueue<RpcProto.RPC> queue = new LinkedBlockingQueue<>();
            toGood.add(queue);
            g.setStreamHandler(GossipSubRouter.MESHSUB_1_2, s -> s.channel().pipeline().addLast(
                    new UvarintFrameDecoder(1 << 20), new SimpleChannelInboundHandler<ByteBuf>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) throws Exception {
                            queue.add(RpcProto.RPC.parseFrom(ByteBufUtil.getBytes(msg)));
                        }
                    }));
        }
        GossipSubConfig config = FAST.toBuilder().mesh(2, 1, 6).opportunisticGraft(3, 2).build();
        Node x = node(config, liking(Set.of(good.get(0).peerId(), good.get(1).peerId())));
        connect(a.host(), x.host());
        connect(b.host(), x.host());
        eventually("x's mesh {a, b}", () -> x.router().meshPeers(TOPIC).join()
                .equals(Set.of(a.host().peerId(), b.host().peerId())));
        for (Host g : good) {
            connect(g, x.host());
            Libp2pStream out = g.connection(x.host().peerId()).orElseThrow()
                    .newStream(List.of(GossipSubRouter.MESHSUB_1_2), s -> { }).get(10, TimeUnit.SECONDS);
            out.channel().writeAndFlush(UvarintFrameEncoder.frame(out.channel().alloc(), Unpooled.wrappedBuffer(
                    RpcProto.RPC.newBuilder().addSubscriptions(RpcProto.RPC.SubOpts.newBuilder()
                            .setSubscribe(true).setTopic(TOPIC)).build().toByteArray())));
        }
        // The mesh is at D, its median score (0) is below 20: within three heartbeats both liked peers are grafted.
        eventually("opportunistic grafts", () -> x.router().meshPeers(TOPIC).join()
                .containsAll(Set.of(good.get(0).peerId(), good.get(1).peerId())));
        for (BlockingQueue<RpcProto.RPC> queue : toGood) {
            boolean grafted = false;
            for (RpcProto.RPC rpc; !grafted && (rpc = queue.poll(5, TimeUnit.SECONDS)) != null; ) {
                grafted = rpc.getControl().getGraftList().stream().anyMatch(g -> g.getTopicID().equals(TOPIC));
            }
            assertThat(grafted).as("GRAFT sent to the liked peer").isTrue();
        }
        assertThat(x.router().meshPeers(TOPIC).join()).contains(a.host().peerId(), b.host().peerId());
    }
}
