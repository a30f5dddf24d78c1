package org.lotusia.p2p.pubsub;

import org.lotusia.p2p.events.MeshHealthEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Checks the GossipSub mesh of every subscribed topic against a threshold and reports transitions
 * (the reference's {@code GossipSubMonitor}, but measuring the router's real mesh instead of the
 * subscriber count): {@link MeshHealthEvent.Status#HEALTHY} the first time a topic is found
 * healthy, {@link MeshHealthEvent.Status#UNHEALTHY} when it is found below the threshold (first
 * check, or after being healthy), {@link MeshHealthEvent.Status#RECOVERED} when an unhealthy topic
 * is healthy again. Nothing is reported while a topic stays as it was.
 *
 * <p>Checks run periodically once {@link #start} is called, and on demand with {@link #checkNow()};
 * they run one after another, never overlapping. Thread-safe.
 */
public final class MeshHealthMonitor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MeshHealthMonitor.class);

    /** Mesh and topic peer counts of one topic at one moment. */
    public record MeshCounts(int meshPeers, int topicPeers) {
    }

    /** Where the monitor reads the topics and their meshes. */
    public interface MeshProbe {
        /** The topics to check (the subscribed ones). */
        Collection<String> topics();

        /** The current counts of {@code topic}. */
        CompletableFuture<MeshCounts> counts(String topic);
    }

    private final MeshHealthConfig config;
    private final int required;
    private final MeshProbe probe;
    private final Consumer<MeshHealthEvent> sink;
    private final Clock clock;
    private final Map<String, TopicMeshHealth> last = new LinkedHashMap<>();
    private CompletableFuture<List<TopicMeshHealth>> tail = CompletableFuture.completedFuture(List.of());
    private ScheduledFuture<?> periodic;
    private boolean closed;

    /**
     * @param config   interval and threshold
     * @param dlo      the router's {@code Dlo}, the threshold when the configuration gives none
     * @param probe    where meshes are read
     * @param sink     receives the transition events (called on whatever thread completes a check)
     * @param clock    time of the checks
     */
    public MeshHealthMonitor(MeshHealthConfig config, int dlo, MeshProbe probe, Consumer<MeshHealthEvent> sink,
                             Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.required = config.requiredPeers(dlo);
        this.probe = Objects.requireNonNull(probe, "probe");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The threshold: a topic is healthy with at least this many mesh peers. */
    public int requiredPeers() {
        return required;
    }

    /** Starts the periodic checks on {@code scheduler} if the configuration enables them. */
    public synchronized void start(ScheduledExecutorService scheduler) {
        if (closed || periodic != null || !config.enabled()) {
            return;
        }
        long interval = config.checkInterval().toNanos();
        periodic = scheduler.scheduleWithFixedDelay(() -> checkNow().exceptionally(e -> {
            LOG.debug("mesh health check failed: {}", e.toString());
            return List.of();
        }), interval, interval, TimeUnit.NANOSECONDS);
    }

    /**
     * Checks every subscribed topic now and reports transitions.
     *
     * @return the results, one per topic, once the check is done
     */
    public CompletableFuture<List<TopicMeshHealth>> checkNow() {
        CompletableFuture<List<TopicMeshHealth>> previous;
        CompletableFuture<List<TopicMeshHealth>> next = new CompletableFuture<>();
        synchronized (this) {
            if (closed) {
                return CompletableFuture.completedFuture(List.of());
            }
            previous = tail;
            tail = next;
        }
        // Outside the lock: the probe takes its own locks.
        previous.handle((v, e) -> null).thenCompose(v -> runCheck()).whenComplete((results, e) -> {
            if (e != null) {
                next.completeExceptionally(e);
            } else {
                next.complete(results);
            }
        });
        return next;
    }

    private CompletableFuture<List<TopicMeshHealth>> runCheck() {
        List<String> topics = List.copyOf(probe.topics());
        Map<String, CompletableFuture<MeshCounts>> pending = new LinkedHashMap<>();
        for (String topic : topics) {
            pending.put(topic, probe.counts(topic));
        }
        return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, MeshCounts> counts = new HashMap<>();
            pending.forEach((topic, f) -> counts.put(topic, f.join()));
            return evaluate(topics, counts);
        });
    }

    private List<TopicMeshHealth> evaluate(List<String> topics, Map<String, MeshCounts> counts) {
        List<TopicMeshHealth> results = new ArrayList<>(topics.size());
        List<MeshHealthEvent> events = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return List.of();
            }
            last.keySet().retainAll(topics);
            for (String topic : topics) {
                MeshCounts c = counts.get(topic);
                TopicMeshHealth now = new TopicMeshHealth(topic, c.meshPeers(), c.topicPeers(), required, clock.instant());
                TopicMeshHealth before = last.put(topic, now);
                results.add(now);
                MeshHealthEvent.Status status = transition(before, now);
                if (status != null) {
                    events.add(new MeshHealthEvent(status, topic, now.meshPeers(), now.topicPeers(), required,
                            now.checkedAt()));
                }
            }
        }
        events.forEach(sink);
        return List.copyOf(results);
    }

    private static MeshHealthEvent.Status transition(TopicMeshHealth before, TopicMeshHealth now) {
        if (before == null) {
            return now.isHealthy() ? MeshHealthEvent.Status.HEALTHY : MeshHealthEvent.Status.UNHEALTHY;
        }
        if (before.isHealthy() && !now.isHealthy()) {
            return MeshHealthEvent.Status.UNHEALTHY;
        }
        if (!before.isHealthy() && now.isHealthy()) {
            return MeshHealthEvent.Status.RECOVERED;
        }
        return null;
    }

    /** The latest result of every checked topic still subscribed, in first-check order. */
    public synchronized List<TopicMeshHealth> lastResults() {
        return List.copyOf(last.values());
    }

    /** The latest result of {@code topic}, if it was checked. */
    public synchronized Optional<TopicMeshHealth> lastResult(String topic) {
        return Optional.ofNullable(last.get(topic));
    }

    /** Forgets a topic (after unsubscribing): a later subscription starts fresh. */
    public synchronized void forget(String topic) {
        last.remove(topic);
    }

    /** Stops the periodic checks; later checks report nothing. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (periodic != null) {
            periodic.cancel(false);
        }
        last.clear();
    }
}
