package org.lotusia.p2p.pubsub;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.pubsub.GossipSubConfig;
import org.lotusia.libp2p.pubsub.GossipSubRouter;
import org.lotusia.libp2p.pubsub.PubsubMessage;
import org.lotusia.p2p.events.EventBus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The coordinator's pub/sub for one run of the node: a {@link GossipSubRouter} on the host, topic
 * subscriptions with several removable {@link TopicHandler}s per topic (the reference allows one
 * and silently replaces it), JSON publishing, and the {@link MeshHealthMonitor}. Created when the
 * node starts with GossipSub enabled and closed (before the host) when it stops; applications use
 * it through {@link org.lotusia.p2p.P2PCoordinator}.
 *
 * <p>Handlers run on the coordinator's event executor ({@link EventBus#execute}), never on a network
 * thread; each handler call is a separate task, so a throwing handler is reported as an error event
 * and the others still get the message. Thread-safe.
 */
public final class TopicService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TopicService.class);

    private final GossipSubRouter router;
    private final EventBus events;
    private final MeshHealthMonitor health;
    private final Object lock = new Object();
    private final Map<String, TopicEntry> topics = new LinkedHashMap<>();
    private boolean closed;

    /** The handlers of one subscribed topic and the router subscription they share. */
    private final class TopicEntry {
        final String topic;
        final CopyOnWriteArrayList<Registration> handlers = new CopyOnWriteArrayList<>();
        GossipSubRouter.Subscription routerSubscription;

        TopicEntry(String topic) {
            this.topic = topic;
        }
    }

    /** One handler on one topic. */
    private final class Registration implements TopicSubscription {
        final TopicEntry entry;
        final TopicHandler handler;
        final AtomicBoolean active = new AtomicBoolean(true);

        Registration(TopicEntry entry, TopicHandler handler) {
            this.entry = entry;
            this.handler = handler;
        }

        @Override
        public String topic() {
            return entry.topic;
        }

        @Override
        public boolean isActive() {
            return active.get();
        }

        @Override
        public void close() {
            if (!active.compareAndSet(true, false)) {
                return;
            }
            synchronized (lock) {
                entry.handlers.remove(this);
                if (entry.handlers.isEmpty() && topics.get(entry.topic) == entry) {
                    topics.remove(entry.topic);
                    if (!closed) {
                        entry.routerSubscription.close();
                    }
                    health.forget(entry.topic);
                }
            }
        }
    }

    /**
     * Attaches a router to {@code host} (call before the host starts, so identify announces the
     * GossipSub protocols from the first connection).
     *
     * @param host         the node's host
     * @param routerConfig the router's parameters
     * @param healthConfig the mesh health monitor's interval and threshold
     * @param events       where handlers run and mesh health events are emitted
     * @param scheduler    runs the periodic mesh health checks
     * @param clock        time of the health checks
     */
    public TopicService(Host host, GossipSubConfig routerConfig, MeshHealthConfig healthConfig, EventBus events,
                        ScheduledExecutorService scheduler, Clock clock) {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(routerConfig, "routerConfig");
        this.events = Objects.requireNonNull(events, "events");
        // The router's default scoring: gossipsub v1.1 peer scores with default parameters, as the reference.
        this.router = new GossipSubRouter(host, routerConfig);
        this.health = new MeshHealthMonitor(healthConfig, routerConfig.dlo(), new RouterProbe(), events::emit, clock);
        health.start(scheduler);
    }

    /** The router, for advanced use (validators, scores). Do not close it. */
    public GossipSubRouter router() {
        return router;
    }

    /** The mesh health monitor. */
    public MeshHealthMonitor meshHealth() {
        return health;
    }

    /**
     * Adds {@code handler} to {@code topic}, subscribing the node to the topic if it is the first.
     *
     * @throws IllegalArgumentException if the topic is empty
     * @throws IllegalStateException    if the service is closed (the node stopped)
     */
    public TopicSubscription subscribe(String topic, TopicHandler handler) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(handler, "handler");
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
        synchronized (lock) {
            requireOpen();
            TopicEntry entry = topics.get(topic);
            if (entry == null) {
                TopicEntry created = new TopicEntry(topic);
                created.routerSubscription = router.subscribe(topic, message -> dispatch(created, message));
                topics.put(topic, created);
                entry = created;
            }
            Registration registration = new Registration(entry, handler);
            entry.handlers.add(registration);
            return registration;
        }
    }

    /**
     * Removes every handler of {@code topic} and unsubscribes the node from it.
     *
     * @return whether the node was subscribed
     */
    public boolean unsubscribe(String topic) {
        Objects.requireNonNull(topic, "topic");
        synchronized (lock) {
            TopicEntry entry = topics.remove(topic);
            if (entry == null) {
                return false;
            }
            entry.handlers.forEach(r -> r.active.set(false));
            entry.handlers.clear();
            if (!closed) {
                router.unsubscribe(topic);
            }
            health.forget(topic);
            return true;
        }
    }

    /** The topics with at least one handler. */
    public Set<String> subscribedTopics() {
        synchronized (lock) {
            return Set.copyOf(topics.keySet());
        }
    }

    /** How many handlers {@code topic} has. */
    public int handlerCount(String topic) {
        synchronized (lock) {
            TopicEntry entry = topics.get(topic);
            return entry == null ? 0 : entry.handlers.size();
        }
    }

    /**
     * Publishes raw bytes (signed by the node, StrictSign by default).
     *
     * @return the number of peers it was sent to
     */
    public CompletableFuture<Integer> publish(String topic, byte[] data) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(data, "data");
        synchronized (lock) {
            requireOpen();
        }
        return router.publish(topic, data);
    }

    /**
     * Publishes {@code utf8(JSON.stringify(value))} like the reference ({@link TopicJson#encode}).
     *
     * @throws org.lotusia.p2p.message.MessageFormatException if the value cannot be converted to JSON
     */
    public CompletableFuture<Integer> publishJson(String topic, Object value) {
        return publish(topic, TopicJson.encode(value));
    }

    /** Peers known to subscribe to {@code topic}. */
    public CompletableFuture<Set<PeerId>> topicPeers(String topic) {
        return router.topicPeers(topic);
    }

    /** Our mesh peers for {@code topic}. */
    public CompletableFuture<Set<PeerId>> meshPeers(String topic) {
        return router.meshPeers(topic);
    }

    /** Stops the health checks, deactivates every subscription and closes the router. Idempotent. */
    @Override
    public void close() {
        List<TopicEntry> entries;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            entries = List.copyOf(topics.values());
            topics.clear();
        }
        health.close();
        for (TopicEntry entry : entries) {
            entry.handlers.forEach(r -> r.active.set(false));
        }
        router.close();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("coordinator not started");
        }
    }

    /** Router thread → one task per handler on the event executor. */
    private void dispatch(TopicEntry entry, PubsubMessage message) {
        if (entry.handlers.isEmpty()) {
            return;
        }
        TopicMessage topicMessage;
        try {
            topicMessage = toTopicMessage(message);
        } catch (RuntimeException e) {
            LOG.debug("dropping undecodable message on {}: {}", entry.topic, e.toString());
            return;
        }
        for (Registration registration : entry.handlers) {
            events.execute("topic handler for " + entry.topic, () -> {
                if (registration.isActive()) {
                    registration.handler.onMessage(topicMessage);
                }
            });
        }
    }

    private TopicMessage toTopicMessage(PubsubMessage message) {
        PeerId forwarder = message.receivedFrom().orElse(null);
        PeerId author = message.from().orElse(forwarder);
        if (author == null) {
            throw new IllegalArgumentException("message without author or sender");
        }
        byte[] id = router.config().messageIdFunction().id(message.toProto()).toByteArray();
        return new TopicMessage(message.topic(), author, forwarder, message.data(), TopicMessage.messageIdString(id));
    }

    /** Reads mesh and topic peer counts from the router. */
    private final class RouterProbe implements MeshHealthMonitor.MeshProbe {
        @Override
        public Set<String> topics() {
            return subscribedTopics();
        }

        @Override
        public CompletableFuture<MeshHealthMonitor.MeshCounts> counts(String topic) {
            return router.meshPeers(topic).thenCombine(router.topicPeers(topic),
                    (mesh, peers) -> new MeshHealthMonitor.MeshCounts(mesh.size(), peers.size()));
        }
    }
}
