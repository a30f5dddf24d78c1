package org.lotusia.p2p.pubsub;

import org.junit.jupiter.api.Test;
import org.lotusia.p2p.events.MeshHealthEvent;
import org.lotusia.p2p.events.MeshHealthEvent.Status;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Transition logic of {@link MeshHealthMonitor}, driven check by check through {@link MeshHealthMonitor#checkNow()}. */
class MeshHealthMonitorTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    /** Mesh counts the test sets directly. */
    private static final class SettableProbe implements MeshHealthMonitor.MeshProbe {
        final Map<String, MeshHealthMonitor.MeshCounts> counts = new ConcurrentHashMap<>();

        @Override
        public Collection<String> topics() {
            return List.copyOf(counts.keySet());
        }

        @Override
        public CompletableFuture<MeshHealthMonitor.MeshCounts> counts(String topic) {
            return CompletableFuture.completedFuture(counts.get(topic));
        }

        void set(String topic, int mesh, int peers) {
            counts.put(topic, new MeshHealthMonitor.MeshCounts(mesh, peers));
        }
    }

    private final SettableProbe probe = new SettableProbe();
    private final BlockingQueue<MeshHealthEvent> events = new LinkedBlockingQueue<>();

    private MeshHealthMonitor monitor(MeshHealthConfig config, int dlo) {
        return new MeshHealthMonitor(config, dlo, probe, events::add, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private List<TopicMeshHealth> check(MeshHealthMonitor monitor) throws Exception {
        return monitor.checkNow().get(5, TimeUnit.SECONDS);
    }

    private List<Status> drain() {
        List<MeshHealthEvent> list = new java.util.ArrayList<>();
        events.drainTo(list);
        return list.stream().map(MeshHealthEvent::status).toList();
    }

    @Test
    void reportsTransitionsOnlyAndUsesDloByDefault() throws Exception {
        try (MeshHealthMonitor monitor = monitor(MeshHealthConfig.defaults(), 4)) {
            assertThat(monitor.requiredPeers()).isEqualTo(4);
            probe.set("a", 0, 0);
            probe.set("b", 4, 6);
            List<TopicMeshHealth> first = check(monitor);
            assertThat(first).extracting(TopicMeshHealth::topic).containsExactlyInAnyOrder("a", "b");
            List<MeshHealthEvent> initial = new java.util.ArrayList<>();
            events.drainTo(initial);
            assertThat(initial).extracting(MeshHealthEvent::topic, MeshHealthEvent::status, MeshHealthEvent::meshPeers,
                    MeshHealthEvent::required).containsExactlyInAnyOrder(
                    org.assertj.core.groups.Tuple.tuple("a", Status.UNHEALTHY, 0, 4),
                    org.assertj.core.groups.Tuple.tuple("b", Status.HEALTHY, 4, 4));
            assertThat(initial).allSatisfy(e -> assertThat(e.timestamp()).isEqualTo(NOW));
            assertThat(initial.stream().filter(e -> e.topic().equals("a")).findFirst().orElseThrow().type().name())
                    .isEqualTo("mesh:unhealthy");

            probe.set("a", 3, 5);
            check(monitor);
            assertThat(drain()).as("still below the threshold: nothing new").isEmpty();

            probe.set("a", 4, 5);
            check(monitor);
            List<MeshHealthEvent> recovered = new java.util.ArrayList<>();
            events.drainTo(recovered);
            assertThat(recovered).singleElement().satisfies(e -> {
                assertThat(e.topic()).isEqualTo("a");
                assertThat(e.status()).isEqualTo(Status.RECOVERED);
                assertThat(e.type().name()).isEqualTo("mesh:recovered");
                assertThat(e.isHealthy()).isTrue();
                assertThat(e.topicPeers()).isEqualTo(5);
            });

            probe.set("b", 1, 1);
            check(monitor);
            assertThat(drain()).containsExactly(Status.UNHEALTHY);
            assertThat(monitor.lastResult("b")).hasValueSatisfying(r -> assertThat(r.isHealthy()).isFalse());
        }
    }

    @Test
    void aConfiguredMinimumOverridesDloAndForgottenTopicsStartFresh() throws Exception {
        try (MeshHealthMonitor monitor = monitor(MeshHealthConfig.defaults().withMinMeshPeers(1), 4)) {
            assertThat(monitor.requiredPeers()).isEqualTo(1);
            probe.set("t", 1, 1);
            check(monitor);
            assertThat(drain()).containsExactly(Status.HEALTHY);
            check(monitor);
            assertThat(drain()).isEmpty();

            probe.counts.remove("t");
            check(monitor);
            assertThat(monitor.lastResults()).as("unsubscribed topics are dropped").isEmpty();
            probe.set("t", 1, 1);
            check(monitor);
            assertThat(drain()).as("a new subscription is reported afresh").containsExactly(Status.HEALTHY);
            monitor.forget("t");
            assertThat(monitor.lastResult("t")).isEmpty();
        }
    }

    @Test
    void runsPeriodicallyWhenStartedAndNotAfterClose() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            MeshHealthMonitor monitor = monitor(MeshHealthConfig.defaults().withCheckInterval(Duration.ofMillis(20)), 2);
            probe.set("t", 0, 0);
            monitor.start(scheduler);
            assertThat(events.poll(5, TimeUnit.SECONDS)).extracting(MeshHealthEvent::status).isEqualTo(Status.UNHEALTHY);
            probe.set("t", 2, 2);
            assertThat(events.poll(5, TimeUnit.SECONDS)).extracting(MeshHealthEvent::status).isEqualTo(Status.RECOVERED);
            monitor.close();
            assertThat(check(monitor)).isEmpty();
            assertThat(monitor.lastResults()).isEmpty();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void aDisabledMonitorOnlyChecksOnDemand() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (MeshHealthMonitor monitor = monitor(MeshHealthConfig.disabled(), 4)) {
            monitor.start(scheduler);
            probe.set("t", 0, 0);
            assertThat(scheduler.shutdownNow()).as("nothing scheduled").isEmpty();
            assertThat(check(monitor)).singleElement().satisfies(r -> assertThat(r.isHealthy()).isFalse());
            assertThat(drain()).containsExactly(Status.UNHEALTHY);
        }
    }
}
