package org.lotusia.p2p;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;
import org.lotusia.p2p.coordinator.BackoffPolicy;
import org.lotusia.p2p.coordinator.BootstrapManager;
import org.lotusia.p2p.events.ErrorEvent;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Events;
import org.lotusia.p2p.events.MessageEvent;
import org.lotusia.p2p.events.P2PEvent;
import org.lotusia.p2p.events.PeerConnectedEvent;
import org.lotusia.p2p.events.PeerDisconnectedEvent;
import org.lotusia.p2p.events.StateChangedEvent;
import org.lotusia.p2p.message.MessageSender;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(LeakDetectionExtension.class)
class P2PCoordinatorTest {
    private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<P2PCoordinator> nodes = new ArrayList<>();
    private final P2PProtocol protocol = new P2PProtocol();

    @AfterEach
    void closeAll() {
        nodes.forEach(P2PCoordinator::close);
    }

    private P2PCoordinator node(P2PConfig config) {
        P2PCoordinator node = new P2PCoordinator(config);
        nodes.add(node);
        return node;
    }

    private P2PCoordinator node() {
        return node(P2PConfig.builder().listen(LOOPBACK).build());
    }

    private P2PCoordinator started() {
        P2PCoordinator node = node();
        join(node.start());
        return node;
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static <T extends P2PEvent> CompletableFuture<T> next(P2PCoordinator node, EventType<T> type,
                                                                 Predicate<? super T> filter) {
        return Events.waitForEvent(node, type, filter, WAIT);
    }

    private static Multiaddr address(P2PCoordinator node) {
        return node.getStats().multiaddrs().get(0);
    }

    private P2PMessage message(P2PCoordinator from, String type, String protocolName) {
        return protocol.createMessage(type, JsonNodeFactory.instance.textNode("hello"), from.peerId().toString())
                .withProtocol(protocolName);
    }

    // ------------------------------------------------------------------ misuse and lifecycle

    @Test
    void misuseBeforeStartThrowsIllegalStateException() {
        P2PCoordinator node = node();
        PeerId other = Keys.generateEd25519().publicKey().peerId();
        assertThatThrownBy(node::peerId).isInstanceOf(IllegalStateException.class).hasMessage("coordinator not started");
        assertThatThrownBy(node::host).isInstanceOf(IllegalStateException.class).hasMessage("coordinator not started");
        assertThatThrownBy(() -> node.connectToPeer("/ip4/127.0.0.1/tcp/1/p2p/" + other))
                .isInstanceOf(IllegalStateException.class).hasMessage("coordinator not started");
        assertThatThrownBy(() -> node.disconnectFromPeer(other)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> node.sendTo(other, P2PMessage.builder().type("x").build()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> node.broadcast(P2PMessage.builder().type("x").build()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> node.connectToPeer("garbage")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'garbage'");
        assertThatThrownBy(() -> node.isConnected("not-a-peer-id")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid peer id 'not-a-peer-id'");
        assertThat(node.isConnected(other)).isFalse();
        assertThat(node.getConnectedPeers()).isEmpty();
        assertThat(node.getPeer(other)).isEmpty();
        P2PStats stats = node.getStats();
        assertThat(stats.peerId()).isEmpty();
        assertThat(stats.state()).isEqualTo(ConnectionState.DISCONNECTED);
        assertThat(stats.dht()).isEqualTo(P2PStats.Dht.disabled());
        assertThat(node.isStarted()).isFalse();
        join(node.stop());
    }

    @Test
    void startStopAndRestartKeepTheIdentityAndEmitTheStateSequence() {
        P2PCoordinator node = node();
        List<StateChangedEvent> states = new CopyOnWriteArrayList<>();
        node.on(EventType.STATE_CHANGED, states::add);

        join(node.start());
        join(node.start());
        PeerId id = node.peerId();
        P2PStats stats = node.getStats();
        assertThat(stats.peerId()).contains(id);
        assertThat(stats.state()).isEqualTo(ConnectionState.CONNECTED);
        assertThat(stats.multiaddrs()).hasSize(1).allSatisfy(a -> {
            assertThat(a.toString()).startsWith("/ip4/127.0.0.1/tcp/").endsWith("/p2p/" + id);
            assertThat(a.toString()).doesNotContain("/tcp/0/");
        });
        assertThat(stats.relayAddresses()).isEmpty();

        CompletableFuture<StateChangedEvent> stopped = next(node, EventType.STATE_CHANGED,
                e -> e.currentState() == ConnectionState.DISCONNECTED);
        join(node.stop());
        join(node.stop());
        join(stopped);
        assertThat(node.isStarted()).isFalse();
        assertThatThrownBy(node::peerId).isInstanceOf(IllegalStateException.class);

        CompletableFuture<StateChangedEvent> restarted = next(node, EventType.STATE_CHANGED,
                e -> e.currentState() == ConnectionState.CONNECTED);
        join(node.start());
        join(restarted);
        assertThat(node.peerId()).isEqualTo(id);
        assertThat(states).extracting(e -> e.previousState() + ">" + e.currentState()).containsExactly(
                "DISCONNECTED>CONNECTING", "CONNECTING>CONNECTED", "CONNECTED>DISCONNECTED",
                "DISCONNECTED>CONNECTING", "CONNECTING>CONNECTED");
        assertThat(states).allSatisfy(e -> assertThat(e.error()).isEmpty());

        node.close();
        assertThatThrownBy(node::start).isInstanceOf(IllegalStateException.class).hasMessage("coordinator is shut down");
        join(node.stop());
        node.close();
    }

    @Test
    void startFailureGoesToErrorWithTheReason() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            P2PCoordinator node = node(P2PConfig.builder()
                    .listen("/ip4/127.0.0.1/tcp/" + taken.getLocalPort()).build());
            CompletableFuture<StateChangedEvent> error = next(node, EventType.STATE_CHANGED,
                    e -> e.currentState() == ConnectionState.ERROR);

            assertThatThrownBy(() -> node.start().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(P2PException.class).hasMessageStartingWith("failed to start");
            StateChangedEvent event = join(error);
            assertThat(event.previousState()).isEqualTo(ConnectionState.CONNECTING);
            assertThat(event.error()).hasValueSatisfying(m -> assertThat(m).startsWith("failed to start"));
            assertThat(node.connectionState()).isEqualTo(ConnectionState.ERROR);
            assertThat(node.connectionStateError()).isPresent();
            assertThat(node.isStarted()).isFalse();

            join(node.stop());
            assertThat(node.connectionState()).isEqualTo(ConnectionState.DISCONNECTED);
        }
    }

    @Test
    void repeatedStartStopLeaksNoThreads() throws Exception {
        P2PCoordinator node = node();
        join(node.start());
        join(node.stop());
        Set<String> baseline = liveThreads();
        for (int i = 0; i < 5; i++) {
            join(node.start());
            join(node.stop());
        }
        assertThat(awaitThreadsWithin(baseline)).as("threads left after 5 start/stop cycles").isEmpty();

        node.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && !coordinatorThreads().isEmpty()) {
            Thread.onSpinWait();
            Thread.yield();
        }
        assertThat(coordinatorThreads()).as("coordinator threads after close").isEmpty();
    }

    private static Set<String> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(t -> t.getName() + "#" + t.getId()).collect(Collectors.toSet());
    }

    private static Set<String> coordinatorThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .map(Thread::getName).filter(n -> n.startsWith("lotus-")).collect(Collectors.toSet());
    }

    /** Threads (other than JDK infrastructure) that are alive but were not in {@code baseline}, after they had time to end. */
    private static Set<String> awaitThreadsWithin(Set<String> baseline) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Set<String> extra;
        do {
            extra = liveThreads().stream().filter(n -> !baseline.contains(n))
                    .filter(n -> !n.startsWith("ForkJoinPool") && !n.startsWith("CompletableFutureDelayScheduler"))
                    .collect(Collectors.toSet());
            Thread.yield();
        } while (!extra.isEmpty() && System.nanoTime() < deadline);
        return extra;
    }

