package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import org.lotusia.libp2p.codec.UvarintFrameDecoder;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PeerRecord;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Direction;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.pubsub.pb.RpcProto;
import org.lotusia.libp2p.pubsub.pb.RpcProto.ControlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * GossipSub v1.2 / v1.1 / v1.0 (and FloodSub peers) on a {@link Host}, behaving as js-libp2p's
 * {@code @libp2p/gossipsub} does on the wire.
 *
 * <p>Each side writes only on the one long-lived stream it opened to a peer and reads only from the
 * stream the peer opened. All router state lives on one thread the router owns (also running the
 * heartbeat); Netty I/O threads only frame, parse and hand RPCs over. Message handlers run on the
 * host's event thread, in order. {@link #close()} stops the thread and closes the router's streams.
 *
 * <p>Every peer is scored by a {@link PeerScoring} (by default the gossipsub v1.1 {@link PeerScore}):
 * invalid messages, broken IWANT promises and GRAFTs during backoff cost the sender; negative peers are
 * pruned and not grafted; gossip, our own messages and PX follow the score thresholds; RPCs from
 * graylisted peers are dropped. Meshes are kept between Dlo and Dhi keeping the Dscore best-scoring
 * and at least Dout outbound peers, with opportunistic grafting when the median score is low. Inbound
 * RPCs are bounded in size and counts; outbound data to a peer is bounded (RPCs beyond the bound are
 * dropped and counted in {@link #stats()}).
 */
public final class GossipSubRouter implements AutoCloseable {
    /** GossipSub v1.2. */
    public static final String MESHSUB_1_2 = "/meshsub/1.2.0";
    /** GossipSub v1.1. */
    public static final String MESHSUB_1_1 = "/meshsub/1.1.0";
    /** GossipSub v1.0. */
    public static final String MESHSUB_1_0 = "/meshsub/1.0.0";
    /** FloodSub. */
    public static final String FLOODSUB = "/floodsub/1.0.0";
    /** Protocols in preference order, as js selects them. */
    public static final List<String> PROTOCOLS = List.of(MESHSUB_1_2, MESHSUB_1_1, MESHSUB_1_0, FLOODSUB);

    /** Decode limits per RPC (as js). */
    static final int MAX_SUBSCRIPTIONS = 5000;
    static final int MAX_MESSAGES = 5000;
    static final int MAX_CONTROL_ENTRIES = 5000;
    static final int MAX_IDS = 5000;
    static final int MAX_IDONTWANT_IDS = 512;
    /** PX entries looked at per PRUNE (js decodes at most 16). */
    static final int MAX_PX_PEERS = 16;
    /** PX connection attempts in flight at once. */
    static final int MAX_PX_CONNECTS = 16;
    /** IWANT promises tracked at once. */
    static final int MAX_PROMISES = 10_000;
    /** Concurrent inbound pubsub streams per connection (a new one replaces the old). */
    static final int MAX_INBOUND_STREAMS = 4;
    /** Outbound stream attempts per peer before giving up until it is identified again. */
    static final int MAX_OPEN_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(GossipSubRouter.class);

    private final Host host;
    private final GossipSubConfig config;
    private final PeerScoring scoring;
    private final ScheduledExecutorService exec;
    private final ScheduledFuture<?> heartbeat;
    private final HostListener listener;
    private volatile boolean closed;

    // Router-thread state.
    private final Map<PeerId, PeerState> peers = new HashMap<>();
    private final Map<String, Set<PeerId>> topicPeers = new HashMap<>();
    private final Map<String, Set<PeerId>> mesh = new HashMap<>();
    private final Map<String, Set<PeerId>> fanout = new HashMap<>();
    private final Map<String, Long> fanoutLastPublished = new HashMap<>();
    private final Map<String, Map<PeerId, Long>> backoff = new HashMap<>();
    private final Map<String, CopyOnWriteArrayList<Consumer<PubsubMessage>>> subscriptions = new LinkedHashMap<>();
    private final Map<String, MessageValidator> validators = new HashMap<>();
    private final SeenCache seen;
    private final MessageCache mcache;
    private final GossipPromises promises;
    private final Set<PeerId> pxConnecting = new HashSet<>();
    private long droppedRpcs;
    private long seqno = System.currentTimeMillis() * 1_000_000L;
    private long tick;

    /** Attaches a router with the js defaults and the v1.1 {@link PeerScore} (default parameters) to {@code host}. */
    public GossipSubRouter(Host host) {
        this(host, GossipSubConfig.defaults(), new PeerScore());
    }

    /** Attaches a router with {@code config} and the v1.1 {@link PeerScore} (default parameters) to {@code host}. */
    public GossipSubRouter(Host host, GossipSubConfig config) {
        this(host, config, new PeerScore());
    }

    /** Attaches a router to {@code host}. */
    public GossipSubRouter(Host host, GossipSubConfig config, PeerScoring scoring) {
        this.host = host;
        this.config = config;
        this.scoring = scoring;
        this.seen = new SeenCache(config.seenTtl().toNanos(), config.seenMax());
        this.mcache = new MessageCache(config.mcacheLength(), config.mcacheGossip());
        this.promises = new GossipPromises(config.iwantFollowupTime().toNanos(), MAX_PROMISES);
        String shortId = host.peerId().toString();
        shortId = shortId.substring(Math.max(0, shortId.length() - 6));
        String name = "lotus-gossipsub-" + shortId;
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        for (String protocol : PROTOCOLS) {
            host.setStreamHandler(protocol, this::inboundStream, MAX_INBOUND_STREAMS);
        }
        this.listener = new HostListener() {
            @Override
            public void peerIdentified(PeerId peer, PeerRecordView info) {
                if (info.protocols().stream().anyMatch(PROTOCOLS::contains)) {
                    run(() -> {
                        PeerState p = addPeer(peer);
                        p.openAttempts = 0;
                        ensureOutbound(p);
                    });
                }
            }

            @Override
            public void connectionClosed(Connection connection) {
                PeerId peer = connection.remotePeer();
                run(() -> {
                    if (!host.isConnected(peer)) {
                        removePeer(peer);
                    }
                });
            }
        };
        host.addListener(listener);
        // Peers connected and identified before we were attached.
        run(() -> {
            for (PeerId peer : host.connectedPeers()) {
                if (host.peerStore().protocols(peer).stream().anyMatch(PROTOCOLS::contains)) {
                    ensureOutbound(addPeer(peer));
                }
            }
        });
        long period = config.heartbeatInterval().toNanos();
        this.heartbeat = exec.scheduleAtFixedRate(this::heartbeat, Math.min(period, TimeUnit.MILLISECONDS.toNanos(100)),
                period, TimeUnit.NANOSECONDS);
    }

    /** The configuration. */
    public GossipSubConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------ API

    /** A handler's registration on a topic; closing it removes the handler (the last one unsubscribes). */
    public interface Subscription extends AutoCloseable {
        /** The topic. */
        String topic();

        /** Removes the handler; the topic is unsubscribed when no handler is left. */
        @Override
        void close();
    }

    /**
     * Subscribes to {@code topic} (announcing it to every pubsub peer before anything else is sent)
     * and delivers its messages to {@code handler} on the host's event thread. Several handlers per
     * topic are allowed.
     */
    public Subscription subscribe(String topic, Consumer<PubsubMessage> handler) {
        checkTopic(topic);
        java.util.Objects.requireNonNull(handler, "handler");
        requireOpen();
        run(() -> {
            CopyOnWriteArrayList<Consumer<PubsubMessage>> handlers = subscriptions.get(topic);
            if (handlers == null) {
                subscriptions.put(topic, handlers = new CopyOnWriteArrayList<>());
                handlers.add(handler);
                join(topic);
            } else {
                handlers.add(handler);
            }
        });
        return new Subscription() {
            @Override
            public String topic() {
                return topic;
            }

            @Override
            public void close() {
                run(() -> {
                    CopyOnWriteArrayList<Consumer<PubsubMessage>> handlers = subscriptions.get(topic);
                    if (handlers != null && handlers.remove(handler) && handlers.isEmpty()) {
                        subscriptions.remove(topic);
                        leave(topic);
                    }
                });
            }
        };
    }

    /** Unsubscribes from {@code topic}, dropping all its handlers. */
    public void unsubscribe(String topic) {
        run(() -> {
            if (subscriptions.remove(topic) != null) {
                leave(topic);
            }
        });
    }

    /** Topics we are subscribed to. */
    public CompletableFuture<Set<String>> topics() {
        return call(() -> Set.copyOf(subscriptions.keySet()));
    }

    /** Peers that told us they subscribe to {@code topic}. */
    public CompletableFuture<Set<PeerId>> topicPeers(String topic) {
        return call(() -> Set.copyOf(topicPeers.getOrDefault(topic, Set.of())));
    }

    /** Our mesh peers for {@code topic}. */
    public CompletableFuture<Set<PeerId>> meshPeers(String topic) {
        return call(() -> Set.copyOf(mesh.getOrDefault(topic, Set.of())));
    }

    /** Peers with a pubsub stream (either direction). */
    public CompletableFuture<Set<PeerId>> peers() {
        return call(() -> Set.copyOf(peers.keySet()));
    }

    /** The score of {@code peer}. */
    public CompletableFuture<Double> score(PeerId peer) {
        return call(() -> scoring.score(peer));
    }

    /** The scoring in use. */
    public PeerScoring scoring() {
        return scoring;
    }

    /**
     * Sizes of the router's bounded state, for monitoring and tests.
     *
     * @param peers          peers with pubsub state
     * @param seenMessages   ids in the seen cache
     * @param cachedMessages messages in the message cache
     * @param promises       IWANT promises outstanding
     * @param pendingRpcs    RPCs waiting for outbound streams to open, over all peers
     * @param maxQueuedBytes largest number of bytes waiting in one peer's outbound stream
     * @param droppedRpcs    RPCs dropped so far because a peer's queue was full
     */
    public record Stats(int peers, int seenMessages, int cachedMessages, int promises, int pendingRpcs,
                        long maxQueuedBytes, long droppedRpcs) {
    }

    /** Current {@link Stats}. */
    public CompletableFuture<Stats> stats() {
        return call(() -> {
            int pending = 0;
            long queued = 0;
            for (PeerState p : peers.values()) {
                pending += p.pending.size();
                if (p.out != null) {
                    queued = Math.max(queued, queuedBytes(p.out));
                }
            }
            return new Stats(peers.size(), seen.size(), mcache.size(), promises.size(), pending, queued, droppedRpcs);
        });
    }

    /**
     * Sets the application validator of {@code topic} (replacing any), or removes it if {@code validator}
     * is null.
     */
    public void setValidator(String topic, MessageValidator validator) {
        run(() -> {
            if (validator == null) {
                validators.remove(topic);
            } else {
                validators.put(topic, validator);
            }
        });
    }

    /**
     * Publishes {@code data} on {@code topic}: signs it (StrictSign) and sends it to every known topic
     * peer (flood publish) or to the mesh/fanout. Completes with the number of peers it was sent to;
     * fails with {@link PubsubException} if there were none and the configuration does not allow that.
     */
    public CompletableFuture<Integer> publish(String topic, byte[] data) {
        checkTopic(topic);
        byte[] copy = data.clone();
        return call(() -> publishNow(topic, copy));
    }

    /** Closes the router: stops the heartbeat and closes its streams. Blocks briefly. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        host.removeListener(listener);
        for (String protocol : PROTOCOLS) {
            host.removeStreamHandler(protocol);
        }
        heartbeat.cancel(false);
        try {
            exec.submit(() -> {
                for (PeerState p : peers.values()) {
                    p.closeStreams();
                }
                peers.clear();
            }).get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debug("closing gossipsub streams: {}", e.toString());
        }
        exec.shutdown();
        try {
            if (!exec.awaitTermination(3, TimeUnit.SECONDS)) {
                exec.shutdownNow();
            }
        } catch (InterruptedException e) {
            exec.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static void checkTopic(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic must not be empty");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new PubsubException("router closed");
        }
    }

    private void run(Runnable task) {
        if (closed) {
            return;
        }
        try {
            exec.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("gossipsub task failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private <T> CompletableFuture<T> call(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(new PubsubException("router closed"));
            return result;
        }
        try {
            exec.execute(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new PubsubException("router closed"));
        }
        return result;
    }

    // ------------------------------------------------------------------------------------------ peers

    private static final class PeerState {
        final PeerId id;
        Channel out;
        String outProtocol;
        boolean opening;
        int openAttempts;
        Channel in;
        final List<RpcProto.RPC> pending = new ArrayList<>();
        long pendingBytes;
        final Set<String> topics = new HashSet<>();
        final Map<ByteString, Long> dontWant = new HashMap<>();
        int ihavesThisBeat;
        int iwantIdsThisBeat;
        int idontwantThisBeat;

        PeerState(PeerId id) {
            this.id = id;
        }

        boolean meshCapable() {
            return out != null && !FLOODSUB.equals(outProtocol);
        }

        /**
         * Mesh-capable, or its stream is still being opened: then it is taken as a mesh peer right away
         * (what we send waits for the stream), so a publish right after connecting is not lost.
         */
        boolean mayMesh() {
            return out == null ? opening : !FLOODSUB.equals(outProtocol);
        }

        boolean floodsub() {
            return FLOODSUB.equals(outProtocol);
        }

        void closeStreams() {
            if (out != null) {
                out.close();
                out = null;
            }
            if (in != null) {
                in.close();
                in = null;
            }
            pending.clear();
            pendingBytes = 0;
        }
    }

    private PeerState addPeer(PeerId peer) {
        PeerState p = peers.get(peer);
        if (p == null) {
            p = new PeerState(peer);
            peers.put(peer, p);
            scoring.peerAdded(peer, remoteIp(peer));
        }
        return p;
    }

    /** The IP of the connection to {@code peer} (for the IP colocation factor), or null. */
    private String remoteIp(PeerId peer) {
        return host.connection(peer).map(Connection::remoteAddress)
                .flatMap(a -> a.valueForProtocol("ip4").or(() -> a.valueForProtocol("ip6")))
                .orElse(null);
    }

    private static long queuedBytes(Channel channel) {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    private void removePeer(PeerId peer) {
        PeerState p = peers.remove(peer);
        if (p == null) {
            return;
        }
        p.closeStreams();
        for (String topic : p.topics) {
            Set<PeerId> set = topicPeers.get(topic);
            if (set != null) {
                set.remove(peer);
                if (set.isEmpty()) {
                    topicPeers.remove(topic);
                }
            }
        }
        mesh.values().forEach(set -> set.remove(peer));
        fanout.values().forEach(set -> set.remove(peer));
        scoring.peerRemoved(peer);
    }

    private void ensureOutbound(PeerState p) {
        if (closed || p.out != null || p.opening || p.openAttempts >= MAX_OPEN_ATTEMPTS) {
            return;
        }
        Optional<Connection> connection = host.connection(p.id);
        // Relayed (limited) connections carry no pub/sub, as in js; identify on a later direct
        // connection (e.g. after DCUtR) brings the peer back here.
        if (connection.isEmpty() || connection.get().isLimited()) {
            return;
        }
        p.opening = true;
        p.openAttempts++;
        connection.get().newStream(PROTOCOLS, stream -> stream.channel().pipeline().addLast(new DiscardInbound()))
                .whenComplete((stream, error) -> {
                    if (closed) {
                        if (stream != null) {
                            stream.channel().close();
                        }
                        return;
                    }
                    run(() -> outboundOpened(p, stream, error));
                    if (stream != null) {
                        stream.channel().closeFuture().addListener(f -> run(() -> outboundClosed(p, stream.channel())));
                    }
                });
    }

    private void outboundOpened(PeerState p, Libp2pStream stream, Throwable error) {
        p.opening = false;
        if (peers.get(p.id) != p) {
            if (stream != null) {
                stream.channel().close();
            }
            return;
        }
        if (error != null) {
            LOG.debug("no pubsub stream to {}: {}", p.id, error.toString());
            return;
        }
        p.out = stream.channel();
        p.outProtocol = stream.protocol();
        p.openAttempts = 0;
        // Our subscriptions go first.
        if (!subscriptions.isEmpty()) {
            RpcProto.RPC.Builder hello = RpcProto.RPC.newBuilder();
            for (String topic : subscriptions.keySet()) {
                hello.addSubscriptions(RpcProto.RPC.SubOpts.newBuilder().setSubscribe(true).setTopic(topic));
            }
            write(p, hello.build());
        }
        List<RpcProto.RPC> queued = new ArrayList<>(p.pending);
        p.pending.clear();
        p.pendingBytes = 0;
        for (RpcProto.RPC rpc : queued) {
            write(p, rpc);
        }
    }

    private void outboundClosed(PeerState p, Channel channel) {
        if (p.out == channel) {
            p.out = null;
            p.outProtocol = null;
            if (peers.get(p.id) == p && host.isConnected(p.id)) {
                ensureOutbound(p);
            }
        }
    }

    private void inboundStream(Libp2pStream stream) {
        PeerId peer = stream.remotePeer();
        StreamChannel channel = stream.channel();
        channel.pipeline().addLast(new UvarintFrameDecoder(config.maxRpcSize()), new RpcReader(peer));
        run(() -> {
            if (closed) {
                channel.close();
                return;
            }
            PeerState p = addPeer(peer);
            if (p.in != null && p.in != channel) {
                p.in.close();
            }
            p.in = channel;
            ensureOutbound(p);
        });
        channel.closeFuture().addListener(f -> run(() -> {
            PeerState p = peers.get(peer);
            if (p != null && p.in == channel) {
                p.in = null;
            }
        }));
    }

    private void send(PeerState p, RpcProto.RPC rpc) {
        if (p.out != null) {
            write(p, rpc);
            return;
        }
        int size = rpc.getSerializedSize();
        if (p.pending.size() >= config.maxPendingRpcs() || p.pendingBytes + size > config.maxOutboundQueueBytes()) {
            droppedRpcs++;
            LOG.debug("dropping an RPC to {}: too many waiting for its stream", p.id);
            return;
        }
        p.pending.add(rpc);
        p.pendingBytes += size;
        ensureOutbound(p);
    }

    private void write(PeerState p, RpcProto.RPC rpc) {
        if (p.floodsub() && rpc.hasControl()) {
            if (rpc.getSubscriptionsCount() == 0 && rpc.getMessagesCount() == 0) {
                return;
            }
            rpc = rpc.toBuilder().clearControl().build();
        }
        Channel channel = p.out;
        if (!channel.isActive()) {
            return;
        }
        // A slow reader must not make us buffer without limit: past the bound its RPCs are dropped.
        if (queuedBytes(channel) + rpc.getSerializedSize() > config.maxOutboundQueueBytes()) {
            droppedRpcs++;
            LOG.debug("dropping an RPC to {}: outbound queue full", p.id);
            return;
        }
        channel.writeAndFlush(UvarintFrameEncoder.frame(channel.alloc(), Unpooled.wrappedBuffer(rpc.toByteArray())));
    }

    private void sendControl(PeerState p, ControlMessage control) {
        send(p, RpcProto.RPC.newBuilder().setControl(control).build());
    }

    // ------------------------------------------------------------------------------------------ subscribe

    private void announce(String topic, boolean subscribe) {
        RpcProto.RPC rpc = RpcProto.RPC.newBuilder().addSubscriptions(
                RpcProto.RPC.SubOpts.newBuilder().setSubscribe(subscribe).setTopic(topic)).build();
        for (PeerState p : peers.values()) {
            if (p.out != null) {
                write(p, rpc);
            }
            // Peers whose stream is still opening get all our subscriptions when it opens.
        }
    }

    private void join(String topic) {
        announce(topic, true);
        Set<PeerId> members = new LinkedHashSet<>();
        Set<PeerId> fan = fanout.remove(topic);
        fanoutLastPublished.remove(topic);
        if (fan != null) {
            for (PeerId peer : fan) {
                if (members.size() < config.d() && graftable(topic, peer)) {
                    members.add(peer);
                }
            }
        }
        List<PeerId> candidates = candidates(topic, members);
        for (PeerId peer : candidates) {
            if (members.size() >= config.d()) {
                break;
            }
            members.add(peer);
        }
        mesh.put(topic, members);
        for (PeerId peer : members) {
            scoring.graft(peer, topic);
            sendControl(peers.get(peer), ControlMessage.newBuilder()
                    .addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(topic)).build());
        }
    }

    private void leave(String topic) {
        announce(topic, false);
        Set<PeerId> members = mesh.remove(topic);
        if (members != null) {
            long seconds = config.unsubscribeBackoff().toSeconds();
            for (PeerId peer : members) {
                scoring.prune(peer, topic);
                addBackoff(topic, peer, config.unsubscribeBackoff().toNanos());
                PeerState p = peers.get(peer);
                if (p != null) {
                    sendControl(p, ControlMessage.newBuilder().addPrune(prune(p, topic, seconds, false)).build());
                }
            }
        }
    }

    /** A PRUNE for {@code p}; with {@code px}, offering other peers of the topic (with their signed records). */
    private RpcProto.ControlPrune prune(PeerState p, String topic, long backoffSeconds, boolean px) {
        RpcProto.ControlPrune.Builder prune = RpcProto.ControlPrune.newBuilder().setTopicID(topic);
        if (MESHSUB_1_0.equals(p.outProtocol)) {
            return prune.build();
        }
        prune.setBackoff(backoffSeconds);
        if (px && config.prunePeers() > 0) {
            List<PeerId> offered = new ArrayList<>();
            for (PeerId peer : topicPeers.getOrDefault(topic, Set.of())) {
                PeerState other = peers.get(peer);
                if (!peer.equals(p.id) && other != null && other.meshCapable() && scoring.score(peer) >= 0) {
                    offered.add(peer);
                }
            }
            Collections.shuffle(offered, ThreadLocalRandom.current());
            for (PeerId peer : offered.subList(0, Math.min(config.prunePeers(), offered.size()))) {
                RpcProto.PeerInfo.Builder info = RpcProto.PeerInfo.newBuilder().setPeerID(ByteString.copyFrom(peer.toBytes()));
                signedPeerRecord(peer).ifPresent(info::setSignedPeerRecord);
                prune.addPeers(info);
            }
        }
        return prune.build();
    }

    /** The signed peer record {@code peer} sent us in identify, if any. */
    private Optional<ByteString> signedPeerRecord(PeerId peer) {
        return host.identifyService().identification(peer)
                .filter(f -> f.isDone() && !f.isCompletedExceptionally())
                .map(CompletableFuture::join)
                .filter(identify -> identify.hasSignedPeerRecord())
                .map(identify -> identify.getSignedPeerRecord());
    }

    /** Topic peers we could graft, shuffled, excluding {@code exclude}. */
    private List<PeerId> candidates(String topic, Set<PeerId> exclude) {
        List<PeerId> list = new ArrayList<>();
        for (PeerId peer : topicPeers.getOrDefault(topic, Set.of())) {
            if (!exclude.contains(peer) && graftable(topic, peer)) {
                list.add(peer);
            }
        }
        Collections.shuffle(list, ThreadLocalRandom.current());
        return list;
    }

    private boolean graftable(String topic, PeerId peer) {
        PeerState p = peers.get(peer);
        return p != null && p.mayMesh() && p.topics.contains(topic) && !inBackoff(topic, peer)
                && scoring.score(peer) >= 0;
    }

    private boolean inBackoff(String topic, PeerId peer) {
        Long until = backoffUntil(topic, peer);
        return until != null && until - System.nanoTime() > 0;
    }

    private Long backoffUntil(String topic, PeerId peer) {
        Map<PeerId, Long> map = backoff.get(topic);
        return map == null ? null : map.get(peer);
    }

    private void addBackoff(String topic, PeerId peer, long nanos) {
        long until = System.nanoTime() + nanos;
        backoff.computeIfAbsent(topic, t -> new HashMap<>()).merge(peer, until, (a, b) -> a - b > 0 ? a : b);
    }

    // ------------------------------------------------------------------------------------------ publish

    private int publishNow(String topic, byte[] data) {
        RpcProto.Message message = config.signaturePolicy() == SignaturePolicy.STRICT_SIGN
                ? MessageSigner.sign(host.identity(), topic, data, ++seqno)
                : MessageSigner.anonymous(topic, data);
        if (message.getSerializedSize() + 16 > config.maxRpcSize()) {
            throw new PubsubException("message of " + data.length + " bytes exceeds the RPC size limit "
                    + config.maxRpcSize());
        }
        ByteString id = config.messageIdFunction().id(message);
        if (!seen.add(id, System.nanoTime())) {
            throw new PubsubException("duplicate message");
        }
        Set<PeerId> targets = new LinkedHashSet<>();
        boolean subscribed = mesh.containsKey(topic);
        if (config.floodPublish()) {
            for (PeerId peer : topicPeers.getOrDefault(topic, Set.of())) {
                PeerState p = peers.get(peer);
                if (p != null && (p.out != null || p.opening) && scoring.score(peer) >= scoring.publishThreshold()) {
                    targets.add(peer);
                }
            }
        } else {
            for (PeerId peer : topicPeers.getOrDefault(topic, Set.of())) {
                PeerState p = peers.get(peer);
                if (p != null && p.floodsub() && scoring.score(peer) >= scoring.publishThreshold()) {
                    targets.add(peer);
                }
            }
        }
        if (subscribed) {
            targets.addAll(mesh.get(topic));
        } else {
            Set<PeerId> fan = fanout.get(topic);
            if (fan == null || fan.isEmpty()) {
                fan = new LinkedHashSet<>();
                for (PeerId peer : candidates(topic, Set.of())) {
                    if (fan.size() >= config.d()) {
                        break;
                    }
                    fan.add(peer);
                }
                fanout.put(topic, fan);
            }
            fanoutLastPublished.put(topic, System.nanoTime());
            targets.addAll(fan);
        }
        if (targets.isEmpty() && !config.allowPublishToZeroPeers()) {
            throw new PubsubException("no peers subscribed to topic " + topic);
        }
        mcache.put(id, message);
        RpcProto.RPC rpc = RpcProto.RPC.newBuilder().addMessages(message).build();
        int sent = 0;
        for (PeerId peer : targets) {
            PeerState p = peers.get(peer);
            if (p != null) {
                send(p, rpc);
                sent++;
            }
        }
        if (config.emitSelf() && subscribed) {
            deliver(new PubsubMessage(message, null));
        }
        return sent;
    }

    // ------------------------------------------------------------------------------------------ receive

    /** Parses frames on the I/O thread and hands RPCs to the router thread. */
    private final class RpcReader extends ChannelInboundHandlerAdapter {
        private final PeerId peer;

        RpcReader(PeerId peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            RpcProto.RPC rpc;
            try {
                ByteBuf frame = (ByteBuf) msg;
                rpc = RpcProto.RPC.parseFrom(ByteBufUtil.getBytes(frame));
            } catch (InvalidProtocolBufferException | ClassCastException e) {
                LOG.debug("malformed RPC from {}: {}", peer, e.toString());
                abort(ctx);
                return;
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (!withinLimits(rpc)) {
                LOG.debug("RPC from {} exceeds count limits; resetting its stream", peer);
                abort(ctx);
                return;
            }
            run(() -> handleRpc(peer, rpc));
        }

        private void abort(ChannelHandlerContext ctx) {
            if (ctx.channel() instanceof StreamChannel stream) {
                stream.reset();
            } else {
                ctx.close();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownReadComplete) {
                ctx.close();
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("pubsub stream from {} failed: {}", peer, cause.toString());
            abort(ctx);
        }
    }

    static boolean withinLimits(RpcProto.RPC rpc) {
        if (rpc.getSubscriptionsCount() > MAX_SUBSCRIPTIONS || rpc.getMessagesCount() > MAX_MESSAGES) {
            return false;
        }
        if (!rpc.hasControl()) {
            return true;
        }
        ControlMessage c = rpc.getControl();
        if (c.getIhaveCount() + c.getIwantCount() + c.getGraftCount() + c.getPruneCount() + c.getIdontwantCount()
                > MAX_CONTROL_ENTRIES) {
            return false;
        }
        long ids = 0;
        for (RpcProto.ControlIHave ihave : c.getIhaveList()) {
            ids += ihave.getMessageIDsCount();
        }
        for (RpcProto.ControlIWant iwant : c.getIwantList()) {
            ids += iwant.getMessageIDsCount();
        }
        long px = 0;
        for (RpcProto.ControlPrune prune : c.getPruneList()) {
            px += prune.getPeersCount();
        }
        if (px > MAX_CONTROL_ENTRIES) {
            return false;
        }
        long dontWant = 0;
        for (RpcProto.ControlIDontWant idw : c.getIdontwantList()) {
            dontWant += idw.getMessageIDsCount();
        }
        return ids <= 2L * MAX_IDS && dontWant <= MAX_IDONTWANT_IDS;
    }

    private void handleRpc(PeerId from, RpcProto.RPC rpc) {
        PeerState p = peers.get(from);
        if (p == null) {
            if (!host.isConnected(from)) {
                return;
            }
            p = addPeer(from);
            ensureOutbound(p);
        }
        if (scoring.score(from) < scoring.graylistThreshold()) {
            return;
        }
        for (RpcProto.RPC.SubOpts sub : rpc.getSubscriptionsList()) {
            if (sub.hasTopic() && !sub.getTopic().isEmpty()) {
                handleSubscription(p, sub.getTopic(), sub.getSubscribe());
            }
        }
        for (RpcProto.Message message : rpc.getMessagesList()) {
            handleMessage(p, message);
        }
        if (rpc.hasControl()) {
            handleControl(p, rpc.getControl());
        }
    }

    private void handleSubscription(PeerState p, String topic, boolean subscribe) {
        if (subscribe) {
            if (!p.topics.contains(topic)
                    && (p.topics.size() >= config.maxSubscriptionsPerPeer() || topic.length() > config.maxTopicLength())) {
                return;
            }
            p.topics.add(topic);
            topicPeers.computeIfAbsent(topic, t -> new HashSet<>()).add(p.id);
            // Graft on subscribe, as js does, when our mesh is short.
            Set<PeerId> members = mesh.get(topic);
            if (members != null && members.size() < config.dlo() && !members.contains(p.id) && graftable(topic, p.id)) {
                members.add(p.id);
                scoring.graft(p.id, topic);
                sendControl(p, ControlMessage.newBuilder()
                        .addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(topic)).build());
            }
        } else {
            p.topics.remove(topic);
            Set<PeerId> set = topicPeers.get(topic);
            if (set != null) {
                set.remove(p.id);
                if (set.isEmpty()) {
                    topicPeers.remove(topic);
                }
            }
            Set<PeerId> members = mesh.get(topic);
            if (members != null && members.remove(p.id)) {
                scoring.prune(p.id, topic);
            }
            Set<PeerId> fan = fanout.get(topic);
            if (fan != null) {
                fan.remove(p.id);
            }
        }
    }

    private void handleMessage(PeerState p, RpcProto.Message message) {
        if (!message.hasTopic() || !subscriptions.containsKey(message.getTopic())) {
            // Not a topic of ours: dropped without a penalty (as js and go do).
            return;
        }
        String topic = message.getTopic();
        ByteString id;
        try {
            id = config.messageIdFunction().id(message);
        } catch (RuntimeException e) {
            LOG.debug("message without an id from {}: {}", p.id, e.getMessage());
            scoring.invalidMessage(p.id, topic);
            return;
        }
        if (seen.contains(id)) {
            scoring.duplicateMessage(p.id, id, topic);
            return;
        }
        try {
            // Verified before it is marked seen: an invalid copy cannot shadow the valid message.
            MessageSigner.verify(message, config.signaturePolicy());
        } catch (RuntimeException e) {
            LOG.debug("invalid message from {}: {}", p.id, e.getMessage());
            scoring.invalidMessage(p.id, topic);
            return;
        }
        seen.add(id, System.nanoTime());
        promises.fulfill(id);
        scoring.validationStarted(p.id, id, topic);
        if (message.getData().size() >= config.idontwantMinDataSize()) {
            ControlMessage dontWant = ControlMessage.newBuilder().addIdontwant(
                    RpcProto.ControlIDontWant.newBuilder().addMessageIDs(id)).build();
            for (PeerId peer : mesh.getOrDefault(topic, Set.of())) {
                PeerState target = peers.get(peer);
                if (target != null && target != p && MESHSUB_1_2.equals(target.outProtocol)) {
                    sendControl(target, dontWant);
                }
            }
        }
        PubsubMessage received = new PubsubMessage(message, p.id);
        MessageValidator validator = validators.get(topic);
        if (validator == null) {
            scoring.messageAccepted(p.id, id, topic);
            accept(p.id, id, received);
            return;
        }
        CompletableFuture<ValidationResult> verdict;
        try {
            verdict = validator.validate(received);
        } catch (RuntimeException e) {
            LOG.debug("validator of {} failed: {}", topic, e.toString());
            scoring.messageIgnored(p.id, id, topic);
            return;
        }
        verdict.whenComplete((result, error) -> run(() -> {
            if (error != null || result == null || result == ValidationResult.IGNORE) {
                scoring.messageIgnored(p.id, id, topic);
            } else if (result == ValidationResult.REJECT) {
                scoring.messageRejected(p.id, id, topic);
            } else {
                scoring.messageAccepted(p.id, id, topic);
                accept(p.id, id, received);
            }
        }));
    }

    private void accept(PeerId source, ByteString id, PubsubMessage message) {
        RpcProto.Message proto = message.toProto();
        mcache.put(id, proto);
        if (subscriptions.containsKey(message.topic())) {
            deliver(message);
        }
        PeerId author = message.from().orElse(null);
        RpcProto.RPC rpc = RpcProto.RPC.newBuilder().addMessages(proto).build();
        Set<PeerId> targets = new LinkedHashSet<>(mesh.getOrDefault(message.topic(), Set.of()));
        for (PeerId peer : topicPeers.getOrDefault(message.topic(), Set.of())) {
            PeerState p = peers.get(peer);
            if (p != null && p.floodsub()) {
                targets.add(peer);
            }
        }
        for (PeerId peer : targets) {
            PeerState p = peers.get(peer);
            if (p == null || peer.equals(source) || peer.equals(author) || p.dontWant.containsKey(id)) {
                continue;
            }
            send(p, rpc);
        }
    }

    private void deliver(PubsubMessage message) {
        CopyOnWriteArrayList<Consumer<PubsubMessage>> handlers = subscriptions.get(message.topic());
        if (handlers == null || handlers.isEmpty()) {
            return;
        }
        List<Consumer<PubsubMessage>> snapshot = List.copyOf(handlers);
        host.runOnEventThread(() -> {
            for (Consumer<PubsubMessage> handler : snapshot) {
                try {
                    handler.accept(message);
                } catch (RuntimeException e) {
                    LOG.warn("pubsub handler for {} failed", message.topic(), e);
                }
            }
        });
    }

    private void handleControl(PeerState p, ControlMessage control) {
        long now = System.nanoTime();
        ControlMessage.Builder reply = ControlMessage.newBuilder();
        List<RpcProto.Message> served = new ArrayList<>();
        double score = scoring.score(p.id);
        boolean gossipAllowed = score >= scoring.gossipThreshold();
        // IHAVE → IWANT, bounded per heartbeat in IHAVE messages and in ids asked for.
        if (gossipAllowed && !control.getIhaveList().isEmpty()) {
            LinkedHashSet<ByteString> wanted = new LinkedHashSet<>();
            for (RpcProto.ControlIHave ihave : control.getIhaveList()) {
                if (++p.ihavesThisBeat > config.maxIHaveMessages()) {
                    break;
                }
                if (!mesh.containsKey(ihave.getTopicID())) {
                    continue;
                }
                for (ByteString id : ihave.getMessageIDsList()) {
                    if (p.iwantIdsThisBeat >= config.maxIWantIdsPerHeartbeat()) {
                        break;
                    }
                    if (!seen.contains(id) && wanted.add(id)) {
                        p.iwantIdsThisBeat++;
                    }
                }
            }
            if (!wanted.isEmpty()) {
                List<ByteString> ids = new ArrayList<>(wanted);
                reply.addIwant(RpcProto.ControlIWant.newBuilder().addAllMessageIDs(ids));
                promises.add(p.id, ids, now);
            }
        }
        // IWANT → messages (not for peers below the gossip threshold).
        if (gossipAllowed) {
            for (RpcProto.ControlIWant iwant : control.getIwantList()) {
                for (ByteString id : iwant.getMessageIDsList()) {
                    mcache.getForPeer(id, p.id, config.gossipRetransmission()).ifPresent(served::add);
                }
            }
        }
        // GRAFT
        List<String> refused = new ArrayList<>();
        boolean offerPx = config.doPx();
        for (RpcProto.ControlGraft graft : control.getGraftList()) {
            String topic = graft.getTopicID();
            Set<PeerId> members = mesh.get(topic);
            if (members == null) {
                // Unknown topic: ignored, and no PX that would leak our peers.
                offerPx = false;
                continue;
            }
            if (members.contains(p.id)) {
                continue;
            }
            Long backoffUntil = backoffUntil(topic, p.id);
            if (backoffUntil != null && backoffUntil - now > 0) {
                scoring.behaviourPenalty(p.id, 1);
                long floodCutoff = backoffUntil + config.graftFloodThreshold().toNanos() - config.pruneBackoff().toNanos();
                if (now - floodCutoff < 0) {
                    // Re-grafting right after being pruned.
                    scoring.behaviourPenalty(p.id, 1);
                }
                offerPx = false;
                refused.add(topic);
            } else if (score < 0 || p.floodsub()) {
                offerPx = false;
                refused.add(topic);
            } else if (members.size() >= config.dhi() && !outboundConnection(p.id)) {
                refused.add(topic);
            } else {
                // A peer whose stream to us is still opening may graft; messages wait for the stream.
                members.add(p.id);
                scoring.graft(p.id, topic);
            }
        }
        for (String topic : refused) {
            addBackoff(topic, p.id, config.pruneBackoff().toNanos());
            reply.addPrune(prune(p, topic, config.pruneBackoff().toSeconds(), offerPx));
        }
        // PRUNE
        for (RpcProto.ControlPrune prune : control.getPruneList()) {
            String topic = prune.getTopicID();
            Set<PeerId> members = mesh.get(topic);
            if (members != null && members.remove(p.id)) {
                scoring.prune(p.id, topic);
            }
            long nanos = prune.hasBackoff() && prune.getBackoff() > 0
                    ? TimeUnit.SECONDS.toNanos(Math.min(prune.getBackoff(), 24 * 3600))
                    : config.pruneBackoff().toNanos();
            addBackoff(topic, p.id, nanos);
            if (members != null && prune.getPeersCount() > 0) {
                if (score >= scoring.acceptPXThreshold()) {
                    pxConnect(prune.getPeersList());
                } else {
                    LOG.debug("ignoring PX from {} (score {})", p.id, score);
                }
            }
        }
        // IDONTWANT
        for (RpcProto.ControlIDontWant idw : control.getIdontwantList()) {
            for (ByteString id : idw.getMessageIDsList()) {
                if (++p.idontwantThisBeat > config.maxIDontWantPerHeartbeat()) {
                    break;
                }
                p.dontWant.put(id, tick);
            }
        }
        if (reply.getIwantCount() > 0 || reply.getPruneCount() > 0 || !served.isEmpty()) {
            RpcProto.RPC.Builder rpc = RpcProto.RPC.newBuilder().addAllMessages(served);
            if (reply.getIwantCount() > 0 || reply.getPruneCount() > 0) {
                rpc.setControl(reply);
            }
            send(p, rpc.build());
        }
    }

    /** Connects to peers offered in a PRUNE (PX), using their signed peer records for addresses. */
    private void pxConnect(List<RpcProto.PeerInfo> offered) {
        List<RpcProto.PeerInfo> infos = new ArrayList<>(offered);
        Collections.shuffle(infos, ThreadLocalRandom.current());
        int limit = Math.min(Math.min(config.prunePeers(), MAX_PX_PEERS), infos.size());
        for (RpcProto.PeerInfo info : infos.subList(0, limit)) {
            if (pxConnecting.size() >= MAX_PX_CONNECTS) {
                return;
            }
            PeerId peer;
            try {
                peer = PeerId.fromBytes(info.getPeerID().toByteArray());
            } catch (RuntimeException e) {
                continue;
            }
            if (peer.equals(host.peerId()) || peers.containsKey(peer) || host.isConnected(peer) || pxConnecting.contains(peer)) {
                continue;
            }
            if (info.hasSignedPeerRecord()) {
                try {
                    PeerRecord record = PeerRecord.openSigned(info.getSignedPeerRecord().toByteArray());
                    if (!record.peerId().equals(peer)) {
                        continue;
                    }
                    host.peerStore().addAddresses(peer, record.addresses());
                } catch (RuntimeException e) {
                    LOG.debug("bogus peer record in PX for {}: {}", peer, e.toString());
                    continue;
                }
            } else if (host.peerStore().addresses(peer).isEmpty()) {
                // Unsigned addresses through PX cannot be trusted; without known ones there is nothing to dial.
                continue;
            }
            pxConnecting.add(peer);
            host.connect(peer).whenComplete((connection, error) -> run(() -> pxConnecting.remove(peer)));
        }
    }

    private boolean outboundConnection(PeerId peer) {
        return host.connection(peer).map(c -> c.direction() == Direction.OUTBOUND).orElse(false);
    }

    private void graftInHeartbeat(Map<PeerId, ControlMessage.Builder> control, String topic, Set<PeerId> members,
                                  PeerId peer) {
        members.add(peer);
        scoring.graft(peer, topic);
        control.computeIfAbsent(peer, k -> ControlMessage.newBuilder())
                .addGraft(RpcProto.ControlGraft.newBuilder().setTopicID(topic));
    }

    /**
     * Prunes a mesh above Dhi down to D: the Dscore best-scoring peers stay, then enough peers on
     * outbound connections to have Dout of them, then random others.
     */
    private void pruneOversubscribed(Map<PeerId, ControlMessage.Builder> control, String topic, Set<PeerId> members,
                                     java.util.function.ToDoubleFunction<PeerId> score) {
        List<PeerId> sorted = new ArrayList<>(members);
        Collections.shuffle(sorted, ThreadLocalRandom.current());
        sorted.sort(Comparator.comparingDouble(score).reversed());
        int best = Math.min(config.dscore(), sorted.size());
        List<PeerId> keep = new ArrayList<>(sorted.subList(0, best));
        List<PeerId> rest = new ArrayList<>(sorted.subList(best, sorted.size()));
        Collections.shuffle(rest, ThreadLocalRandom.current());
        int outbound = (int) keep.stream().filter(this::outboundConnection).count();
        for (Iterator<PeerId> it = rest.iterator(); it.hasNext() && outbound < config.dout() && keep.size() < config.d(); ) {
            PeerId peer = it.next();
            if (outboundConnection(peer)) {
                keep.add(peer);
                it.remove();
                outbound++;
            }
        }
        for (Iterator<PeerId> it = rest.iterator(); it.hasNext() && keep.size() < config.d(); ) {
            keep.add(it.next());
            it.remove();
        }
        for (PeerId peer : rest) {
            members.remove(peer);
            scoring.prune(peer, topic);
            addBackoff(topic, peer, config.pruneBackoff().toNanos());
            PeerState p = peers.get(peer);
            if (p != null) {
                control.computeIfAbsent(peer, k -> ControlMessage.newBuilder())
                        .addPrune(prune(p, topic, config.pruneBackoff().toSeconds(), config.doPx()));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ heartbeat

    private void heartbeat() {
        if (closed) {
            return;
        }
        try {
            heartbeatNow();
        } catch (RuntimeException e) {
            LOG.warn("gossipsub heartbeat failed", e);
        }
    }

    private void heartbeatNow() {
        long now = System.nanoTime();
        tick++;
        scoring.heartbeat();
        for (Map.Entry<PeerId, Integer> broken : promises.broken(now).entrySet()) {
            LOG.debug("{} broke {} IWANT promise(s)", broken.getKey(), broken.getValue());
            scoring.behaviourPenalty(broken.getKey(), broken.getValue());
        }
        Map<PeerId, ControlMessage.Builder> control = new HashMap<>();
        // Backoff expiry.
        for (Iterator<Map<PeerId, Long>> it = backoff.values().iterator(); it.hasNext(); ) {
            Map<PeerId, Long> map = it.next();
            map.values().removeIf(until -> until - now <= 0);
            if (map.isEmpty()) {
                it.remove();
            }
        }
        for (PeerState p : peers.values()) {
            p.ihavesThisBeat = 0;
            p.iwantIdsThisBeat = 0;
            p.idontwantThisBeat = 0;
            p.dontWant.values().removeIf(t -> tick - t > config.mcacheLength());
            if (p.out == null && !p.opening) {
                ensureOutbound(p);
            }
        }
        // Scores are taken once per heartbeat, so every decision of this round sees the same values.
        Map<PeerId, Double> scores = new HashMap<>();
        java.util.function.ToDoubleFunction<PeerId> score = peer -> scores.computeIfAbsent(peer, scoring::score);
        long pruneBackoffSeconds = config.pruneBackoff().toSeconds();
        // Mesh maintenance.
        for (Map.Entry<String, Set<PeerId>> entry : mesh.entrySet()) {
            String topic = entry.getKey();
            Set<PeerId> members = entry.getValue();
            for (Iterator<PeerId> it = members.iterator(); it.hasNext(); ) {
                PeerId peer = it.next();
                PeerState p = peers.get(peer);
                if (p == null || !p.topics.contains(topic) || p.floodsub()
                        || (p.out == null && !p.opening && p.openAttempts >= MAX_OPEN_ATTEMPTS)) {
                    it.remove();
                    scoring.prune(peer, topic);
                } else if (score.applyAsDouble(peer) < 0) {
                    it.remove();
                    scoring.prune(peer, topic);
                    addBackoff(topic, peer, config.pruneBackoff().toNanos());
                    control.computeIfAbsent(peer, k -> ControlMessage.newBuilder())
                            .addPrune(prune(p, topic, pruneBackoffSeconds, false));
                }
            }
            if (members.size() < config.dlo()) {
                for (PeerId peer : candidates(topic, members)) {
                    if (members.size() >= config.d()) {
                        break;
                    }
                    graftInHeartbeat(control, topic, members, peer);
                }
            }
            if (members.size() > config.dhi()) {
                pruneOversubscribed(control, topic, members, score);
            }
            // Keep at least Dout peers on connections we dialled (resistance to inbound sybils).
            if (members.size() >= config.dlo()) {
                int outbound = (int) members.stream().filter(this::outboundConnection).count();
                if (outbound < config.dout()) {
                    for (PeerId peer : candidates(topic, members)) {
                        if (outbound >= config.dout()) {
                            break;
                        }
                        if (outboundConnection(peer)) {
                            graftInHeartbeat(control, topic, members, peer);
                            outbound++;
                        }
                    }
                }
            }
            if (tick % config.opportunisticGraftTicks() == 0 && members.size() > 1) {
                List<PeerId> sorted = new ArrayList<>(members);
                sorted.sort(Comparator.comparingDouble(score));
                double median = score.applyAsDouble(sorted.get(sorted.size() / 2));
                if (median < scoring.opportunisticGraftThreshold()) {
                    int grafted = 0;
                    for (PeerId peer : candidates(topic, members)) {
                        if (grafted >= config.opportunisticGraftPeers()) {
                            break;
                        }
                        if (score.applyAsDouble(peer) > median) {
                            graftInHeartbeat(control, topic, members, peer);
                            grafted++;
                        }
                    }
                }
            }
        }
        // Fanout maintenance.
        for (Iterator<Map.Entry<String, Set<PeerId>>> it = fanout.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Set<PeerId>> entry = it.next();
            String topic = entry.getKey();
            Long last = fanoutLastPublished.get(topic);
            if (last == null || now - last > config.fanoutTtl().toNanos()) {
                it.remove();
                fanoutLastPublished.remove(topic);
                continue;
            }
            Set<PeerId> fan = entry.getValue();
            fan.removeIf(peer -> {
                PeerState p = peers.get(peer);
                return p == null || !p.topics.contains(topic) || scoring.score(peer) < scoring.publishThreshold();
            });
            if (fan.size() < config.d()) {
                for (PeerId peer : candidates(topic, fan)) {
                    if (fan.size() >= config.d()) {
                        break;
                    }
                    fan.add(peer);
                }
            }
        }
        // Gossip.
        Map<String, Set<PeerId>> gossipTopics = new HashMap<>(mesh);
        gossipTopics.putAll(fanout);
        for (Map.Entry<String, Set<PeerId>> entry : gossipTopics.entrySet()) {
            String topic = entry.getKey();
            List<ByteString> ids = mcache.gossipIds(topic);
            if (ids.isEmpty()) {
                continue;
            }
            if (ids.size() > MAX_IDS) {
                ids = ids.subList(0, MAX_IDS);
            }
            List<PeerId> others = new ArrayList<>();
            for (PeerId peer : topicPeers.getOrDefault(topic, Set.of())) {
                PeerState p = peers.get(peer);
                if (!entry.getValue().contains(peer) && p != null && p.meshCapable()
                        && scoring.score(peer) >= scoring.gossipThreshold()) {
                    others.add(peer);
                }
            }
            Collections.shuffle(others, ThreadLocalRandom.current());
            int count = Math.max(config.dlazy(), (int) (config.gossipFactor() * others.size()));
            RpcProto.ControlIHave ihave = RpcProto.ControlIHave.newBuilder().setTopicID(topic).addAllMessageIDs(ids).build();
            for (PeerId peer : others.subList(0, Math.min(count, others.size()))) {
                control.computeIfAbsent(peer, k -> ControlMessage.newBuilder()).addIhave(ihave);
            }
        }
        for (Map.Entry<PeerId, ControlMessage.Builder> entry : control.entrySet()) {
            PeerState p = peers.get(entry.getKey());
            if (p != null) {
                sendControl(p, entry.getValue().build());
            }
        }
        mcache.shift();
        seen.expire(now);
    }

    /** Releases whatever arrives on our outbound stream (js never writes on it). */
    private static final class DiscardInbound extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
