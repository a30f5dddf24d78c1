package org.lotusia.libp2p.nat.autonat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.nat.FramedStream;
import org.lotusia.libp2p.nat.Reachability;
import org.lotusia.libp2p.nat.autonat.pb.AutoNatProto.Message;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** AutoNAT v1 between hosts on 127.0.0.1 (private addresses allowed, as on a LAN). */
@ExtendWith(LeakDetectionExtension.class)
class AutoNatTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private Host host(boolean listen) {
        Host.Builder b = Host.builder();
        if (listen) {
            b.listen(LOOPBACK);
        }
        Host host = b.build();
        host.start().join();
        resources.add(host);
        return host;
    }

    private AutoNat autoNat(Host host, AutoNatConfig config) {
        AutoNat autoNat = AutoNat.start(host, config);
        resources.add(autoNat);
        return autoNat;
    }

    private static AutoNatConfig lan() {
        return AutoNatConfig.defaults().withAllowPrivateAddresses(true).withMinConfirmations(1)
                .withProbeInterval(Duration.ofMinutes(10)).withTimeouts(Duration.ofSeconds(8), Duration.ofSeconds(3));
    }

    private static Connection connect(Host from, Host to) throws Exception {
        return from.connect(to.shareableAddresses().get(0)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void aSuccessfulDialBackMakesTheClientPublic() throws Exception {
        Host server = host(true);
        Host client = host(true);
        autoNat(server, lan().withClient(false));
        AutoNat clientNat = autoNat(client, lan().withServer(false));
        CompletableFuture<Reachability> changed = new CompletableFuture<>();
        clientNat.addListener(changed::complete);
        assertThat(clientNat.reachability()).isEqualTo(Reachability.UNKNOWN);

        connect(client, server);
        // identify tells the client that the server speaks AutoNAT; the client asks on its own
        assertThat(changed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Reachability.PUBLIC);
        assertThat(clientNat.reachability()).isEqualTo(Reachability.PUBLIC);
        assertThat(clientNat.publicAddress()).contains(client.listenAddresses().get(0));
    }

    @Test
    void aFailedDialBackMakesTheClientPrivate() throws Exception {
        Host server = host(true);
        Host client = host(false); // nothing to dial back: like a node behind a NAT
        autoNat(server, lan().withClient(false));
        AutoNat clientNat = autoNat(client, lan().withServer(false));
        CompletableFuture<Void> identified = new CompletableFuture<>();
        client.addListener(new org.lotusia.libp2p.host.HostListener() {
            @Override
            public void peerIdentified(org.lotusia.libp2p.crypto.PeerId peer, org.lotusia.libp2p.host.PeerRecordView info) {
                identified.complete(null);
            }
        });
        Connection connection = connect(client, server);
        identified.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        int unusedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unusedPort = s.getLocalPort();
        }
        DialResponse response = clientNat.requestDialBack(connection,
                List.of(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + unusedPort))).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(response.status()).isEqualTo(DialResponse.Status.E_DIAL_ERROR);
        assertThat(response.address()).contains(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + unusedPort));

        assertThat(clientNat.probe().get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(Reachability.PRIVATE);
    }

    @Test
    void theServerDialsOnlyTheObservedIpKeepingTheRequestedPort() throws Exception {
        Host server = host(true);
        Host client = host(true);
        autoNat(server, lan().withClient(false));
        AutoNat clientNat = autoNat(client, lan().withServer(false).withProbeInterval(Duration.ofHours(1)));
        Connection connection = connect(client, server);
        int port = Integer.parseInt(client.listenAddresses().get(0).valueForProtocol("tcp").orElseThrow());
        // The client names another host's IP; the server must dial the client's observed IP instead.
        DialResponse response = clientNat.requestDialBack(connection,
                List.of(Multiaddr.parse("/ip4/10.1.2.3/tcp/" + port))).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(response.status()).isEqualTo(DialResponse.Status.OK);
        assertThat(response.address()).contains(Multiaddr.parse("/ip4/127.0.0.1/tcp/" + port));

        // Addresses without a usable TCP port are no candidates at all.
        DialResponse refused = clientNat.requestDialBack(connection,
                List.of(Multiaddr.parse("/ip4/127.0.0.1/udp/" + port))).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(refused.status()).isEqualTo(DialResponse.Status.E_DIAL_REFUSED);
        assertThat(refused.text()).contains("no dialable addresses");
    }

    @Test
    void privateObservedAddressesAreRefusedUnlessAllowed() throws Exception {
        Host server = host(true);
        Host client = host(true);
        autoNat(server, AutoNatConfig.defaults().withClient(false));
        AutoNat clientNat = autoNat(client, lan().withServer(false).withProbeInterval(Duration.ofHours(1)));
        Connection connection = connect(client, server);
        DialResponse response = clientNat.requestDialBack(connection, client.listenAddresses())
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(response.status()).isEqualTo(DialResponse.Status.E_DIAL_REFUSED);
        assertThat(response.text()).contains("private");
    }

    @Test
    void theServerRateLimitsPerPeer() throws Exception {
        Host server = host(true);
        Host client = host(true);
        autoNat(server, lan().withClient(false).withRateLimits(100, 2));
        AutoNat clientNat = autoNat(client, lan().withServer(false).withProbeInterval(Duration.ofHours(1)));
        Connection connection = connect(client, server);
        List<DialResponse.Status> statuses = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            statuses.add(clientNat.requestDialBack(connection, client.listenAddresses())
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS).status());
        }
        // the client's own automatic probe may have used one of the two allowed requests
        assertThat(statuses).endsWith(DialResponse.Status.E_DIAL_REFUSED);
        assertThat(statuses).contains(DialResponse.Status.OK);
    }

    @Test
    void malformedAndForeignRequestsAreBadRequests() throws Exception {
        Host server = host(true);
        Host client = host(true);
        Host other = host(false);
        autoNat(server, lan().withClient(false));
        Connection connection = connect(client, server);

        Message garbageType = Message.newBuilder().setType(Message.MessageType.DIAL_RESPONSE).build();
        assertThat(exchange(connection, garbageType.toByteArray()).getDialResponse().getStatus())
                .isEqualTo(Message.ResponseStatus.E_BAD_REQUEST);

        Message foreign = Message.newBuilder().setType(Message.MessageType.DIAL).setDial(Message.Dial.newBuilder()
                .setPeer(Message.PeerInfo.newBuilder().setId(ByteString.copyFrom(other.peerId().toBytes()))
                        .addAddrs(ByteString.copyFrom(client.listenAddresses().get(0).toBytes())))).build();
        Message answer = exchange(connection, foreign.toByteArray());
        assertThat(answer.getDialResponse().getStatus()).isEqualTo(Message.ResponseStatus.E_BAD_REQUEST);
        assertThat(answer.getDialResponse().getStatusText()).contains("peer id mismatch");

        assertThat(exchange(connection, new byte[]{(byte) 0xff, 0x01, 0x02}).getDialResponse().getStatus())
                .isEqualTo(Message.ResponseStatus.E_BAD_REQUEST);
    }

    private static Message exchange(Connection connection, byte[] request) throws Exception {
        AtomicReference<FramedStream> framed = new AtomicReference<>();
        connection.newStream(List.of(AutoNat.PROTOCOL), s -> framed.set(FramedStream.install(s, AutoNat.MAX_MESSAGE_SIZE)))
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        framed.get().write(request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        byte[] reply = framed.get().read().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        framed.get().stream().channel().close();
        return Message.parseFrom(reply);
    }
}
