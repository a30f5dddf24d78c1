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

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private volatile boolean serverMode;
    private volatile boolean closed;

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
     * record. Peers closer to the key that answered without the record are then given it (fire and
     * forget). Completes empty when nothing was found within the query timeout.
     */
    public CompletableFuture<Optional<byte[]>> getValue(byte[] key) {
        Optional<StoredRecord> local = records.get(key);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(Optional.of(local.get().value()));
        }
        AtomicReference<byte[]> found = new AtomicReference<>();
        AtomicReference<PeerId> holder = new AtomicReference<>();
        List<PeerId> without = new ArrayList<>();
        KadProto.Message request = request(MessageType.GET_VALUE, key).build();
        return lookup(key, request, (peer, response) -> {
            if (response.hasRecord()) {
                KadProto.Record record = response.getRecord();
                byte[] value = record.getValue().toByteArray();
                if (Arrays.equals(record.getKey().toByteArray(), key) && value.length <= config.maxValueBytes()
                        && config.validation().isValid(key, value)) {
                    if (found.compareAndSet(null, value)) {
                        holder.set(peer);
                    }
                    return true;
                }
            }
            synchronized (without) {
                without.add(peer);
            }
            return false;
        }).thenApply(closest -> {
            byte[] value = found.get();
            if (value != null) {
                correct(key, value, holder.get(), without);
            }
            return Optional.ofNullable(value);
        });
    }

    /**
     * Stores a value locally and with the k closest peers. Fails with {@link InvalidRecordException}
     * when the record is rejected locally; otherwise completes with how many peers confirmed.
     */
    public CompletableFuture<Integer> putValue(byte[] key, byte[] value) {
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

    /** Gives the found record to the peers closer to the key than its holder that lacked it. */
    private void correct(byte[] key, byte[] value, PeerId holder, List<PeerId> without) {
        KadId target = KadId.ofKey(key);
        KadId holderId = KadId.ofPeer(holder);
        KadProto.Message put = request(MessageType.PUT_VALUE, key)
                .setRecord(KadMessages.record(key, value, config.clock().instant())).build();
        List<PeerId> peers;
        synchronized (without) {
            peers = List.copyOf(without);
        }
        for (PeerId peer : peers) {
            if (target.compareDistance(KadId.ofPeer(peer), holderId) < 0) {
                rpc(peer, put, true).exceptionally(e -> null);
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
        CompletableFuture<KadProto.Message> response = new CompletableFuture<>();
        AtomicReference<StreamChannel> channel = new AtomicReference<>();
        host.newStream(peer, List.of(config.protocol()), stream -> {
            channel.set(stream.channel());
            stream.channel().pipeline().addLast(new UvarintFrameDecoder(config.maxMessageBytes()), new KadClientHandler(response));
        }).whenComplete((stream, error) -> {
            if (error != null) {
                response.completeExceptionally(error);
                return;
            }
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
                routingTable.markSeen(peer);
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
        host.removeListener(listener);
        for (Lookup lookup : lookups) {
            lookup.finish();
        }
    }
}
