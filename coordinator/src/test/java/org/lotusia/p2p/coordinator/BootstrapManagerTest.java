package org.lotusia.p2p.coordinator;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Direction;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BootstrapManagerTest {
    private final PeerId peer = Keys.generateEd25519().publicKey().peerId();
    private final Multiaddr address = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001/p2p/" + peer);
    private final List<String> events = new ArrayList<>();
    private final List<Duration> delays = new ArrayList<>();
    private final Deque<Runnable> scheduled = new ArrayDeque<>();
    private final List<CompletableFuture<Void>> dials = new ArrayList<>();

    private final BootstrapManager.Scheduler scheduler = (task, delay) -> {
        delays.add(delay);
        scheduled.add(task);
        return new CancellableHandle(task);
    };

    private final class CancellableHandle extends CompletableFuture<Void> {
        private final Runnable task;

        CancellableHandle(Runnable task) {
            this.task = task;
        }

        @Override
        public boolean cancel(boolean mayInterrupt) {
            scheduled.remove(task);
            return super.cancel(mayInterrupt);
        }
    }

    private final BootstrapManager.Listener listener = new BootstrapManager.Listener() {
        @Override
        public void connected(PeerId p, Multiaddr a) {
            events.add("connected");
        }

        @Override
        public void disconnected(PeerId p, String reason) {
            events.add("disconnected");
        }

        @Override
        public void reconnecting(PeerId p, int attempt, Duration delay) {
            events.add("reconnecting " + attempt + " " + delay.toMillis());
        }

        @Override
        public void failed(PeerId p, int attempts, String error) {
            events.add("failed " + attempts + " " + error);
        }
    };

    private BootstrapManager manager(BackoffPolicy policy) {
        return new BootstrapManager(List.of(address), policy, scheduler, () -> 0.5, a -> {
            assertThat(a).isEqualTo(address);
            CompletableFuture<Void> dial = new CompletableFuture<>();
            dials.add(dial);
            return dial;
        }, listener);
    }

    private void failLastDial() {
        dials.get(dials.size() - 1).completeExceptionally(new RuntimeException("connection refused"));
    }

    private void runNext() {
        scheduled.poll().run();
    }

    @Test
    void redialsWithExponentialBackoffUntilConnectedThenResets() {
        BootstrapManager m = manager(BackoffPolicy.defaults());
        m.start();
        assertThat(dials).hasSize(1);
        failLastDial();
        runNext();
        failLastDial();
        runNext();
        failLastDial();
        assertThat(delays).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        runNext();
        dials.get(3).complete(null);
        assertThat(events).containsExactly("reconnecting 1 1000", "reconnecting 2 2000", "reconnecting 3 4000",
                "connected");
        assertThat(m.status().get(peer).attempts()).isZero();
        assertThat(m.connectedCount()).isEqualTo(1);

        m.peerDisconnected(peer);
        assertThat(events).endsWith("disconnected", "reconnecting 1 1000");
        assertThat(m.connectedCount()).isZero();
    }

    @Test
    void givesUpAfterTheConfiguredAttempts() {
        BootstrapManager m = manager(BackoffPolicy.defaults().withMaxAttempts(2));
        m.start();
        failLastDial();
        runNext();
        failLastDial();
        runNext();
        failLastDial();
        assertThat(scheduled).isEmpty();
        assertThat(events).containsExactly("reconnecting 1 1000", "reconnecting 2 2000",
                "failed 2 connection refused");
        assertThat(m.status().get(peer).givenUp()).isTrue();

        m.peerConnected(peer);
        assertThat(events).endsWith("connected");
        assertThat(m.status().get(peer).givenUp()).isFalse();
    }

    @Test
    void aConnectionByOtherMeansCancelsThePendingRedial() {
        BootstrapManager m = manager(BackoffPolicy.defaults());
        m.start();
        failLastDial();
        assertThat(scheduled).hasSize(1);
        m.peerConnected(peer);
        assertThat(scheduled).isEmpty();
        assertThat(events).containsExactly("reconnecting 1 1000", "connected");
    }

    @Test
    void closeCancelsRedialsAndIgnoresLaterResults() {
        BootstrapManager m = manager(BackoffPolicy.defaults());
        m.start();
        failLastDial();
        m.close();
        assertThat(scheduled).isEmpty();
        m.peerConnected(peer);
        m.peerDisconnected(peer);
        assertThat(events).containsExactly("reconnecting 1 1000");
    }

    @Test
    void ignoresOtherPeersAndRejectsAddressesWithoutPeerId() {
        BootstrapManager m = manager(BackoffPolicy.defaults());
        PeerId other = Keys.generateEd25519().publicKey().peerId();
        m.peerConnected(other);
        m.peerDisconnected(other);
        assertThat(events).isEmpty();
        assertThat(m.isBootstrapPeer(peer)).isTrue();
        assertThat(m.isBootstrapPeer(other)).isFalse();
        assertThatThrownBy(() -> new BootstrapManager(List.of(Multiaddr.parse("/ip4/1.2.3.4/tcp/1")),
                BackoffPolicy.defaults(), scheduler, () -> 0.5, a -> new CompletableFuture<>(), listener))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("/p2p/<peer id>");
    }

    @Test
    void banGaterRefusesBannedPeers() {
        PeerId banned = Keys.generateEd25519().publicKey().peerId();
        BanGater gater = new BanGater(banned::equals);
        assertThat(gater.allowDial(banned, address)).isFalse();
        assertThat(gater.allowDial(peer, address)).isTrue();
        assertThat(gater.allowDial(null, address)).isTrue();
        assertThat(gater.allowSecured(banned, Direction.INBOUND, address)).isFalse();
        assertThat(gater.allowSecured(peer, Direction.OUTBOUND, address)).isTrue();
        assertThat(gater.allowInbound(address)).isTrue();
    }
}
