package org.lotusia.libp2p.relay;

import org.lotusia.libp2p.testing.Poll;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.crypto.SignedEnvelope;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Direction;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.LimitedConnectionException;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.Varint;
import org.lotusia.libp2p.relay.pb.CircuitProto;
import org.lotusia.libp2p.testing.ByteCollector;
import org.lotusia.libp2p.testing.EchoHandler;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.transport.TransportResources;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Circuit relay v2 between in-process hosts on 127.0.0.1: relay R, clients A (dialer) and B (reserves). */
@ExtendWith(LeakDetectionExtension.class)
class RelayTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    /** Echo allowed on limited connections. */
    private static final String RELAYED_ECHO = "/test/relayed-echo/1.0.0";

    private TransportResources resources;
    private final List<AutoCloseable> open = new ArrayList<>();
    private Host relay;
    private Host alice;
    private Host bob;

    @BeforeEach
    void hosts() {
        resources = TransportResources.create();
        relay = host();
        alice = host();
        bob = host();
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        resources.close();
    }

    private Host host() {
        Host host = Host.builder().listen(LOOPBACK).transportResources(resources).build();
        host.start().join();
        host.handle(RELAYED_ECHO, s -> s.channel().pipeline().addLast(new EchoHandler()), ProtocolOptions.defaults()
                .withAllowOnLimitedConnections(true));
        host.setStreamHandler(EchoHandler.PROTOCOL, s -> s.channel().pipeline().addLast(new EchoHandler()));
        open.add(host);
        return host;
    }

    private RelayServer server(RelayServerConfig config) {
        RelayServer server = RelayServer.start(relay, config);
        open.add(server);
        return server;
    }

    private RelayClient client(Host host) {
        RelayClient client = RelayClient.start(host, RelayClientConfig.defaults());
        open.add(client);
        return client;
    }

    private Multiaddr relayAddress() {
        return relay.shareableAddresses().get(0);
    }

    private static Multiaddr circuitTo(Reservation reservation, Host target) {
        return reservation.addresses().get(0).withPeerId(target.peerId());
    }

    private static <T> T await(CompletableFuture<T> future) throws Exception {
        return future.get(10, TimeUnit.SECONDS);
    }

    private static byte[] echo(Libp2pStream stream, ByteCollector collector, byte[] payload) throws Exception {
        stream.channel().writeAndFlush(Unpooled.wrappedBuffer(payload));
        stream.channel().closeWrite();
        return collector.done.get(10, TimeUnit.SECONDS);
    }

    private static void awaitCondition(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        // Polled: the relay announces no event when a reservation silently runs out.
        Poll.until("condition", timeout, condition);
    }

    @Test
    void reservationCarriesExpiryCircuitAddressLimitAndAVerifiedVoucher() throws Exception {
        RelayServer server = server(RelayServerConfig.defaults());
        Reservation reservation = await(client(bob).reserve(relayAddress()));

        assertThat(reservation.relay()).isEqualTo(relay.peerId());
        assertThat(reservation.expiry()).isBetween(Instant.now().plus(Duration.ofMinutes(59)), Instant.now().plus(Duration.ofMinutes(61)));
        assertThat(reservation.addresses()).containsExactly(Multiaddr.parse(relayAddress() + "/p2p-circuit"));
        assertThat(reservation.limit()).isEqualTo(new Limit(Duration.ofMinutes(2), 128 * 1024));
        assertThat(reservation.voucher()).contains(new ReservationVoucher(relay.peerId(), bob.peerId(), reservation.expiry()));
        assertThat(server.reservationExpiry(bob.peerId())).contains(reservation.expiry());
    }

    @Test
    void voucherOpensOnlyWhenSignedByTheRelayItNames() {
        PrivateKey relayKey = Keys.generateEd25519();
        PeerId relayId = relayKey.publicKey().peerId();
        PeerId peer = Keys.generateEd25519().publicKey().peerId();
        ReservationVoucher voucher = new ReservationVoucher(relayId, peer, Instant.ofEpochSecond(1_900_000_000L));
        byte[] sealed = voucher.seal(relayKey).toBytes();

        assertThat(ReservationVoucher.open(sealed)).isEqualTo(voucher);
        assertThat(SignedEnvelope.open(sealed, CircuitRelay.VOUCHER_DOMAIN).payloadType()).containsExactly(0x03, 0x02);
        byte[] tampered = sealed.clone();
        tampered[tampered.length - 70] ^= 1;
        assertThatThrownBy(() -> ReservationVoucher.open(tampered)).isInstanceOf(InvalidRelayMessageException.class);
        // A voucher naming relayId but signed by another key is rejected.
        PrivateKey other = Keys.generateEd25519();
        byte[] payload = SignedEnvelope.open(sealed, CircuitRelay.VOUCHER_DOMAIN).payload();
        byte[] forged = SignedEnvelope.seal(other, CircuitRelay.VOUCHER_DOMAIN, new byte[] {0x03, 0x02}, payload).toBytes();
        assertThatThrownBy(() -> ReservationVoucher.open(forged)).isInstanceOf(InvalidRelayMessageException.class)
                .hasMessageContaining("signed by");
        byte[] wrongDomain = SignedEnvelope.seal(relayKey, "libp2p-peer-record", new byte[] {0x03, 0x02}, payload).toBytes();
        assertThatThrownBy(() -> ReservationVoucher.open(wrongDomain)).isInstanceOf(InvalidRelayMessageException.class);
    }

    @Test
    void aliceReachesBobThroughTheRelayOnALimitedConnection() throws Exception {
        server(RelayServerConfig.defaults());
        RelayClient bobClient = client(bob);
        client(alice);
        CompletableFuture<Connection> bobSawAlice = new CompletableFuture<>();
        bob.addListener(new HostListener() {
            @Override
            public void connectionOpened(Connection connection) {
                if (connection.remotePeer().equals(alice.peerId())) {
                    bobSawAlice.complete(connection);
                }
            }
        });
        Reservation reservation = await(bobClient.reserve(relayAddress()));

        // Through the host: the relay client is its dialer for /p2p-circuit addresses.
        Connection toBob = await(alice.connect(circuitTo(reservation, bob)));
        Connection toAlice = await(bobSawAlice);

        assertThat(toBob.remotePeer()).isEqualTo(bob.peerId());
        assertThat(toBob.isLimited()).isTrue();
        assertThat(toBob.remoteAddress()).isEqualTo(reservation.addresses().get(0));
        assertThat(toAlice.isLimited()).isTrue();
        assertThat(toAlice.direction()).isEqualTo(Direction.INBOUND);
        assertThat(alice.connection(relay.peerId()).orElseThrow().isLimited()).isFalse();
        assertThat(alice.connections()).contains(toBob);

        byte[] payload = new byte[20_000];
        new Random(1).nextBytes(payload);
        ByteCollector fromBob = new ByteCollector();
        Libp2pStream aliceStream = await(toBob.newStream(List.of(RELAYED_ECHO), s -> s.channel().pipeline().addLast(fromBob)));
        assertThat(echo(aliceStream, fromBob, payload)).isEqualTo(payload);
        ByteCollector fromAlice = new ByteCollector();
        Libp2pStream bobStream = await(toAlice.newStream(List.of(RELAYED_ECHO), s -> s.channel().pipeline().addLast(fromAlice)));
        byte[] back = "hello from bob over the relay".getBytes();
        assertThat(echo(bobStream, fromAlice, back)).isEqualTo(back);

        // Identify and ping run on limited connections.
        assertThat(await(alice.pingService().ping(toBob, 1, Duration.ofSeconds(5))).get(0)).isPositive();
        awaitCondition(() -> bob.peerStore().protocols(alice.peerId()).contains(RELAYED_ECHO), Duration.ofSeconds(5));
    }

    @Test
    void protocolsNotAllowedOnLimitedConnectionsAreRefusedBothWays() throws Exception {
        server(RelayServerConfig.defaults());
        Reservation reservation = await(client(bob).reserve(relayAddress()));
        Connection toBob = await(client(alice).dial(circuitTo(reservation, bob)));

        assertThatThrownBy(() -> await(toBob.newStream(List.of(EchoHandler.PROTOCOL), s -> { })))
                .hasCauseInstanceOf(LimitedConnectionException.class);
        // Opting in sends the stream, but Bob resets it: the protocol is not allowed there.
        ByteCollector collector = new ByteCollector();
        CompletableFuture<byte[]> refused = toBob.newStream(List.of(EchoHandler.PROTOCOL),
                s -> s.channel().pipeline().addLast(collector), true).thenCompose(s -> {
                    s.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
                    s.channel().closeWrite();
                    return collector.done;
                });
        assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(toBob.isOpen()).isTrue();
        // A direct connection is not limited and runs the same protocol.
        // A direct address is dialled although a relayed connection is open; the direct one is unlimited.
        Connection direct = await(alice.connect(bob.shareableAddresses().get(0)));
        assertThat(direct).isNotSameAs(toBob);
        assertThat(direct.isLimited()).isFalse();
        assertThat(alice.connection(bob.peerId())).contains(direct);
        ByteCollector collected = new ByteCollector();
        Libp2pStream plain = await(direct.newStream(List.of(EchoHandler.PROTOCOL), s -> s.channel().pipeline().addLast(collected)));
        assertThat(echo(plain, collected, new byte[] {4, 5, 6})).containsExactly(4, 5, 6);
    }

    @Test
    void relayAddressIsAdvertisedWhileTheReservationHolds() throws Exception {
        server(RelayServerConfig.defaults());
        RelayClient bobClient = client(bob);
        BlockingQueue<List<Multiaddr>> changes = new LinkedBlockingQueue<>();
        bobClient.addListener(new RelayClient.Listener() {
            @Override
            public void relayAddressesChanged(List<Multiaddr> addresses) {
                changes.add(addresses);
            }
        });
        Reservation reservation = await(bobClient.reserve(relayAddress()));
        Multiaddr circuit = reservation.addresses().get(0);

        assertThat(changes.poll(5, TimeUnit.SECONDS)).containsExactly(circuit);
        assertThat(bobClient.relayAddresses()).containsExactly(circuit);
        assertThat(bob.advertisedAddresses()).contains(circuit).containsAll(bob.listenAddresses());
        // Identify push tells the relay (connected to Bob) about the new address.
        awaitCondition(() -> relay.peerStore().addresses(bob.peerId()).contains(circuit), Duration.ofSeconds(5));

        bobClient.close();
        assertThat(changes.poll(5, TimeUnit.SECONDS)).isEmpty();
        assertThat(bob.advertisedAddresses()).doesNotContain(circuit);
        awaitCondition(() -> !relay.peerStore().addresses(bob.peerId()).contains(circuit), Duration.ofSeconds(5));
    }

    @Test
    void reservationIsRenewedBeforeItExpires() throws Exception {
        RelayServer server = server(RelayServerConfig.builder().reservationTtl(Duration.ofSeconds(3)).build());
        RelayClient bobClient = client(bob);
        record Update(Reservation reservation, Instant at) {
        }
        BlockingQueue<Update> updates = new LinkedBlockingQueue<>();
        bobClient.addListener(new RelayClient.Listener() {
            @Override
            public void reservationUpdated(Reservation reservation) {
                updates.add(new Update(reservation, Instant.now()));
            }
        });
        Reservation first = await(bobClient.reserve(relayAddress()));
        assertThat(updates.poll(5, TimeUnit.SECONDS).reservation()).isEqualTo(first);

        Update renewed = updates.poll(6, TimeUnit.SECONDS);
        assertThat(renewed).isNotNull();
        assertThat(renewed.at()).isBefore(first.expiry());
        assertThat(renewed.reservation().expiry()).isAfter(first.expiry());
        assertThat(server.reservationExpiry(bob.peerId())).contains(renewed.reservation().expiry());
        // It keeps being renewed: held past the first expiry.
        Update again = updates.poll(6, TimeUnit.SECONDS);
        assertThat(again).isNotNull();
        assertThat(again.at()).isBefore(renewed.reservation().expiry());
        assertThat(server.hasReservation(bob.peerId())).isTrue();
        assertThat(bobClient.relayAddresses()).containsExactlyElementsOf(first.addresses());
    }

    @Test
    void reservationExpiresWhenNotRenewed() throws Exception {
        RelayServer server = server(RelayServerConfig.builder().reservationTtl(Duration.ofSeconds(1)).build());
        RelayClient bobClient = client(bob);
        Reservation reservation = await(bobClient.reserve(relayAddress()));
        assertThat(server.hasReservation(bob.peerId())).isTrue();
        bobClient.close();

        awaitCondition(() -> !server.hasReservation(bob.peerId()), Duration.ofSeconds(5));
        assertThat(Instant.now()).isAfterOrEqualTo(reservation.expiry());
        assertThat(bob.isConnected(relay.peerId())).isTrue();
        RelayClient aliceClient = client(alice);
        assertThatThrownBy(() -> await(aliceClient.dial(circuitTo(reservation, bob))))
                .hasCauseInstanceOf(RelayStatusException.class)
                .satisfies(e -> assertThat(((RelayStatusException) e.getCause()).status())
                        .isEqualTo(CircuitProto.Status.NO_RESERVATION));
    }

    @Test
    void circuitIsCutAtItsDataLimit() throws Exception {
        int limit = 48 * 1024;
        RelayServer server = server(RelayServerConfig.builder().circuitLimit(new Limit(Duration.ZERO, limit)).build());
        Reservation reservation = await(client(bob).reserve(relayAddress()));
        assertThat(reservation.limit()).isEqualTo(new Limit(Duration.ZERO, limit));
        Connection toBob = await(client(alice).dial(circuitTo(reservation, bob)));
        assertThat(toBob.isLimited()).isTrue();

        // Small exchanges fit in the budget.
        ByteCollector small = new ByteCollector();
        Libp2pStream first = await(toBob.newStream(List.of(RELAYED_ECHO), s -> s.channel().pipeline().addLast(small)));
        assertThat(echo(first, small, new byte[1000])).hasSize(1000);
        // Bulk data exceeds it: the relay cuts the circuit and the relayed connection dies.
        ByteCollector bulk = new ByteCollector();
        Libp2pStream second = await(toBob.newStream(List.of(RELAYED_ECHO), s -> s.channel().pipeline().addLast(bulk)));
        second.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[256 * 1024]));
        second.channel().closeWrite();

        toBob.closeFuture().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> bulk.done.get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        assertThat(alice.isConnected(relay.peerId())).isTrue();
        awaitCondition(() -> server.activeCircuits() == 0, Duration.ofSeconds(5));
    }

    @Test
    void circuitIsCutAtItsDurationLimit() throws Exception {
        RelayServer server = server(RelayServerConfig.builder().circuitLimit(new Limit(Duration.ofMillis(1500), 0)).build());
        Reservation reservation = await(client(bob).reserve(relayAddress()));
        // Sent in whole seconds, rounded up.
        assertThat(reservation.limit()).isEqualTo(new Limit(Duration.ofSeconds(2), 0));
        long start = System.nanoTime();
        Connection toBob = await(client(alice).dial(circuitTo(reservation, bob)));
        assertThat(await(alice.pingService().ping(toBob, 1, Duration.ofSeconds(5)))).hasSize(1);

        toBob.closeFuture().get(10, TimeUnit.SECONDS);
        long lived = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(lived).isBetween(1000L, 6000L);
        assertThat(alice.isConnected(relay.peerId())).isTrue();
        awaitCondition(() -> server.activeCircuits() == 0, Duration.ofSeconds(5));
    }

    @Test
    void reservationsAndCircuitsBeyondTheLimitsAreRefused() throws Exception {
        server(RelayServerConfig.builder().maxReservations(1).maxCircuitsPerPeer(1).build());
        Reservation reservation = await(client(bob).reserve(relayAddress()));
        Host carol = host();
        assertThatThrownBy(() -> await(client(carol).reserve(relayAddress())))
                .hasCauseInstanceOf(RelayStatusException.class)
                .satisfies(e -> assertThat(((RelayStatusException) e.getCause()).status())
                        .isEqualTo(CircuitProto.Status.RESERVATION_REFUSED));
        // Bob may renew his own reservation although the relay is full.
        assertThat(await(client(bob).reserve(relayAddress())).relay()).isEqualTo(relay.peerId());

        RelayClient aliceClient = client(alice);
        Connection first = await(aliceClient.dial(circuitTo(reservation, bob)));
        assertThatThrownBy(() -> await(aliceClient.dial(circuitTo(reservation, bob))))
                .hasCauseInstanceOf(RelayStatusException.class)
                .satisfies(e -> assertThat(((RelayStatusException) e.getCause()).status())
                        .isEqualTo(CircuitProto.Status.RESOURCE_LIMIT_EXCEEDED));
        assertThat(first.isOpen()).isTrue();
    }

    @Test
    void perIpAndFilteredReservationsAreRefused() throws Exception {
        server(RelayServerConfig.builder().maxReservationsPerIp(1)
                .reservationFilter(peer -> !peer.equals(alice.peerId())).build());
        assertThatThrownBy(() -> await(client(alice).reserve(relayAddress())))
                .satisfies(e -> assertThat(((RelayStatusException) e.getCause()).status())
                        .isEqualTo(CircuitProto.Status.PERMISSION_DENIED));
        await(client(bob).reserve(relayAddress()));
        Host carol = host();
        assertThatThrownBy(() -> await(client(carol).reserve(relayAddress())))
                .satisfies(e -> assertThat(((RelayStatusException) e.getCause()).status())
                        .isEqualTo(CircuitProto.Status.RESERVATION_REFUSED));
    }

    @Test
    void malformedHopMessagesAreAnsweredWithMalformedMessageAndTheStreamEnds() throws Exception {
        server(RelayServerConfig.defaults());
        Connection toRelay = await(alice.connect(relayAddress()));
        byte[][] requests = {
                frame(new byte[] {(byte) 0xFF, (byte) 0xFF, 0x01}),                     // not a protobuf
                frame(new byte[0]),                                                     // HopMessage without type
                frame(CircuitProto.HopMessage.newBuilder().setType(CircuitProto.HopMessage.Type.CONNECT)
                        .build().toByteArray()),                                         // connect without peer
                Varint.encode(100_000),                                                 // longer than 4 KiB
        };
        for (byte[] request : requests) {
            ByteCollector answer = new ByteCollector();
            Libp2pStream stream = await(toRelay.newStream(List.of(CircuitRelay.HOP_PROTOCOL),
                    s -> s.channel().pipeline().addLast(answer)));
            stream.channel().writeAndFlush(Unpooled.wrappedBuffer(request));
            byte[] bytes = answer.done.get(10, TimeUnit.SECONDS); // the relay half-closed after answering
            CircuitProto.HopMessage reply = CircuitProto.HopMessage.parseFrom(unframe(bytes));
            assertThat(reply.getType()).isEqualTo(CircuitProto.HopMessage.Type.STATUS);
            assertThat(reply.getStatus()).as("answer to %s", Arrays.toString(request))
                    .isEqualTo(CircuitProto.Status.MALFORMED_MESSAGE);
        }
        assertThat(toRelay.isOpen()).isTrue();
    }

    @Test
    void reservationsOverARelayedConnectionAreDenied() throws Exception {
        server(RelayServerConfig.defaults());
        Reservation reservation = await(client(bob).reserve(relayAddress()));
        RelayServer.start(bob, RelayServerConfig.defaults()); // Bob relays too, closed with his host
        Connection toBob = await(client(alice).dial(circuitTo(reservation, bob)));

        ByteCollector answer = new ByteCollector();
        Libp2pStream hop = await(toBob.newStream(List.of(CircuitRelay.HOP_PROTOCOL),
                s -> s.channel().pipeline().addLast(answer), true));
        hop.channel().writeAndFlush(Unpooled.wrappedBuffer(frame(CircuitProto.HopMessage.newBuilder()
                .setType(CircuitProto.HopMessage.Type.RESERVE).build().toByteArray())));
        CircuitProto.HopMessage reply = CircuitProto.HopMessage.parseFrom(unframe(answer.done.get(10, TimeUnit.SECONDS)));
        assertThat(reply.getStatus()).isEqualTo(CircuitProto.Status.PERMISSION_DENIED);
    }

    @Test
    void connectToAPeerWithoutReservationGetsNoReservation() throws Exception {
        server(RelayServerConfig.defaults());
        Multiaddr circuit = Multiaddr.parse(relayAddress() + "/p2p-circuit/p2p/" + bob.peerId());
        assertThatThrownBy(() -> await(client(alice).dial(circuit)))
                .satisfies(e -> assertThat(((RelayStatusException) e.getCause()).status())
                        .isEqualTo(CircuitProto.Status.NO_RESERVATION));
    }

    private static byte[] frame(byte[] body) {
        byte[] length = Varint.encode(body.length);
        byte[] framed = Arrays.copyOf(length, length.length + body.length);
        System.arraycopy(body, 0, framed, length.length, body.length);
        return framed;
    }

    private static byte[] unframe(byte[] framed) {
        long length = Varint.tryDecode(Unpooled.wrappedBuffer(framed), Varint.MAX_LENGTH);
        int prefix = Varint.encodedLength(length);
        assertThat(framed).hasSize(prefix + (int) length);
        return Arrays.copyOfRange(framed, prefix, framed.length);
    }
}
