package org.lotusia.libp2p.kad;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.codec.UvarintFrameDecoder;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.kad.pb.KadProto;
import org.lotusia.libp2p.kad.pb.KadProto.Message.MessageType;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.netty.handler.timeout.ReadTimeoutHandler;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Kademlia DHT on a {@link Host}, wire compatible with js {@code @libp2p/kad-dht}.
 *
 * <p>In server mode the protocol handler is registered (so identify advertises it) and FIND_NODE,
 * GET_VALUE, PUT_VALUE, ADD_PROVIDER, GET_PROVIDERS and PING are answered; in client mode only
 * outgoing requests are made. The mode can change at run time. Peers enter the routing table when
 * identify shows they serve the protocol (server mode) and leave it when they stop.
 *
 * <p>Every request is one stream (request, at most one response, close), bounded in size and time;
 * every lookup is iterative with at most α requests in flight and an overall timeout, and returns
 * what it found when the timeout passes.
 *
 * <p>Maintenance runs on timers shared by all DHTs of the process ({@link KadConfig#refreshInterval()},
 * {@link KadConfig#republishInterval()}, {@link KadConfig#sweepInterval()}): a routing-table refresh (a
 * lookup of our own id and of a random id in every bucket no lookup touched within the interval), the
 * republishing of records and provider announcements this node originated, and the removal of expired
 * store entries. Peers leave the routing table when they stop advertising the protocol, fail a liveness
 * check while their bucket is full, or fail {@link KadConfig#maxQueryFailures()} requests in a row.
 */
public final class KadDht implements AutoCloseable {
    /** The libp2p default protocol id. */
    public static final String DEFAULT_PROTOCOL = "/ipfs/kad/1.0.0";
    /** The protocol id of the Lotus network. */
    public static final String LOTUS_PROTOCOL = "/lotus/kad/1.0.0";
    /** Concurrent inbound kad streams allowed per connection. */
    static final int MAX_INBOUND_STREAMS = 32;

    private static final Logger LOG = LoggerFactory.getLogger(KadDht.class);

    private final Host host;
    private final KadConfig config;
    private final RoutingTable routingTable;
    private final RecordStore records;
    private final ProviderStore providers;
    private final Set<Lookup> lookups = ConcurrentHashMap.newKeySet();
    private final HostListener listener;
    /** Consecutive failed requests per peer (absent = none). */
    private final Map<PeerId, Integer> failures = new ConcurrentHashMap<>();
    /** System.nanoTime() of the last lookup whose target fell into each bucket. */
    private final AtomicLongArray bucketLookups = new AtomicLongArray(KadId.BITS);
    /** Records this node put, republished until {@link #stopRepublishing}; oldest first, bounded by maxRecords. */
    private final LinkedHashMap<ByteBuffer, byte[]> originated = new LinkedHashMap<>();
    /** Keys this node provides, re-announced until {@link #stopProviding}; bounded by maxProviderKeys. */
    private final Set<ByteBuffer> provided = ConcurrentHashMap.newKeySet();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicBoolean republishing = new AtomicBoolean();
    private final AtomicLong lookupCount = new AtomicLong();
    private final AtomicLong requestCount = new AtomicLong();
    private final AtomicLong failedRequestCount = new AtomicLong();
    private final AtomicLong droppedPeerCount = new AtomicLong();
    private final AtomicLong refreshCount = new AtomicLong();
    private final AtomicLong republishCount = new AtomicLong();
    private final AtomicLong correctionCount = new AtomicLong();
    private volatile boolean serverMode;
    private volatile boolean closed;

    /**
     * Decides whether a record another peer stores on us with PUT_VALUE is kept, after the key
     * namespace's validator accepted it. Lets an application apply its own admission rules (rate
     * limits, bans, record checks) to what peers store here.
     */
    @FunctionalInterface
    public interface InboundRecordFilter {
        /**
         * Returns normally to keep the record.
         *
         * @param from  the peer storing the record
         * @throws InvalidRecordException to refuse it (the storing peer's stream is reset)
         */
        void check(PeerId from, byte[] key, byte[] value);
    }

    private volatile InboundRecordFilter inboundRecordFilter;

    /** Installs the filter applied to records peers store on us, or removes it with {@code null}. */
    public void setInboundRecordFilter(InboundRecordFilter filter) {
        this.inboundRecordFilter = filter;
    }

    /** Starts the DHT on {@code host}. */
    public KadDht(Host host, KadConfig config) {
        this.host = host;
        this.config = config;
        this.routingTable = new RoutingTable(host.peerId(), config.k(), config.maxRoutingPeers(), this::ping);
        this.records = new RecordStore(config.validation(), config.recordTtl(), config.maxRecords(),
                config.maxKeyBytes(), config.maxValueBytes(), config.clock());
        this.providers = new ProviderStore(config.providerTtl(), config.maxProviderKeys(), config.maxProvidersPerKey(), config.clock());
        this.listener = new HostListener() {
            @Override
            public void peerIdentified(PeerId peer, PeerRecordView info) {
                // A peer reached only through a relay (limited connection) cannot serve kad requests.
                boolean direct = host.connection(peer).map(c -> !c.isLimited()).orElse(false);
                if (!direct) {
                    return;
                }
                if (info.protocols().contains(config.protocol())) {
                    routingTable.add(peer);
                } else {
                    routingTable.remove(peer);
                }
            }
        };
        host.addListener(listener);
        for (PeerId peer : host.peerStore().peers()) {
            if (host.peerStore().protocols(peer).contains(config.protocol())) {
                routingTable.add(peer);
            }
        }
        setServerMode(config.serverMode());
        long now = System.nanoTime();
        for (int i = 0; i < KadId.BITS; i++) {
            bucketLookups.set(i, now);
        }
        schedule(config.refreshInterval(), () -> runExclusively(refreshing, this::refresh));
        schedule(republishPeriod(), () -> runExclusively(republishing, this::republish));
        schedule(config.sweepInterval(), this::sweep);
    }

    /** Starts a periodic round unless the previous one is still running (slow lookups must not pile up). */
    private static void runExclusively(AtomicBoolean running, java.util.function.Supplier<CompletableFuture<Integer>> round) {
        if (running.compareAndSet(false, true)) {
            CompletableFuture<Integer> run;
            try {
                run = round.get();
            } catch (RuntimeException e) {
                running.set(false);
                throw e;
            }
            run.whenComplete((n, e) -> running.set(false));
        }
    }

    /** Republishing must beat expiry: at most half of the shorter TTL. */
    private Duration republishPeriod() {
        Duration interval = config.republishInterval();
        if (interval.isZero()) {
            return interval;
        }
        Duration half = (config.recordTtl().compareTo(config.providerTtl()) < 0 ? config.recordTtl() : config.providerTtl())
                .dividedBy(2);
        return half.isZero() || half.compareTo(interval) >= 0 ? interval : half;
    }

    private void schedule(Duration interval, Runnable task) {
        if (interval.isZero()) {
            return;
        }
        long nanos = interval.toNanos();
        ScheduledFuture<?> timer = KadScheduler.TIMERS.scheduleWithFixedDelay(() -> {
            if (closed) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("kad maintenance task failed", e);
            }
        }, nanos, nanos, TimeUnit.NANOSECONDS);
        synchronized (timers) {
            timers.add(timer);
        }
    }

    /** Starts a DHT with the defaults and {@code protocol}. */
    public static KadDht start(Host host, String protocol) {
        return new KadDht(host, KadConfig.defaults().withProtocol(protocol));
    }

    /** The settings. */
    public KadConfig config() {
        return config;
    }

    /** The routing table. */
    public RoutingTable routingTable() {
        return routingTable;
    }

    /** Locally stored value records. */
    public RecordStore recordStore() {
        return records;
    }

    /** Locally stored provider records. */
    public ProviderStore providerStore() {
        return providers;
    }

    /**
     * Registers a listener for routing-table changes; its calls run in order on a shared kad event thread (never a
     * network thread). Remove it with {@link RoutingTable#removeListener}.
     */
    public void addRoutingTableListener(RoutingTable.Listener routingListener) {
        routingTable.addListener(routingListener, KadScheduler.EVENTS);
    }

    /** A snapshot of the state and counters. */
    public KadStats stats() {
        int originatedCount;
        synchronized (originated) {
            originatedCount = originated.size();
        }
        return new KadStats(serverMode, routingTable.size(), records.size(), providers.keyCount(), originatedCount,
                provided.size(), lookupCount.get(), requestCount.get(), failedRequestCount.get(), droppedPeerCount.get(),
                refreshCount.get(), republishCount.get(), correctionCount.get());
    }

    /** Whether requests are answered. */
    public boolean isServerMode() {
        return serverMode;
    }

    /** Switches between server mode (answer requests, advertise the protocol) and client mode. */
    public synchronized void setServerMode(boolean server) {
        if (closed) {
            return;
        }
        if (server && !serverMode) {
            host.setStreamHandler(config.protocol(), this::serve, MAX_INBOUND_STREAMS);
        } else if (!server && serverMode) {
            host.removeStreamHandler(config.protocol());
        }
        serverMode = server;
    }

    // ---------------------------------------------------------------------------------- public lookups

    /** Fills the routing table: looks up our own id. Completes with how many peers answered. */
    public CompletableFuture<Integer> bootstrap() {
        return findClosestPeers(host.peerId().toBytes()).thenApply(List::size);
    }

    /** The k peers closest to {@code key} that answered a FIND_NODE lookup, closest first. */
    public CompletableFuture<List<PeerId>> findClosestPeers(byte[] key) {
        KadProto.Message request = request(MessageType.FIND_NODE, key).build();
        return lookup(key, request, (peer, response) -> false);
    }

    /**
     * Finds a value: the local store first, then a GET_VALUE lookup that stops at the first valid
     * record (the best by the key's selector when several arrive together). Afterwards stale holders are
     * corrected (fire and forget): the peers that answered with another value, and those closer to the key
     * than the first holder that answered without one, are sent the best record. Completes empty when nothing
     * was found within the query timeout.
     */
    public CompletableFuture<Optional<byte[]>> getValue(byte[] key) {
        Optional<StoredRecord> local = records.get(key);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(Optional.of(local.get().value()));
        }
        // per answering peer: the valid value it returned, or null for none (invalid records count as none)
        Map<PeerId, byte[]> answers = new HashMap<>();
        List<PeerId> holders = new ArrayList<>();
        KadProto.Message request = request(MessageType.GET_VALUE, key).build();
        return lookup(key, request, (peer, response) -> {
            byte[] value = null;
            if (response.hasRecord()) {
                KadProto.Record record = response.getRecord();
                byte[] candidate = record.getValue().toByteArray();
                if (Arrays.equals(record.getKey().toByteArray(), key) && candidate.length <= config.maxValueBytes()
                        && config.validation().isValid(key, candidate)) {
                    value = candidate;
                }
            }
            synchronized (answers) {
                answers.put(peer, value);
                if (value != null) {
                    holders.add(peer);
                }
            }
            return value != null;
        }).thenApply(closest -> {
            synchronized (answers) {
                if (holders.isEmpty()) {
                    return Optional.<byte[]>empty();
                }
                List<byte[]> values = new ArrayList<>();
                for (PeerId holder : holders) {
                    values.add(answers.get(holder));
                }
                byte[] best = values.get(config.validation().select(key, values));
                correct(key, best, holders.get(0), answers);
                return Optional.of(best);
            }
        });
    }

    /**
     * Stores a value locally and with the k closest peers. Fails with {@link InvalidRecordException}
     * when the record is rejected locally; otherwise completes with how many peers confirmed.
     */
    public CompletableFuture<Integer> putValue(byte[] key, byte[] value) {
        CompletableFuture<Integer> result = publish(key, value);
        if (!result.isCompletedExceptionally()) {
            synchronized (originated) {
                ByteBuffer mapKey = ByteBuffer.wrap(key.clone());
                originated.remove(mapKey);
                originated.put(mapKey, value.clone());
                while (originated.size() > config.maxRecords()) {
                    Iterator<ByteBuffer> oldest = originated.keySet().iterator();
                    oldest.next();
                    oldest.remove();
                }
            }
        }
        return result;
    }

    /**
     * Stops republishing the record of {@code key} that this node put; the local copy stays until it expires
     * (or is removed with {@link RecordStore#remove}). Returns whether it was being republished.
     */
    public boolean stopRepublishing(byte[] key) {
        synchronized (originated) {
            return originated.remove(ByteBuffer.wrap(key)) != null;
        }
    }

    /** Stores locally and with the k closest peers without marking the record as originated. */
    private CompletableFuture<Integer> publish(byte[] key, byte[] value) {
        StoredRecord stored;
        try {
            stored = records.put(key, value);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        KadProto.Message put = request(MessageType.PUT_VALUE, key)
                .setRecord(KadMessages.record(key, stored.value(), stored.timeReceived())).build();
        return findClosestPeers(key).thenCompose(closest -> {
            AtomicInteger confirmed = new AtomicInteger();
            CompletableFuture<?>[] puts = closest.stream()
                    .map(peer -> rpc(peer, put, true).thenAccept(echo -> {
                        if (echo.hasRecord() && echo.getRecord().getValue().equals(put.getRecord().getValue())) {
                            confirmed.incrementAndGet();
                        }
                    }).exceptionally(error -> null))
                    .toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(puts).thenApply(v -> confirmed.get());
        });
    }

    /**
     * Announces us as a provider of {@code key} (multihash or CID bytes for js peers) locally and to the
     * k closest peers. Completes with how many peers were told.
     */
    public CompletableFuture<Integer> provide(byte[] key) {
        if (key.length == 0 || key.length > config.maxKeyBytes()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("bad provider key length " + key.length));
        }
        ByteBuffer mapKey = ByteBuffer.wrap(key.clone());
        if (provided.contains(mapKey) || provided.size() < config.maxProviderKeys()) {
            provided.add(mapKey);
        }
        return announce(key);
    }

    /**
     * Stops re-announcing {@code key} and withdraws our local provider record (remote ones lapse with their
     * TTL). Returns whether the key was provided.
     */
    public boolean stopProviding(byte[] key) {
        providers.remove(key, host.peerId());
        return provided.remove(ByteBuffer.wrap(key));
    }

    private CompletableFuture<Integer> announce(byte[] key) {
        providers.add(key, host.peerId());
        KadProto.Message add = request(MessageType.ADD_PROVIDER, key)
                .addProviderPeers(KadMessages.peer(host.peerId(), host.listenAddresses(), config.maxAddressesPerPeer()))
                .build();
        return findClosestPeers(key).thenCompose(closest -> {
            AtomicInteger told = new AtomicInteger();
            CompletableFuture<?>[] sends = closest.stream()
                    .map(peer -> rpc(peer, add, false).thenAccept(v -> told.incrementAndGet()).exceptionally(e -> null))
                    .toArray(CompletableFuture[]::new);
            return CompletableFuture.allOf(sends).thenApply(v -> told.get());
        });
    }

    /**
     * Finds up to {@code count} providers of {@code key}: the local store, then a GET_PROVIDERS lookup
     * that stops once enough were found. Their addresses go to the peer store.
     */
    public CompletableFuture<List<PeerId>> findProviders(byte[] key, int count) {
        Set<PeerId> found = new LinkedHashSet<>(providers.get(key));
        if (found.size() >= count) {
            return CompletableFuture.completedFuture(List.copyOf(found).subList(0, count));
        }
        KadProto.Message request = request(MessageType.GET_PROVIDERS, key).build();
        return lookup(key, request, (peer, response) -> {
            synchronized (found) {
                for (KadProto.Message.Peer entry : response.getProviderPeersList()) {
                    KadMessages.parsePeer(entry, config.maxAddressesPerPeer()).ifPresent(p -> {
                        if (found.size() < count) {
                            if (!p.addresses().isEmpty() && !p.peer().equals(host.peerId())) {
                                host.peerStore().addAddresses(p.peer(), p.addresses());
                            }
                            found.add(p.peer());
                        }
                    });
                }
                return found.size() >= count;
            }
        }).thenApply(closest -> {
            synchronized (found) {
                return List.copyOf(found);
            }
        });
    }

    /** Sends a DHT PING; completes true when the peer echoed it, false otherwise. */
    public CompletableFuture<Boolean> ping(PeerId peer) {
        return rpc(peer, KadProto.Message.newBuilder().setType(MessageType.PING).build(), true)
                .handle((response, error) -> error == null && response.getType() == MessageType.PING);
    }

    // ----------------------------------------------------------------------------------- maintenance

    /**
     * One routing-table refresh round: a lookup of our own id plus, for every bucket up to the deepest
     * occupied one (at most {@value #MAX_REFRESH_PREFIX}) that no lookup touched within the refresh interval
     * (every such bucket when periodic refresh is disabled), a lookup of a random id falling into it. Runs
     * periodically; callable at any time. Completes with the number of lookups made.
     */
    public CompletableFuture<Integer> refresh() {
        if (closed) {
            return CompletableFuture.completedFuture(0);
        }
        refreshCount.incrementAndGet();
        long now = System.nanoTime();
        long interval = config.refreshInterval().toNanos();
        int deepest = Math.min(routingTable.highestOccupiedBucket(), MAX_REFRESH_PREFIX);
        List<Integer> stale = new ArrayList<>();
        for (int i = 0; i <= deepest; i++) {
            if (interval == 0 || now - bucketLookups.get(i) >= interval) {
                stale.add(i);
            }
        }
        KadId self = routingTable.selfId();
        // finding a key in bucket i costs ~2^(i+1) hashes: done off the timer thread
        return CompletableFuture.supplyAsync(() -> {
            List<byte[]> keys = new ArrayList<>();
            for (int bucket : stale) {
                keys.add(randomKeyInBucket(self, bucket));
            }
            return keys;
        }).thenCompose(keys -> {
            List<CompletableFuture<?>> runs = new ArrayList<>();
            runs.add(bootstrap().exceptionally(e -> 0));
            for (byte[] key : keys) {
                runs.add(findClosestPeers(key).exceptionally(e -> List.of()));
            }
            return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).thenApply(v -> runs.size());
        });
    }

    /** Deepest bucket a refresh looks up a random id for (js kad-dht's limit too: 2^16 hashes at most). */
    static final int MAX_REFRESH_PREFIX = 15;

    /** A random 34-byte sha2-256-multihash-shaped key whose kad id shares exactly {@code prefix} leading bits with {@code self}. */
    static byte[] randomKeyInBucket(KadId self, int prefix) {
        if (prefix < 0 || prefix > MAX_REFRESH_PREFIX) {
            throw new IllegalArgumentException("refresh prefix out of range: " + prefix);
        }
        byte[] key = new byte[34];
        key[0] = 0x12;
        key[1] = 0x20;
        byte[] random = new byte[32];
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (true) {
            rnd.nextBytes(random);
            System.arraycopy(random, 0, key, 2, 32);
            if (self.commonPrefixLength(KadId.ofKey(key)) == prefix) {
                return key;
            }
        }
    }

    /**
     * One republish round: every record this node put is stored again locally (restarting its TTL) and put to
     * the k closest peers, and every key it provides is announced again. Runs periodically (at most every half
     * TTL); callable at any time. Completes with the number of records and keys republished.
     */
    public CompletableFuture<Integer> republish() {
        if (closed) {
            return CompletableFuture.completedFuture(0);
        }
        republishCount.incrementAndGet();
        List<Map.Entry<ByteBuffer, byte[]>> values;
        synchronized (originated) {
            values = new ArrayList<>(originated.entrySet());
        }
        List<CompletableFuture<?>> runs = new ArrayList<>();
        for (Map.Entry<ByteBuffer, byte[]> e : values) {
            byte[] key = new byte[e.getKey().remaining()];
            e.getKey().duplicate().get(key);
            runs.add(publish(key, e.getValue()).exceptionally(error -> 0));
        }
        for (ByteBuffer mapKey : List.copyOf(provided)) {
            byte[] key = new byte[mapKey.remaining()];
            mapKey.duplicate().get(key);
            runs.add(announce(key).exceptionally(error -> 0));
        }
        return CompletableFuture.allOf(runs.toArray(CompletableFuture[]::new)).thenApply(v -> runs.size());
    }

    /** Removes expired records and providers now (also runs every sweep interval). Returns how many went. */
    public int sweep() {
        return records.expire() + providers.expire();
    }

    // ------------------------------------------------------------------------------------- internals

    private static KadProto.Message.Builder request(MessageType type, byte[] key) {
        return KadProto.Message.newBuilder().setType(type).setKey(ByteString.copyFrom(key)).setClusterLevelRaw(0);
    }

    private CompletableFuture<List<PeerId>> lookup(byte[] key, KadProto.Message request,
                                                   java.util.function.BiPredicate<PeerId, KadProto.Message> onResponse) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("kad dht is closed"));
        }
        KadId target = KadId.ofKey(key);
        lookupCount.incrementAndGet();
        int bucket = routingTable.bucketIndex(target);
        if (bucket >= 0) {
            bucketLookups.set(bucket, System.nanoTime());
        }
        Lookup lookup = new Lookup(target, config.k(), config.alpha(),
                (peer, running) -> rpc(peer, request, true).thenApply(response -> {
                    running.addCandidates(closerPeers(response));
                    return response;
                }),
                onResponse);
        lookups.add(lookup);
        CompletableFuture<List<PeerId>> result = lookup.start(routingTable.closestPeers(target, config.k()), config.queryTimeout());
        result.whenComplete((r, e) -> lookups.remove(lookup));
        return result;
    }

    /** The usable closer peers of a response (at most k; self, malformed and unreachable entries dropped). */
    private List<PeerId> closerPeers(KadProto.Message response) {
        List<PeerId> closer = new ArrayList<>();
        for (KadProto.Message.Peer entry : response.getCloserPeersList()) {
            if (closer.size() >= config.k()) {
                break;
            }
            KadMessages.parsePeer(entry, config.maxAddressesPerPeer()).ifPresent(p -> {
                if (p.peer().equals(host.peerId())) {
                    return;
                }
                if (!p.addresses().isEmpty()) {
                    host.peerStore().addAddresses(p.peer(), p.addresses());
                } else if (!host.isConnected(p.peer()) && host.peerStore().addresses(p.peer()).isEmpty()) {
                    return;
                }
                closer.add(p.peer());
            });
        }
        return closer;
    }

    /**
     * Sends the best record to the peers that answered with another value, and to those closer to the key
     * than {@code holder} (the first peer that had it) that answered without one: they are the ones a later
     * lookup would ask first.
     */
    private void correct(byte[] key, byte[] best, PeerId holder, Map<PeerId, byte[]> answers) {
        KadId target = KadId.ofKey(key);
        KadId holderId = KadId.ofPeer(holder);
        KadProto.Message put = request(MessageType.PUT_VALUE, key)
                .setRecord(KadMessages.record(key, best, config.clock().instant())).build();
        for (Map.Entry<PeerId, byte[]> answer : answers.entrySet()) {
            byte[] value = answer.getValue();
            boolean stale = value == null
                    ? target.compareDistance(KadId.ofPeer(answer.getKey()), holderId) < 0
                    : !Arrays.equals(value, best);
            if (stale) {
                correctionCount.incrementAndGet();
                rpc(answer.getKey(), put, true).exceptionally(e -> null);
            }
        }
    }

    /**
     * Sends {@code request} to {@code peer} on a new stream and completes with the response. The write side
     * stays open until the response arrived: js kad-dht servers stop reading a stream whose remote already
     * half-closed, even with a request still buffered. A request without a response (ADD_PROVIDER,
     * {@code expectReply} false) is followed by a PING on the same stream, and its echo (the returned
     * message) confirms the request was read. Fails after the RPC timeout.
     */
    CompletableFuture<KadProto.Message> rpc(PeerId peer, KadProto.Message request, boolean expectReply) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("kad dht is closed"));
        }
        if (peer.equals(host.peerId())) {
            return CompletableFuture.failedFuture(new Libp2pException("kad request to self"));
        }
        requestCount.incrementAndGet();
        CompletableFuture<KadProto.Message> response = new CompletableFuture<>();
        AtomicReference<StreamChannel> channel = new AtomicReference<>();
        AtomicBoolean opened = new AtomicBoolean();
        host.newStream(peer, List.of(config.protocol()), stream -> {
            channel.set(stream.channel());
            stream.channel().pipeline().addLast(new UvarintFrameDecoder(config.maxMessageBytes()),
                    new KadClientHandler(response, config.maxPeersPerMessage()));
        }).whenComplete((stream, error) -> {
            if (error != null) {
                // counted here, when the dial or negotiation really failed, even after the rpc timed out: a dial
                // that is merely slow (a loaded machine, a distant peer) is not held against the peer
                if (!closed) {
                    recordFailure(peer);
                }
                response.completeExceptionally(error);
                return;
            }
            opened.set(true);
            if (response.isDone()) {
                stream.channel().reset();
                return;
            }
            KadMessages.write(stream.channel(), request).addListener(f -> {
                if (!f.isSuccess()) {
                    response.completeExceptionally(f.cause());
                }
            });
            if (!expectReply) {
                KadMessages.write(stream.channel(), KadProto.Message.newBuilder().setType(MessageType.PING).build());
            }
        });
        response.orTimeout(config.rpcTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((message, error) -> {
            StreamChannel stream = channel.get();
            if (stream != null && stream.isOpen()) {
                if (error != null) {
                    stream.reset();
                } else {
                    stream.close();
                }
            }
            if (error == null) {
                failures.remove(peer);
                if (!routingTable.contains(peer)) {
                    // a peer dropped after failures comes back once it answers again (if it still serves the protocol)
                    if (host.peerStore().protocols(peer).contains(config.protocol())) {
                        routingTable.add(peer);
                    }
                } else {
                    routingTable.markSeen(peer);
                }
            } else if (!closed) {
                failedRequestCount.incrementAndGet();
                if (opened.get()) {
                    recordFailure(peer); // the peer took the request and did not answer properly
                }
            }
        });
        if (expectReply) {
            return response;
        }
        return response.thenApply(echo -> {
            if (echo.getType() != MessageType.PING) {
                throw new Libp2pException("expected the PING echo after " + request.getType() + ", got " + echo.getType());
            }
            return echo;
        });
    }

    /**
     * Counts a failed request (a failed dial or negotiation, or no proper answer on an open stream); a peer
     * failing maxQueryFailures in a row leaves the routing table.
     */
    private void recordFailure(PeerId peer) {
        if (!routingTable.contains(peer)) {
            // only routing-table peers are counted, so bogus closer peers cannot grow the map
            failures.remove(peer);
            return;
        }
        int count = failures.merge(peer, 1, Integer::sum);
        if (count >= config.maxQueryFailures()) {
            failures.remove(peer);
            if (routingTable.remove(peer)) {
                droppedPeerCount.incrementAndGet();
                LOG.debug("dropped {} from the kad routing table after {} failed requests", peer, count);
            }
        }
    }

    private void serve(Libp2pStream stream) {
        stream.channel().pipeline().addLast(
                new ReadTimeoutHandler(config.inboundIdleTimeout().toMillis(), TimeUnit.MILLISECONDS),
                new UvarintFrameDecoder(config.maxMessageBytes()),
                new KadServerHandler(this, stream.remotePeer()));
    }

    /** The response to an inbound request, or null when none is sent (ADD_PROVIDER). Throws to reset. */
    KadProto.Message answer(PeerId from, KadProto.Message request) {
        if (!serverMode) {
            throw new IllegalStateException("not in server mode");
        }
        MessageType type = request.getType();
        byte[] key = request.getKey().toByteArray();
        if (type != MessageType.PING && (key.length == 0 || key.length > config.maxKeyBytes())) {
            throw new IllegalArgumentException("bad key length " + key.length);
        }
        switch (type) {
            case PING:
                return request;
            case FIND_NODE: {
                KadProto.Message.Builder response = KadProto.Message.newBuilder().setType(type)
                        .setKey(request.getKey()).setClusterLevelRaw(request.getClusterLevelRaw());
                if (Arrays.equals(key, host.peerId().toBytes())) {
                    response.addCloserPeers(KadMessages.peer(host.peerId(), host.listenAddresses(), config.maxAddressesPerPeer()));
                }
                return addCloser(response, key, from).build();
            }
            case GET_VALUE: {
                KadProto.Message.Builder response = KadProto.Message.newBuilder().setType(type)
                        .setKey(request.getKey()).setClusterLevelRaw(request.getClusterLevelRaw());
                records.get(key).ifPresent(r -> response.setRecord(KadMessages.record(r.key(), r.value(), r.timeReceived())));
                return addCloser(response, key, from).build();
            }
            case PUT_VALUE: {
                if (!request.hasRecord()) {
                    throw new IllegalArgumentException("PUT_VALUE without a record");
                }
                KadProto.Record record = request.getRecord();
                InboundRecordFilter filter = inboundRecordFilter;
                if (filter != null) {
                    filter.check(from, record.getKey().toByteArray(), record.getValue().toByteArray());
                }
                records.put(record.getKey().toByteArray(), record.getValue().toByteArray());
                return request;
            }
            case ADD_PROVIDER: {
                for (KadProto.Message.Peer entry : request.getProviderPeersList()) {
                    KadMessages.parsePeer(entry, config.maxAddressesPerPeer()).ifPresent(p -> {
                        if (p.peer().equals(from) && !p.addresses().isEmpty()) {
                            host.peerStore().addAddresses(from, p.addresses());
                            providers.add(key, from);
                        }
                    });
                }
                return null;
            }
            case GET_PROVIDERS: {
                KadProto.Message.Builder response = KadProto.Message.newBuilder().setType(type)
                        .setKey(request.getKey()).setClusterLevelRaw(request.getClusterLevelRaw());
                for (PeerId provider : providers.get(key)) {
                    List<Multiaddr> addresses = provider.equals(host.peerId())
                            ? host.listenAddresses() : host.peerStore().addresses(provider);
                    if (!addresses.isEmpty()) {
                        response.addProviderPeers(KadMessages.peer(provider, addresses, config.maxAddressesPerPeer()));
                    }
                    if (response.getProviderPeersCount() >= config.k()) {
                        break;
                    }
                }
                return addCloser(response, key, from).build();
            }
            default:
                throw new IllegalArgumentException("unsupported kad message type " + type);
        }
    }

    private KadProto.Message.Builder addCloser(KadProto.Message.Builder response, byte[] key, PeerId requester) {
        for (PeerId peer : routingTable.closestPeers(KadId.ofKey(key), config.k() + 1)) {
            if (peer.equals(requester) || response.getCloserPeersCount() >= config.k()) {
                continue;
            }
            List<Multiaddr> addresses = host.peerStore().addresses(peer);
            if (!addresses.isEmpty()) {
                response.addCloserPeers(KadMessages.peer(peer, addresses, config.maxAddressesPerPeer()));
            }
        }
        return response;
    }

    /** Stops serving, ends running lookups with what they have. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (serverMode && !host.isClosed()) {
                host.removeStreamHandler(config.protocol());
            }
            serverMode = false;
            closed = true;
        }
        synchronized (timers) {
            for (ScheduledFuture<?> timer : timers) {
                timer.cancel(false);
            }
            timers.clear();
        }
        host.removeListener(listener);
        for (Lookup lookup : lookups) {
            lookup.finish();
        }
    }
}
