package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.testing.Poll;
import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.kad.pb.KadProto;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.transport.TransportResources;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Lookups against misbehaving peers, each a real {@link Host} with a raw stream handler on the kad protocol:
 * peers that answer garbage, never answer, answer with oversized frames or too many entries, and peers whose
 * closer-peer lists point to nowhere (ids closer to the target than any real node, with refused or black-holed
 * addresses, plus malformed ids). Lookups must end within their overall timeout with the right answer, and
 * peers that keep failing must leave the routing table.
 */
@ExtendWith(LeakDetectionExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KadFailureTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    private static final String PROTOCOL = KadDht.LOTUS_PROTOCOL;
    private static final int HONEST = 5;
    private static final Duration RPC_TIMEOUT = Duration.ofMillis(800);
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(6);

    private TransportResources resources;
    /** Accepts TCP connections (kernel backlog) and never speaks: a dial to it hangs until the rpc timeout. */
    private ServerSocket blackHole;
    /** A port nothing listens on: a dial to it is refused at once. */
    private int closedPort;
    private final List<Host> hosts = new ArrayList<>();
    private final List<KadDht> honest = new ArrayList<>();
    private final List<Host> bad = new ArrayList<>();
    private Host garbage;
    private Host silent;
    private Host oversized;
    private Host crowded;
    private Host liar;
    private Host victimHost;
    private KadDht victim;

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static KadConfig config(boolean server) {
        return KadConfig.defaults().withProtocol(PROTOCOL).withServerMode(server)
                .withTimeouts(RPC_TIMEOUT, QUERY_TIMEOUT).withMaxQueryFailures(2);
    }

    private Host newHost() {
        Host host = Host.builder().listen(LOOPBACK).transportResources(resources).build();
        host.start().join();
        hosts.add(host);
        return host;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        Poll.until(what, Duration.ofSeconds(10), condition);
    }

    /** A host serving the kad protocol with {@code reply}: request bytes in, raw frame out (null: stay silent). */
    private Host badPeer(Function<byte[], ByteBuf> reply) {
        Host host = newHost();
        host.setStreamHandler(PROTOCOL, s -> s.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf in = (ByteBuf) msg;
                byte[] request = new byte[in.readableBytes()];
                in.readBytes(request);
                ReferenceCountUtil.release(in);
                ByteBuf out = reply.apply(request);
                if (out != null) {
                    ctx.writeAndFlush(out);
                }
            }
        }));
        bad.add(host);
        return host;
    }

    private static ByteBuf framed(byte[] payload) {
        return UvarintFrameEncoder.frame(io.netty.buffer.ByteBufAllocator.DEFAULT, Unpooled.wrappedBuffer(payload));
    }

    /** The request key inside a (length-prefixed, possibly several) kad request. */
    private static byte[] requestKey(byte[] raw) {
        int length = 0;
        int shift = 0;
        int i = 0;
        while ((raw[i] & 0x80) != 0) {
            length |= (raw[i++] & 0x7f) << shift;
            shift += 7;
        }
        length |= (raw[i++] & 0x7f) << shift;
        try {
            return KadProto.Message.parseFrom(java.util.Arrays.copyOfRange(raw, i, i + length)).getKey().toByteArray();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** Syntactically valid sha2-256 peer ids nobody runs, with their kad ids (made once: hashing on an I/O thread is slow). */
    private final List<java.util.Map.Entry<PeerId, KadId>> bogusPool = new ArrayList<>();

    /** {@code count} bogus ids closer to {@code target} than the real hosts (almost surely, from 4000 candidates). */
    private List<PeerId> bogusClosest(KadId target, int count) {
        List<java.util.Map.Entry<PeerId, KadId>> ids = new ArrayList<>(bogusPool);
        ids.sort((a, b) -> target.compareDistance(a.getValue(), b.getValue()));
        return ids.subList(0, count).stream().map(java.util.Map.Entry::getKey).toList();
    }

    private KadProto.Message.Peer entry(PeerId id, Multiaddr... addresses) {
        KadProto.Message.Peer.Builder peer = KadProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(id.toBytes()));
        for (Multiaddr address : addresses) {
            peer.addAddrs(ByteString.copyFrom(address.toBytes()));
        }
        return peer.build();
    }

    @BeforeAll
    void start() throws Exception {
        for (int i = 0; i < 4000; i++) {
            byte[] multihash = new byte[34];
            ThreadLocalRandom.current().nextBytes(multihash);
            multihash[0] = 0x12;
            multihash[1] = 0x20;
            PeerId id = PeerId.fromBytes(multihash);
            bogusPool.add(java.util.Map.entry(id, KadId.ofPeer(id)));
        }
        resources = TransportResources.create();
        blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = probe.getLocalPort();
        }
        for (int i = 0; i < HONEST; i++) {
            honest.add(new KadDht(newHost(), config(true)));
        }
        for (int i = 1; i < HONEST; i++) {
            hosts.get(i).connect(hosts.get(0).shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
        }
        await(() -> honest.get(0).routingTable().size() == HONEST - 1, "the honest network to form");
        for (KadDht dht : honest) {
            dht.bootstrap().get(10, TimeUnit.SECONDS);
        }

        garbage = badPeer(request -> {
            byte[] noise = new byte[64];
            ThreadLocalRandom.current().nextBytes(noise);
            noise[0] = (byte) 0xff; // an invalid field tag, so the frame never parses
            return framed(noise);
        });
        silent = badPeer(request -> null);
        oversized = badPeer(request -> {
            // announces a 1 MiB frame (limit 256 KiB) and sends a first chunk of it
            ByteBuf out = Unpooled.buffer();
            out.writeBytes(new byte[] {(byte) 0x80, (byte) 0x80, 0x40});
            out.writeZero(4096);
            return out;
        });
        crowded = badPeer(request -> {
            KadProto.Message.Builder response = KadProto.Message.newBuilder().setType(KadProto.Message.MessageType.FIND_NODE);
            PeerId someone = hosts.get(1).peerId();
            for (int i = 0; i < 200; i++) {
                response.addCloserPeers(entry(someone, Multiaddr.parse("/ip4/127.0.0.1/tcp/" + (1000 + i))));
            }
            return framed(response.build().toByteArray());
        });
        liar = badPeer(request -> {
            // peers closer to the key than anyone real, pointing to a refused port, a black hole, or nothing
            KadId target = KadId.ofKey(requestKey(request));
            KadProto.Message.Builder response = KadProto.Message.newBuilder().setType(KadProto.Message.MessageType.GET_VALUE);
            List<PeerId> fakes = bogusClosest(target, 17);
            for (int i = 0; i < 16; i++) {
                Multiaddr address = i % 4 == 0
                        ? Multiaddr.parse("/ip4/127.0.0.1/tcp/" + blackHole.getLocalPort())
                        : Multiaddr.parse("/ip4/127.0.0.1/tcp/" + closedPort);
                response.addCloserPeers(entry(fakes.get(i), address));
            }
            response.addCloserPeers(KadProto.Message.Peer.newBuilder().setId(ByteString.copyFromUtf8("not a peer id"))
                    .addAddrs(ByteString.copyFrom(new byte[] {1, 2, 3})));
            response.addCloserPeers(entry(fakes.get(16))); // no address at all
            return framed(response.build().toByteArray());
        });

        victimHost = newHost();
        victim = new KadDht(victimHost, config(false));
        for (Host host : bad) {
            victimHost.connect(host.shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
        }
        victimHost.connect(hosts.get(HONEST - 1).shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
        await(() -> victim.routingTable().size() == bad.size() + 1, "the victim to admit every bad peer and one honest one");
    }

    @AfterAll
    void stop() throws IOException {
        if (blackHole != null) {
            blackHole.close(); // first, so dials hanging on it end now rather than at host close
        }
        if (victim != null) {
            victim.close();
        }
        for (KadDht dht : honest) {
            dht.close();
        }
        for (Host host : hosts) {
            host.close();
        }
        resources.close();
    }

    private long timed(ThrowingRunnable run) throws Exception {
        long start = System.nanoTime();
        run.run();
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void getValueFindsTheRecordDespiteBadPeersWithinTheTimeout() throws Exception {
        byte[] key = utf8("resource:session:failure-get");
        assertThat(honest.get(2).putValue(key, utf8("truth")).get(10, TimeUnit.SECONDS)).isPositive();
        List<Optional<byte[]>> found = new ArrayList<>();
        long millis = timed(() -> found.add(victim.getValue(key).get(20, TimeUnit.SECONDS)));
        assertThat(found.get(0)).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("truth")));
        assertThat(millis).isLessThan(QUERY_TIMEOUT.toMillis() + 1000);
    }

    @Test
    void aMissingRecordEndsWithinTheTimeout() throws Exception {
        List<Optional<byte[]>> found = new ArrayList<>();
        long millis = timed(() -> found.add(victim.getValue(utf8("resource:session:nowhere")).get(20, TimeUnit.SECONDS)));
        assertThat(found.get(0)).isEmpty();
        assertThat(millis).isLessThan(QUERY_TIMEOUT.toMillis() + 1000);
    }

    @Test
    void closestPeersAreTheHonestOnesAndFailingPeersAreDropped() throws Exception {
        byte[] key = utf8("failure-closest");
        KadId target = KadId.ofKey(key);
        List<PeerId> expected = hosts.subList(0, HONEST).stream().map(Host::peerId)
                .sorted(Comparator.comparing(KadId::ofPeer, target.byDistance())).toList();
        List<PeerId> found = new ArrayList<>();
        long millis = timed(() -> found.addAll(victim.findClosestPeers(key).get(20, TimeUnit.SECONDS)));
        assertThat(millis).isLessThan(QUERY_TIMEOUT.toMillis() + 1000);
        // the liar answers well-formed messages, so it counts as answering; every honest node is found
        assertThat(found).containsAll(expected).doesNotContain(garbage.peerId(), silent.peerId(), oversized.peerId(),
                crowded.peerId());
        // maxQueryFailures = 2: another lookup makes every failing peer fail a second time at least
        victim.findClosestPeers(utf8("failure-closest-2")).get(20, TimeUnit.SECONDS);
        await(() -> !victim.routingTable().contains(garbage.peerId()) && !victim.routingTable().contains(silent.peerId())
                        && !victim.routingTable().contains(oversized.peerId()) && !victim.routingTable().contains(crowded.peerId()),
                "peers failing twice in a row to leave the routing table");
        assertThat(victim.routingTable().contains(hosts.get(HONEST - 1).peerId())).isTrue();
        assertThat(victim.stats().peersDropped()).isGreaterThanOrEqualTo(4);
        assertThat(victim.stats().failedRequests()).isGreaterThanOrEqualTo(8);
    }

    @Test
    void decodersRejectMessagesBreakingTheirBounds() {
        PeerId someone = hosts.get(0).peerId();
        KadProto.Message.Builder tooMany = KadProto.Message.newBuilder();
        for (int i = 0; i < 81; i++) {
            tooMany.addCloserPeers(entry(someone));
        }
        assertThatThrownBy(() -> parse(tooMany.build(), 80)).isInstanceOf(KadMessageException.class)
                .hasMessageContaining("81 closer");
        KadProto.Message.Builder tooManyProviders = KadProto.Message.newBuilder();
        for (int i = 0; i < 81; i++) {
            tooManyProviders.addProviderPeers(entry(someone));
        }
        assertThatThrownBy(() -> parse(tooManyProviders.build(), 80)).isInstanceOf(KadMessageException.class);
        KadProto.Message.Peer.Builder flooded = KadProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(someone.toBytes()));
        for (int i = 0; i <= KadMessages.MAX_WIRE_ADDRESSES; i++) {
            flooded.addAddrs(ByteString.copyFrom(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + (2000 + i)).toBytes()));
        }
        assertThatThrownBy(() -> parse(KadProto.Message.newBuilder().addCloserPeers(flooded).build(), 80))
                .isInstanceOf(KadMessageException.class).hasMessageContaining("addresses");
        KadProto.Message.Peer hugeAddress = KadProto.Message.Peer.newBuilder().setId(ByteString.copyFrom(someone.toBytes()))
                .addAddrs(ByteString.copyFrom(new byte[KadMessages.MAX_ADDRESS_BYTES + 1])).build();
        assertThatThrownBy(() -> parse(KadProto.Message.newBuilder().addCloserPeers(hugeAddress).build(), 80))
                .isInstanceOf(KadMessageException.class);
        assertThatThrownBy(() -> KadMessages.parse(Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, 1}), 80))
                .isInstanceOf(KadMessageException.class);
        // within the bounds: parsed; addresses beyond maxAddressesPerPeer are ignored, not kept
        KadProto.Message.Peer withinBounds = KadProto.Message.Peer.newBuilder(flooded.build())
                .clearAddrs().addAllAddrs(flooded.getAddrsList().subList(1, flooded.getAddrsCount())).build();
        KadProto.Message ok = parse(KadProto.Message.newBuilder().addCloserPeers(withinBounds).build(), 80);
        assertThat(KadMessages.parsePeer(ok.getCloserPeers(0), 16)).hasValueSatisfying(p -> assertThat(p.addresses()).hasSize(16));
    }

    private static KadProto.Message parse(KadProto.Message message, int maxPeers) {
        ByteBuf frame = Unpooled.wrappedBuffer(message.toByteArray());
        try {
            return KadMessages.parse(frame, maxPeers);
        } finally {
            frame.release();
        }
    }

    @Test
    void aServerResetsOversizedAndOverfullRequestsAndKeepsServing() throws Exception {
        Host probeHost = newHost();
        KadDht probe = new KadDht(probeHost, config(false));
        try {
            PeerId server = hosts.get(1).peerId();
            probeHost.connect(hosts.get(1).shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
            KadProto.Message.Builder overfull = KadProto.Message.newBuilder().setType(KadProto.Message.MessageType.ADD_PROVIDER)
                    .setKey(ByteString.copyFromUtf8("k"));
            for (int i = 0; i <= honest.get(1).config().maxPeersPerMessage(); i++) {
                overfull.addProviderPeers(entry(probeHost.peerId()));
            }
            assertThatThrownBy(() -> probe.rpc(server, overfull.build(), true).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(org.lotusia.libp2p.Libp2pException.class);
            KadProto.Message tooLarge = KadProto.Message.newBuilder().setType(KadProto.Message.MessageType.PUT_VALUE)
                    .setKey(ByteString.copyFromUtf8("resource:x:big"))
                    .setRecord(KadMessages.record(utf8("resource:x:big"), new byte[300 * 1024], java.time.Instant.now()))
                    .build();
            assertThatThrownBy(() -> probe.rpc(server, tooLarge, true).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(org.lotusia.libp2p.Libp2pException.class);
            assertThat(honest.get(1).recordStore().get(utf8("resource:x:big"))).isEmpty();
            assertThat(probe.ping(server).get(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            probe.close();
        }
    }
}
