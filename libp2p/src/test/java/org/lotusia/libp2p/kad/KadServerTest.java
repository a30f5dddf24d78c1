package org.lotusia.libp2p.kad;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.kad.pb.KadProto;
import org.lotusia.libp2p.kad.pb.KadProto.Message.MessageType;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.libp2p.transport.TransportResources;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Request handling of one server, directly and over a connection; strict record rules; mode switching. */
@ExtendWith(LeakDetectionExtension.class)
class KadServerTest {
    private static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");

    private TransportResources resources;
    private Host serverHost;
    private Host clientHost;
    private KadDht server;
    private KadDht client;

    @BeforeEach
    void start() throws Exception {
        resources = TransportResources.create();
        serverHost = Host.builder().listen(LOOPBACK).transportResources(resources).build();
        clientHost = Host.builder().listen(LOOPBACK).transportResources(resources).build();
        serverHost.start().join();
        clientHost.start().join();
        RecordValidation strict = RecordValidation.strict()
                .register("lotus", (k, v) -> { }, (k, values) -> 0);
        server = new KadDht(serverHost, KadConfig.defaults().withValidation(strict)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        client = new KadDht(clientHost, KadConfig.defaults().withServerMode(false)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)));
        clientHost.connect(serverHost.shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        clientHost.close();
        serverHost.close();
        resources.close();
    }

    private static KadProto.Message put(String key, String value) {
        return KadProto.Message.newBuilder()
                .setKey(ByteString.copyFromUtf8(key))
                .setRecord(KadProto.Record.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)))
                .build();
    }

    @Test
    void absentTypeIsPutValueAndTheRequestIsEchoed() throws Exception {
        KadProto.Message request = put("/lotus/resource:a:b", "v");
        assertThat(request.hasType()).isFalse();
        KadProto.Message echo = client.rpc(serverHost.peerId(), request, true).get(5, TimeUnit.SECONDS);
        assertThat(echo.getRecord().getValue().toStringUtf8()).isEqualTo("v");
        KadProto.Message get = client.rpc(serverHost.peerId(), KadProto.Message.newBuilder().setType(MessageType.GET_VALUE)
                .setKey(ByteString.copyFromUtf8("/lotus/resource:a:b")).build(), true).get(5, TimeUnit.SECONDS);
        assertThat(get.getRecord().getValue().toStringUtf8()).isEqualTo("v");
        assertThat(get.getRecord().getTimeReceived()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z");
    }

    @Test
    void strictServerResetsPutsOfUnnamespacedKeys() {
        assertThatThrownBy(() -> client.rpc(serverHost.peerId(), put("resource:a:b", "v"), true).get(5, TimeUnit.SECONDS))
                .hasMessageContaining("kad");
        assertThat(server.recordStore().get("resource:a:b".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThatThrownBy(() -> server.putValue("resource:a:b".getBytes(StandardCharsets.UTF_8), new byte[1]).join())
                .hasCauseInstanceOf(InvalidRecordException.class);
    }

    @Test
    void unknownTypesAndOversizedRecordsAreRejected() {
        PeerId from = clientHost.peerId();
        KadProto.Message unknown = KadProto.Message.newBuilder()
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(1, com.google.protobuf.UnknownFieldSet.Field.newBuilder().addVarint(9).build()).build())
                .build();
        io.netty.buffer.ByteBuf frame = io.netty.buffer.Unpooled.wrappedBuffer(unknown.toByteArray());
        try {
            assertThatThrownBy(() -> KadMessages.parse(frame, 80)).hasMessageContaining("unknown kad message type");
        } finally {
            frame.release();
        }
        assertThatThrownBy(() -> server.answer(from, put("/lotus/big", "x".repeat(64 * 1024 + 1))))
                .isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> server.answer(from, KadProto.Message.newBuilder().setType(MessageType.GET_VALUE).build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void providersAreOnlyAcceptedForTheSender() throws Exception {
        PeerId other = Keys.generate(KeyType.ED25519).publicKey().peerId();
        byte[] key = {0x12, 0x20, 1, 2, 3};
        KadProto.Message add = KadProto.Message.newBuilder().setType(MessageType.ADD_PROVIDER)
                .setKey(ByteString.copyFrom(key))
                .addProviderPeers(KadMessages.peer(other, serverHost.listenAddresses(), 4))
                .addProviderPeers(KadMessages.peer(clientHost.peerId(), clientHost.listenAddresses(), 4))
                .build();
        // ADD_PROVIDER has no response: the rpc completes with the echo of the PING sent after it
        assertThat(client.rpc(serverHost.peerId(), add, false).get(5, TimeUnit.SECONDS).getType()).isEqualTo(MessageType.PING);
        assertThat(server.providerStore().get(key)).containsExactly(clientHost.peerId());
    }

    @Test
    void clientModeRefusesRequestsAndServerModeCanBeRestored() throws Exception {
        assertThat(client.ping(serverHost.peerId()).get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(server.ping(clientHost.peerId()).get(5, TimeUnit.SECONDS)).isFalse();
        server.setServerMode(false);
        assertThat(serverHost.protocols().supports(KadDht.DEFAULT_PROTOCOL)).isFalse();
        assertThat(client.ping(serverHost.peerId()).get(5, TimeUnit.SECONDS)).isFalse();
        server.setServerMode(true);
        assertThat(client.ping(serverHost.peerId()).get(5, TimeUnit.SECONDS)).isTrue();
    }
}
