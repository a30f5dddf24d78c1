package org.lotusia.p2p.events;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.ConnectionState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventBusTest {
    private final ExecutorService executor = Executors.newSingleThreadExecutor();
    private final EventBus bus = new EventBus(executor);
    private final PeerId peer = Keys.generateEd25519().publicKey().peerId();

    @AfterEach
    void shutdown() {
        executor.shutdownNow();
    }

    private PeerConnectedEvent connected() {
        return new PeerConnectedEvent(peer, List.of(), Instant.now());
    }

    private void drain() throws Exception {
        // Two rounds: error events raised while delivering are queued behind the current task.
        executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
        executor.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void deliversInEmissionAndRegistrationOrderOnTheExecutor() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        Thread[] thread = new Thread[1];
        bus.on(EventType.CONNECTED, e -> seen.add("a:" + e.peerId().equals(peer)));
        bus.on(EventType.CONNECTED, e -> {
            seen.add("b");
            thread[0] = Thread.currentThread();
        });
        bus.on(EventType.DISCONNECTED, e -> seen.add("d"));

        bus.emit(connected());
        bus.emit(new PeerDisconnectedEvent(peer, Instant.now()));
        drain();

        assertThat(seen).containsExactly("a:true", "b", "d");
        assertThat(thread[0]).isNotEqualTo(Thread.currentThread());
    }

    @Test
    void aThrowingListenerIsReportedAsAnErrorEventAndOthersStillReceive() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<ErrorEvent> error = new CompletableFuture<>();
        RuntimeException boom = new IllegalStateException("boom");
        bus.on(EventType.ERROR, error::complete);
        bus.on(EventType.CONNECTED, e -> {
            throw boom;
        });
        bus.on(EventType.CONNECTED, e -> seen.add("second"));

        bus.emit(connected());

        ErrorEvent reported = error.get(5, TimeUnit.SECONDS);
        assertThat(reported.error()).isSameAs(boom);
        assertThat(reported.context()).contains("peer:connect");
        assertThat(seen).containsExactly("second");
    }

    @Test
    void aThrowingErrorListenerDoesNotLoop() throws Exception {
        List<ErrorEvent> errors = new CopyOnWriteArrayList<>();
        bus.on(EventType.ERROR, e -> {
            errors.add(e);
            throw new IllegalStateException("error listener fails too");
        });
        bus.on(EventType.CONNECTED, e -> {
            throw new IllegalStateException("first failure");
        });

        bus.emit(connected());
        drain();
        drain();

        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).error()).hasMessage("first failure");
    }

    @Test
    void closedSubscriptionReceivesNothingMore() throws Exception {
        List<PeerConnectedEvent> seen = new CopyOnWriteArrayList<>();
        Subscription subscription = bus.on(EventType.CONNECTED, seen::add);
        bus.emit(connected());
        drain();
        subscription.close();
        subscription.close();
        bus.emit(connected());
        drain();

        assertThat(seen).hasSize(1);
        assertThat(subscription.isActive()).isFalse();
        assertThat(bus.listenerCount(EventType.CONNECTED)).isZero();
    }

    @Test
    void waitForEventCompletesWithTheNextMatchingEventAndRemovesItsListener() throws Exception {
        CompletableFuture<StateChangedEvent> waiting = Events.waitForEvent(bus, EventType.STATE_CHANGED,
                e -> e.currentState() == ConnectionState.CONNECTED, Duration.ofSeconds(5));
        assertThat(bus.listenerCount(EventType.STATE_CHANGED)).isEqualTo(1);

        bus.emit(new StateChangedEvent(ConnectionState.DISCONNECTED, ConnectionState.CONNECTING, Instant.now(),
                Optional.empty()));
        bus.emit(new StateChangedEvent(ConnectionState.CONNECTING, ConnectionState.CONNECTED, Instant.now(),
                Optional.empty()));

        assertThat(waiting.get(5, TimeUnit.SECONDS).previousState()).isEqualTo(ConnectionState.CONNECTING);
        assertThat(bus.listenerCount(EventType.STATE_CHANGED)).isZero();
    }

    @Test
    void waitForEventTimesOutAndRemovesItsListener() {
        CompletableFuture<PeerConnectedEvent> waiting =
                Events.waitForEvent(bus, EventType.CONNECTED, Duration.ofMillis(50));

        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(TimeoutException.class)
                .hasMessage("Timeout waiting for event: peer:connect");
        assertThat(bus.listenerCount(EventType.CONNECTED)).isZero();
    }

    @Test
    void cancellingAWaitRemovesItsListener() {
        CompletableFuture<PeerConnectedEvent> waiting =
                Events.waitForEvent(bus, EventType.CONNECTED, Duration.ofSeconds(30));
        waiting.cancel(false);
        assertThat(bus.listenerCount(EventType.CONNECTED)).isZero();
    }

    @Test
    void eventTypesCarryTheReferenceNames() {
        assertThat(EventType.CONNECTED.name()).isEqualTo("peer:connect");
        assertThat(EventType.RESOURCE_ANNOUNCED.name()).isEqualTo("resource:announced");
        assertThat(EventType.RELAY_ADDRESSES_CHANGED.name()).isEqualTo("relay:addresses-changed");
        assertThat(EventType.forName("connection:state-changed")).isSameAs(EventType.STATE_CHANGED);
        assertThat(EventType.values()).hasSizeGreaterThanOrEqualTo(16).doesNotHaveDuplicates()
                .contains(EventType.MESH_HEALTHY, EventType.MESH_UNHEALTHY, EventType.MESH_RECOVERED);
        assertThat(EventType.values().stream().map(EventType::name).distinct().count())
                .as("event names are unique").isEqualTo(EventType.values().size());
        assertThat(EventType.forName("mesh:recovered")).isSameAs(EventType.MESH_RECOVERED);
        assertThat(connected().type()).isSameAs(EventType.CONNECTED);
        assertThatThrownBy(() -> EventType.forName("nope")).isInstanceOf(IllegalArgumentException.class);
    }
}