    // ------------------------------------------------------------------ connections

    @Test
    void connectAndDisconnectEmitEventsOnBothSides() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        CompletableFuture<PeerConnectedEvent> aliceSawBob = next(alice, EventType.CONNECTED,
                e -> e.peerId().equals(bob.peerId()));
        CompletableFuture<PeerConnectedEvent> bobSawAlice = next(bob, EventType.CONNECTED,
                e -> e.peerId().equals(alice.peerId()));

        PeerInfo info = join(alice.connectToPeer(address(bob).toString()));

        assertThat(info.peerId()).isEqualTo(bob.peerId());
        assertThat(join(aliceSawBob).multiaddrs()).isNotEmpty();
        assertThat(join(bobSawAlice).peerId()).isEqualTo(alice.peerId());
        assertThat(alice.isConnected(bob.peerId())).isTrue();
        assertThat(alice.isConnected(bob.peerId().toString())).isTrue();
        assertThat(alice.getConnectedPeers()).extracting(PeerInfo::peerId).containsExactly(bob.peerId());
        assertThat(alice.getPeer(bob.peerId())).isPresent();
        assertThat(alice.getStats().peers()).isEqualTo(new P2PStats.Peers(1, 1));

        CompletableFuture<PeerDisconnectedEvent> aliceLostBob = next(alice, EventType.DISCONNECTED,
                e -> e.peerId().equals(bob.peerId()));
        CompletableFuture<PeerDisconnectedEvent> bobLostAlice = next(bob, EventType.DISCONNECTED,
                e -> e.peerId().equals(alice.peerId()));
        join(alice.disconnectFromPeer(bob.peerId().toString()));
        join(aliceLostBob);
        join(bobLostAlice);
        assertThat(alice.isConnected(bob.peerId())).isFalse();
        assertThat(alice.getConnectedPeers()).isEmpty();
        assertThat(alice.getStats().peers()).isEqualTo(new P2PStats.Peers(1, 0));
    }

    @Test
    void maxConnectionsAndAnnounceAddressesAreHonoured() {
        P2PCoordinator alice = node(P2PConfig.builder().listen(LOOPBACK).maxConnections(1)
                .announce("/dns4/node.example.com/tcp/4001").build());
        join(alice.start());
        P2PCoordinator bob = started();
        P2PCoordinator carol = started();
        assertThat(alice.getStats().multiaddrs()).containsExactly(
                Multiaddr.parse("/dns4/node.example.com/tcp/4001/p2p/" + alice.peerId()));

        join(alice.connectToPeer(bob.getStats().multiaddrs().get(0)));
        assertThatThrownBy(() -> alice.connectToPeer(carol.getStats().multiaddrs().get(0)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("connection limit reached (1)");
    }

    @Test
    void connectFailureFailsTheFuture() {
        P2PCoordinator alice = started();
        PeerId nobody = Keys.generateEd25519().publicKey().peerId();
        assertThatThrownBy(() -> alice.connectToPeer("/ip4/127.0.0.1/tcp/1/p2p/" + nobody).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class);
    }

    @Test
    void bootstrapPeerIsRedialledAfterItRestartsOnTheSamePort() {
        PrivateKey bootstrapKey = Keys.generateEd25519();
        P2PCoordinator first = node(P2PConfig.builder().listen(LOOPBACK).privateKey(bootstrapKey).build());
        join(first.start());
        Multiaddr bootstrapAddress = address(first);
        String port = bootstrapAddress.valueForProtocol("tcp").orElseThrow();

        P2PCoordinator client = node(P2PConfig.builder().listen(LOOPBACK)
                .bootstrapPeers(List.of(bootstrapAddress))
                .bootstrapBackoff(new BackoffPolicy(Duration.ofMillis(100), Duration.ofMillis(400), 0.3,
                        BackoffPolicy.UNLIMITED))
                .build());
        CompletableFuture<?> connected = next(client, EventType.BOOTSTRAP_CONNECTED, e -> true);
        join(client.start());
        join(connected);

        CompletableFuture<?> disconnected = next(client, EventType.BOOTSTRAP_DISCONNECTED, e -> true);
        CompletableFuture<?> retried = next(client, EventType.BOOTSTRAP_RECONNECTING, e -> e.attempt() >= 2);
        first.close();
        join(disconnected);
        join(retried);

        CompletableFuture<?> reconnected = next(client, EventType.BOOTSTRAP_CONNECTED, e -> true);
        P2PCoordinator second = node(P2PConfig.builder().listen("/ip4/127.0.0.1/tcp/" + port)
                .privateKey(bootstrapKey).build());
        join(second.start());
        join(reconnected);
        assertThat(client.isConnected(second.peerId())).isTrue();
        BootstrapManager.Status status = client.getBootstrapStatus().get(second.peerId());
        assertThat(status.connected()).isTrue();
        assertThat(status.attempts()).isZero();
    }

    // ------------------------------------------------------------------ protocols and messages

    /** Records messages; optionally serves a stream protocol. */
    private static class Recorder implements ProtocolHandler {
        final String name;
        final List<P2PMessage> messages = new CopyOnWriteArrayList<>();
        final List<PeerInfo> senders = new CopyOnWriteArrayList<>();
        final CompletableFuture<P2PMessage> first = new CompletableFuture<>();
        final java.util.Map<String, CompletableFuture<P2PMessage>> byType = new java.util.concurrent.ConcurrentHashMap<>();

        CompletableFuture<P2PMessage> ofType(String type) {
            return byType.computeIfAbsent(type, t -> new CompletableFuture<>());
        }

        Recorder(String name) {
            this.name = name;
        }

        @Override
        public String protocolName() {
            return name;
        }

        @Override
        public String protocolId() {
            return "/test/" + name + "/1.0.0";
        }

        @Override
        public void handleMessage(P2PMessage message, PeerInfo from) {
            messages.add(message);
            senders.add(from);
            first.complete(message);
            ofType(message.type()).complete(message);
        }
    }

    @Test
    void registerProtocolRejectsDuplicatesAndUnregisterRemoves() {
        P2PCoordinator node = node();
        node.registerProtocol(new Recorder("chat"));
        assertThatThrownBy(() -> node.registerProtocol(new Recorder("chat")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Protocol already registered: chat");
        assertThat(node.getProtocols()).extracting(ProtocolHandler::protocolName).containsExactly("chat");
        assertThat(node.unregisterProtocol("chat")).isTrue();
        assertThat(node.unregisterProtocol("chat")).isFalse();
        node.registerProtocol(new Recorder("chat"));
    }

    @Test
    void directMessagesReachTheHandlerAndTheMessageEvent() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        Recorder chat = new Recorder("chat");
        bob.registerProtocol(chat);
        CompletableFuture<MessageEvent> event = next(bob, EventType.MESSAGE, e -> true);
        join(alice.connectToPeer(address(bob)));

        P2PMessage sent = message(alice, "greeting", "chat");
        join(alice.sendTo(bob.peerId().toString(), sent));

        assertThat(join(chat.first)).isEqualTo(sent);
        MessageEvent received = join(event);
        assertThat(received.message()).isEqualTo(sent);
        assertThat(received.from().peerId()).isEqualTo(alice.peerId());
        assertThat(chat.senders.get(0).peerId()).isEqualTo(alice.peerId());
        assertThat(bob.getSecurityManager().getMetrics().validMessages()).isEqualTo(1);
    }

    @Test
    void aBurstOfSendsToOnePeerIsQueuedNotReset() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        int burst = 90; // above the receiver's 32 concurrent message streams, below its rate limit
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> all = new CompletableFuture<>();
        bob.on(EventType.MESSAGE, e -> {
            if (received.incrementAndGet() == burst) {
                all.complete(null);
            }
        });
        join(alice.connectToPeer(address(bob)));

        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < burst; i++) {
            sends.add(alice.sendTo(bob.peerId(), message(alice, "burst-" + i, "chat")));
        }

        join(CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)));
        join(all);
        assertThat(received).hasValue(burst);
    }

    @Test
    void duplicatesAreDeliveredOnce() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        Recorder chat = new Recorder("chat");
        bob.registerProtocol(chat);
        join(alice.connectToPeer(address(bob)));
        P2PMessage first = message(alice, "a", "chat");
        join(alice.sendTo(bob.peerId(), first));
        join(chat.first);
        join(alice.sendTo(bob.peerId(), first));
        P2PMessage second = message(alice, "b", "chat");
        join(alice.sendTo(bob.peerId(), second));
        join(chat.ofType("b"));
        assertThat(chat.messages).extracting(P2PMessage::type).containsExactly("a", "b");
    }

    @Test
    void spoofedAndMalformedMessagesAreRejectedAndTheSenderWarned() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        Recorder chat = new Recorder("chat");
        bob.registerProtocol(chat);
        join(alice.connectToPeer(address(bob)));
        String someoneElse = Keys.generateEd25519().publicKey().peerId().toString();

        P2PMessage spoofed = protocol.createMessage("x", null, someoneElse).withProtocol("chat");
        join(MessageSender.send(alice.host(), bob.peerId(), protocol.serialize(spoofed)));
        join(MessageSender.send(alice.host(), bob.peerId(), "{not json".getBytes(StandardCharsets.UTF_8)));
        byte[] oversized = new byte[150_000];
        java.util.Arrays.fill(oversized, (byte) ' ');
        join(MessageSender.send(alice.host(), bob.peerId(), oversized).handle((v, e) -> null));
        P2PMessage good = message(alice, "ok", "chat");
        join(alice.sendTo(bob.peerId(), good));

        assertThat(join(chat.first).type()).isEqualTo("ok");
        assertThat(chat.messages).hasSize(1);
        assertThat(bob.getSecurityManager().banManager().warningCount(alice.peerId())).isEqualTo(3);
        assertThat(bob.getSecurityManager().getMetrics().invalidMessages()).isEqualTo(3);
        assertThat(bob.getSecurityManager().getMetrics().oversizedMessages()).isEqualTo(1);
        assertThatThrownBy(() -> alice.sendTo(bob.peerId(), protocol.createMessage("big",
                "x".repeat(150_000), alice.peerId().toString())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
    }

    @Test
    void broadcastSendsToSelectedPeersAndDeliversToSelf() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        P2PCoordinator carol = started();
        Recorder aliceChat = new Recorder("chat");
        Recorder bobChat = new Recorder("chat");
        Recorder carolChat = new Recorder("chat");
        alice.registerProtocol(aliceChat);
        bob.registerProtocol(bobChat);
        carol.registerProtocol(carolChat);
        join(alice.connectToPeer(address(bob)));
        join(alice.connectToPeer(address(carol)));

        BroadcastResult all = join(alice.broadcast(message(alice, "to-all", "chat")));
        assertThat(all.sent()).containsExactlyInAnyOrder(bob.peerId(), carol.peerId());
        assertThat(all.failed()).isEmpty();
        assertThat(join(bobChat.first).type()).isEqualTo("to-all");
        assertThat(join(carolChat.first).type()).isEqualTo("to-all");
        assertThat(join(aliceChat.first).type()).isEqualTo("to-all");
        assertThat(aliceChat.senders.get(0).peerId()).isEqualTo(alice.peerId());

        BroadcastResult some = join(alice.broadcast(message(alice, "not-carol", "chat"),
                BroadcastOptions.excluding(carol.peerId())));
        assertThat(some.sent()).containsExactly(bob.peerId());
        BroadcastResult only = join(alice.broadcast(message(alice, "only-carol", "chat"),
                BroadcastOptions.only(carol.peerId().toString())));
        assertThat(only.sent()).containsExactly(carol.peerId());
    }

    @Test
    void aThrowingHandlerIsReportedAsAnErrorEvent() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        bob.registerProtocol(new Recorder("bad") {
            @Override
            public void handleMessage(P2PMessage message, PeerInfo from) {
                throw new IllegalStateException("handler bug");
            }
        });
        CompletableFuture<ErrorEvent> error = next(bob, EventType.ERROR, e -> true);
        join(alice.connectToPeer(address(bob)));
        join(alice.sendTo(bob.peerId(), message(alice, "x", "bad")));
        ErrorEvent event = join(error);
        assertThat(event.error()).hasMessage("handler bug");
        assertThat(event.context()).isEqualTo("handleMessage of bad");
    }

    @Test
    void handlersWithHandleStreamAreServedOnTheHost() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = node();
        CompletableFuture<Libp2pStream> accepted = new CompletableFuture<>();
        Recorder raw = new Recorder("raw") {
            @Override
            public void handleStream(Libp2pStream stream) {
                accepted.complete(stream);
                stream.channel().close();
            }
        };
        bob.registerProtocol(raw);
        bob.registerProtocol(new Recorder("plain"));
        join(bob.start());
        assertThat(bob.host().protocols().protocols()).contains("/test/raw/1.0.0").doesNotContain("/test/plain/1.0.0");

        join(alice.connectToPeer(address(bob)));
        join(alice.host().newStream(bob.peerId(), List.of("/test/raw/1.0.0"), s -> { }));
        assertThat(join(accepted).remotePeer()).isEqualTo(alice.peerId());

        join(bob.stop());
        join(bob.start());
        assertThat(bob.host().protocols().protocols()).contains("/test/raw/1.0.0");
        bob.unregisterProtocol("raw");
        assertThat(bob.host().protocols().protocols()).doesNotContain("/test/raw/1.0.0");
    }

    @Test
    void discoveryAndIdentifyUpdatePeerInfoAndHandlerHooks() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        List<String> hooks = new CopyOnWriteArrayList<>();
        CompletableFuture<PeerId> disconnectedHook = new CompletableFuture<>();
        alice.registerProtocol(new Recorder("hooks") {
            @Override
            public void onPeerDiscovered(PeerInfo peerInfo) {
                hooks.add("discovered");
            }

            @Override
            public void onPeerConnected(PeerId peerId) {
                hooks.add("connected");
            }

            @Override
            public void onPeerUpdated(PeerInfo peerInfo) {
                hooks.add("updated");
            }

            @Override
            public void onPeerDisconnected(PeerId peerId) {
                disconnectedHook.complete(peerId);
            }
        });
        CompletableFuture<org.lotusia.p2p.events.PeerDiscoveredEvent> discovered =
                next(alice, EventType.DISCOVERED, e -> e.peerInfo().peerId().equals(bob.peerId()));
        CompletableFuture<org.lotusia.p2p.events.PeerUpdatedEvent> updated =
                next(alice, EventType.UPDATED, e -> e.peerInfo().peerId().equals(bob.peerId()));

        join(alice.connectToPeer(address(bob)));

        assertThat(join(discovered).peerInfo().publicKey()).isPresent();
        PeerInfo identified = join(updated).peerInfo();
        assertThat(identified.multiaddrs()).isNotEmpty();
        assertThat(alice.getPeer(bob.peerId().toString())).isPresent();
        join(alice.disconnectFromPeer(bob.peerId()));
        assertThat(join(disconnectedHook)).isEqualTo(bob.peerId());
        assertThat(hooks).containsSubsequence("discovered", "connected", "updated");
    }

    // ------------------------------------------------------------------ security and events

    @Test
    void banningAPeerClosesItsConnectionsAndRefusesNewOnes() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        join(alice.connectToPeer(address(bob)));
        CompletableFuture<PeerDisconnectedEvent> dropped = next(bob, EventType.DISCONNECTED,
                e -> e.peerId().equals(alice.peerId()));

        bob.getSecurityManager().banPeer(alice.peerId(), "test");

        join(dropped);
        assertThat(bob.isConnected(alice.peerId())).isFalse();
        assertThatThrownBy(() -> bob.connectToPeer(address(alice)).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasMessageContaining("gater");
        // Bob's gater refuses Alice's inbound connection once the handshake names her.
        join(alice.connectToPeer(address(bob)).handle((v, e) -> null));
        assertThat(bob.isConnected(alice.peerId())).isFalse();
        assertThat(bob.getConnectedPeers()).isEmpty();
    }

    @Test
    void waitForEventTimeoutRemovesTheListener() {
        P2PCoordinator node = started();
        CompletableFuture<PeerConnectedEvent> waiting =
                Events.waitForEvent(node, EventType.CONNECTED, Duration.ofMillis(50));
        assertThat(node.listenerCount(EventType.CONNECTED)).isEqualTo(1);
        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("Timeout waiting for event: peer:connect");
        assertThat(node.listenerCount(EventType.CONNECTED)).isZero();
    }

    @Test
    void aThrowingListenerDoesNotStopOtherListeners() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        alice.on(EventType.CONNECTED, e -> {
            throw new IllegalStateException("listener bug");
        });
        CompletableFuture<PeerConnectedEvent> second = next(alice, EventType.CONNECTED, e -> true);
        CompletableFuture<ErrorEvent> error = next(alice, EventType.ERROR, e -> true);
        join(alice.connectToPeer(address(bob)));
        join(second);
        assertThat(join(error).context()).isEqualTo("listener for peer:connect");
    }

    @Test
    void futuresAndListenersRunOnTheCoordinatorThread() {
        P2PCoordinator alice = started();
        P2PCoordinator bob = started();
        CompletableFuture<String> listenerThread = new CompletableFuture<>();
        alice.on(EventType.CONNECTED, e -> listenerThread.complete(Thread.currentThread().getName()));
        String continuation = join(alice.connectToPeer(address(bob)).thenApply(p -> Thread.currentThread().getName()));
        assertThat(continuation).startsWith("lotus-p2p-events-");
        assertThat(join(listenerThread)).startsWith("lotus-p2p-events-");
    }
}
