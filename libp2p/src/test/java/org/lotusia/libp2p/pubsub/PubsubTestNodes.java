package org.lotusia.libp2p.pubsub;

import org.lotusia.libp2p.testing.Poll;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Hosts and routers for the pub/sub tests, on 127.0.0.1; {@link #close()} closes them newest first. */
final class PubsubTestNodes implements AutoCloseable {
    static final Multiaddr LOOPBACK = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
    /** Heartbeats five times a second, so meshes form within a test's patience. */
    static final GossipSubConfig FAST = GossipSubConfig.builder().heartbeatInterval(Duration.ofMillis(200)).build();

    /** A host and its router. */
    record Node(Host host, GossipSubRouter router) {
    }

    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** A started host listening on an ephemeral loopback port. */
    Host host() {
        Host host = Host.builder().listen(LOOPBACK).build();
        host.start().join();
        closeables.add(host);
        return host;
    }

    /** A started host with a router on it. */
    Node node(GossipSubConfig config, PeerScoring scoring) {
        Host host = host();
        GossipSubRouter router = new GossipSubRouter(host, config, scoring);
        closeables.add(router);
        return new Node(host, router);
    }

    static void connect(Host from, Host to) throws Exception {
        from.connect(to.shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
    }

    /** Polls {@code condition} for up to 10 s (gossip state has no event to await). */
    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        Poll.until(what, Duration.ofSeconds(10), condition);
    }

    /** Subscribes {@code node} to {@code topic}; the queue receives what it delivers. */
    static BlockingQueue<PubsubMessage> subscribe(Node node, String topic) {
        BlockingQueue<PubsubMessage> queue = new LinkedBlockingQueue<>();
        node.router().subscribe(topic, queue::add);
        return queue;
    }

    @Override
    public void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }
}
