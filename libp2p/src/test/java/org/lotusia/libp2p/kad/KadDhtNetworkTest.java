package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.testing.Poll;
import com.google.protobuf.ByteString;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.kad.pb.KadProto;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.transport.TransportResources;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/** A dozen Java hosts on 127.0.0.1 bootstrapped to one node, plus client-mode and misbehaving peers. */
@ExtendWith(LeakDetectionExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KadDhtNetworkTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    private static final String PROTOCOL = KadDht.LOTUS_PROTOCOL;
    private static final int SERVERS = 12;
    private static final int CLIENTS = 2;

    private TransportResources resources;
    private final List<Host> hosts = new ArrayList<>();
    private final List<KadDht> servers = new ArrayList<>();
    private final List<KadDht> clients = new ArrayList<>();

    private static KadConfig config(boolean server) {
        return KadConfig.defaults().withProtocol(PROTOCOL).withServerMode(server)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)); // generous: CI machines can be very loaded
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

    @BeforeAll
    void startNetwork() throws Exception {
        resources = TransportResources.create();
        for (int i = 0; i < SERVERS; i++) {
            servers.add(new KadDht(newHost(), config(true)));
        }
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(new KadDht(newHost(), config(false)));
        }
        Host bootstrap = hosts.get(0);
        Multiaddr bootstrapAddress = bootstrap.shareableAddresses().get(0);
        for (int i = 1; i < hosts.size(); i++) {
            hosts.get(i).connect(bootstrapAddress).get(10, TimeUnit.SECONDS);
        }
        await(() -> servers.get(0).routingTable().size() == SERVERS - 1, "bootstrap node to learn every server");
        for (int i = 1; i < SERVERS; i++) {
            KadDht dht = servers.get(i);
            await(() -> dht.routingTable().size() >= 1, "server to learn the bootstrap node");
        }
        for (KadDht client : clients) {
            await(() -> client.routingTable().size() >= 1, "client to learn the bootstrap node");
        }
        List<CompletableFuture<Integer>> boots = new ArrayList<>();
        for (KadDht dht : servers) {
            boots.add(dht.bootstrap());
        }
        for (KadDht dht : clients) {
            boots.add(dht.bootstrap());
        }
        for (CompletableFuture<Integer> boot : boots) {
            assertThat(boot.get(20, TimeUnit.SECONDS)).isPositive();
        }
    }

    @AfterAll
    void stopNetwork() {
        for (KadDht dht : servers) {
            dht.close();
        }
        for (KadDht dht : clients) {
            dht.close();
        }
        for (Host host : hosts) {
            host.close();
        }
        resources.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void clientModeNodesAreNeverInRoutingTables() throws Exception {
        for (KadDht dht : servers) {
            for (KadDht client : clients) {
                assertThat(dht.routingTable().contains(hostOf(client))).isFalse();
            }
        }
        // and a node that switches to client mode leaves the tables once identify push tells them
        KadDht switching = servers.get(SERVERS - 1);
        PeerId switchingId = hostOf(switching);
        await(() -> servers.get(0).routingTable().contains(switchingId), "switching node in the bootstrap table");
        switching.setServerMode(false);
        try {
            await(() -> !servers.get(0).routingTable().contains(switchingId), "client-mode node to leave the table");
        } finally {
            switching.setServerMode(true);
        }
        await(() -> servers.get(0).routingTable().contains(switchingId), "server-mode node to return");
    }

    private PeerId hostOf(KadDht dht) {
        int index = servers.indexOf(dht);
        return index >= 0 ? hosts.get(index).peerId() : hosts.get(SERVERS + clients.indexOf(dht)).peerId();
    }

    @Test
    void aValuePutOnOneNodeIsFoundOnEveryOther() throws Exception {
        byte[] key = utf8("resource:session:put-get");
        byte[] value = utf8("{\"resourceId\":\"put-get\"}");
        int stored = servers.get(3).putValue(key, value).get(20, TimeUnit.SECONDS);
        assertThat(stored).isPositive();
        List<KadDht> readers = new ArrayList<>(servers);
        readers.addAll(clients);
        List<CompletableFuture<Optional<byte[]>>> gets = new ArrayList<>();
        for (KadDht dht : readers) {
            gets.add(dht.getValue(key));
        }
        for (CompletableFuture<Optional<byte[]>> get : gets) {
            assertThat(get.get(20, TimeUnit.SECONDS)).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
        }
        assertThat(servers.get(5).getValue(utf8("resource:session:missing")).get(20, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void clientModeNodesCanPutValues() throws Exception {
        byte[] key = utf8("resource:session:from-client");
        assertThat(clients.get(0).putValue(key, utf8("c")).get(20, TimeUnit.SECONDS)).isPositive();
        assertThat(servers.get(7).getValue(key).get(20, TimeUnit.SECONDS)).contains(utf8("c"));
    }

    @Test
    void providersAreFound() throws Exception {
        byte[] key = KadId.ofKey(utf8("content")).toBytes();
        byte[] multihash = new byte[34];
        multihash[0] = 0x12;
        multihash[1] = 0x20;
        System.arraycopy(key, 0, multihash, 2, 32);
        assertThat(servers.get(2).provide(multihash).get(20, TimeUnit.SECONDS)).isPositive();
        assertThat(servers.get(9).provide(multihash).get(20, TimeUnit.SECONDS)).isPositive();
        List<PeerId> found = clients.get(1).findProviders(multihash, 2).get(20, TimeUnit.SECONDS);
        assertThat(found).containsExactlyInAnyOrder(hosts.get(2).peerId(), hosts.get(9).peerId());
        assertThat(clients.get(1).findProviders(new byte[] {0x12, 0x20, 1}, 5).get(20, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void closestPeersAreTheTrueClosestServers() throws Exception {
        byte[] key = utf8("some-target");
        KadId target = KadId.ofKey(key);
        List<PeerId> expected = hosts.subList(0, SERVERS).stream().map(Host::peerId)
                .filter(p -> !p.equals(hosts.get(SERVERS).peerId()))
                .sorted((a, b) -> target.compareDistance(KadId.ofPeer(a), KadId.ofPeer(b)))
                .toList();
        List<PeerId> found = clients.get(0).findClosestPeers(key).get(20, TimeUnit.SECONDS);
        assertThat(found).containsExactlyElementsOf(expected);
    }

    @Test
    void misbehavingPeersDoNotStallALookup() throws Exception {
        // one peer answers garbage, one never answers, one returns bogus closer peers
        Host garbage = newHost();
        garbage.setStreamHandler(PROTOCOL, s -> s.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                ctx.writeAndFlush(UvarintFrameEncoder.frame(ctx.alloc(), Unpooled.wrappedBuffer(new byte[] {(byte) 0xff, (byte) 0xff, 7})));
            }
        }));
        Host silent = newHost();
        silent.setStreamHandler(PROTOCOL, s -> s.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
            }
        }));
        Host liar = newHost();
        liar.setStreamHandler(PROTOCOL, s -> s.channel().pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ReferenceCountUtil.release(msg);
                KadProto.Message.Builder response = KadProto.Message.newBuilder().setType(KadProto.Message.MessageType.GET_VALUE);
                for (int i = 0; i < 40; i++) {
                    PeerId fake = Keys.generate(KeyType.ED25519).publicKey().peerId();
                    response.addCloserPeers(KadProto.Message.Peer.newBuilder()
                            .setId(ByteString.copyFrom(fake.toBytes()))
                            .addAddrs(ByteString.copyFrom(Multiaddr.parse("/ip4/127.0.0.1/tcp/1").toBytes())));
                }
                response.addCloserPeers(KadProto.Message.Peer.newBuilder().setId(ByteString.copyFromUtf8("not a peer id")));
                ctx.writeAndFlush(UvarintFrameEncoder.frame(ctx.alloc(), Unpooled.wrappedBuffer(response.build().toByteArray())));
            }
        }));
        Host victimHost = newHost();
        KadDht victim = new KadDht(victimHost, config(false));
        try {
            for (Host bad : List.of(garbage, silent, liar)) {
                victimHost.connect(bad.shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
            }
            victimHost.connect(hosts.get(0).shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
            await(() -> victim.routingTable().size() >= 4, "victim to learn all four peers");

            byte[] key = utf8("resource:session:adversarial");
            servers.get(4).putValue(key, utf8("truth")).get(20, TimeUnit.SECONDS);
            long start = System.nanoTime();
            Optional<byte[]> value = victim.getValue(key).get(20, TimeUnit.SECONDS);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(value).hasValueSatisfying(v -> assertThat(v).isEqualTo(utf8("truth")));
            assertThat(millis).isLessThan(config(false).queryTimeout().toMillis() + 1000);

            List<PeerId> closest = victim.findClosestPeers(utf8("anything")).get(20, TimeUnit.SECONDS);
            assertThat(closest).doesNotContain(garbage.peerId(), silent.peerId());
            assertThat(closest).contains(hosts.get(0).peerId());
        } finally {
            victim.close();
        }
    }
}
