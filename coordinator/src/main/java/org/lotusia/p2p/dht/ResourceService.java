package org.lotusia.p2p.dht;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.kad.KadDht;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.p2p.events.DhtPeerAddedEvent;
import org.lotusia.p2p.events.DhtPeerRemovedEvent;
import org.lotusia.p2p.events.DhtReadyEvent;
import org.lotusia.p2p.events.P2PEvent;
import org.lotusia.p2p.events.ResourceAnnouncedEvent;
import org.lotusia.p2p.events.ResourceDiscoveredEvent;
import org.lotusia.p2p.events.ResourceRejectedEvent;
import org.lotusia.p2p.security.CoreSecurityManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * DHT resource management of the coordinator (reference {@code announceResource},
 * {@code discoverResource}, {@code getLocalResources}, … and its {@code DHTAnnouncementQueue}) on a
 * {@link KadDht}.
 *
 * <p><b>Announcing.</b> A record ({@link ResourceRecord}, key {@code resource:<type>:<id>}) is stored in
 * the local cache, then put into the network in client and server mode alike (the reference only does
 * so in server mode): a PUT_VALUE to the closest peers, plus an ADD_PROVIDER under
 * {@link #providerKey(String) the type's provider key}. While the routing table is empty, and after a
 * failed put (no peer confirmed), it waits in a bounded {@link ResourceAnnouncementQueue} and is retried
 * with backoff; the announce future completes when a put finally succeeded. Live records are put again
 * every republish interval; expired ones are dropped and no longer republished.
 *
 * <p><b>Discovering one record.</b> The local cache first, then a GET_VALUE lookup. A fetched record is
 * accepted only if it parses, its type and id are the ones asked for, it has not expired, its signature
 * (if any, or always when signatures are required) verifies against {@code creatorPeerId}, and the
 * {@linkplain CoreSecurityManager#canAcceptDhtRecord security manager} admits it; otherwise it is
 * dropped (never cached) and a {@link ResourceRejectedEvent} is emitted.
 *
 * <p><b>Discovering a type</b> ({@code discoverResources}, documented by the reference but never
 * implemented there). Exact keys cannot be enumerated, so each announcer also provides the type's
 * provider key, {@code sha2-256 multihash of "resource-type:<type>"} (a CIDv0, so js kad-dht peers store
 * and return it too). A discovery finds up to {@code maxProviders} providers, then asks each one
 * directly for its live records of the type with the request/response protocol
 * {@value #LIST_PROTOCOL_NAME} (see {@link #answerListRequest}), in pages. A listed record must name
 * the responding provider (authenticated by the connection) as its creator, and passes the same checks
 * as a single record; the accepted ones enter the cache, and the result is the cache's live records of the
 * type that match the filter. A provider that cannot be reached only costs its own records.
 *
 * <p>Thread-safe. Futures complete on the given scheduler or a network thread; callers should hop
 * elsewhere before blocking.
 */
public final class ResourceService implements AutoCloseable {
    /** Name of the listing protocol (a request/response protocol over direct messages). */
    public static final String LIST_PROTOCOL_NAME = "lotus-resource-list";
    /** Most records in one listing response. */
    public static final int MAX_RECORDS_PER_PAGE = 200;
    /** Byte budget of the records in one listing response (under the 100 KB direct-message limit). */
    public static final int PAGE_BYTES = 48_000;
    /** Prefix of the text whose hash is a type's provider key. */
    public static final String PROVIDER_KEY_PREFIX = "resource-type:";

    private static final Logger LOG = LoggerFactory.getLogger(ResourceService.class);

    private final Host host;
    private final KadDht dht;
    private final PrivateKey identity;
    private final PeerId self;
    private final DhtResourceConfig config;
    private final CoreSecurityManager security;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final ListRequester requester;
    private final ResourceAnnouncementQueue queue;
    private final Map<String, Own> own = new LinkedHashMap<>();
    private final LinkedHashMap<String, Cached> cache = new LinkedHashMap<>();
    private final ScheduledFuture<?> monitor;
    private Set<PeerId> lastTable = Set.of();
    private boolean ready;
    private Instant nextCleanup;
    private volatile boolean closed;

    /** What the service tells its owner. */
    public interface Listener {
        /** An event to emit. */
        void event(P2PEvent event);

        /** The routing table size, after every monitor pass. */
        default void routingTable(int size) {
        }
    }

    /** Sends a listing request to a provider and completes with its response. */
    @FunctionalInterface
    public interface ListRequester {
        /** Sends {@code request} to {@code provider}; completes with the response data. */
        CompletableFuture<JsonNode> request(PeerId provider, JsonNode request, Duration timeout);
    }

    /** One of our records and when it is put again. */
    private record Own(ResourceRecord record, Instant nextRepublish) {
    }

    /** A record of another peer in the cache. */
    private record Cached(ResourceRecord record, PeerId creator, boolean authenticated) {
    }

    /** The result of a peer lookup ({@code findPeer}). */
    public record PeerLookup(PeerId peerId, boolean found, boolean connected, List<Multiaddr> addresses) {
        /** Copies. */
        public PeerLookup {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * Starts the service: the monitor runs every {@link DhtResourceConfig#monitorInterval()} on
     * {@code scheduler}. The service owns {@code dht} and closes it.
     */
    public ResourceService(Host host, KadDht dht, PrivateKey identity, DhtResourceConfig config,
                           CoreSecurityManager security, ScheduledExecutorService scheduler, Listener listener,
                           ListRequester requester) {
        this.host = Objects.requireNonNull(host, "host");
        this.dht = Objects.requireNonNull(dht, "dht");
        this.identity = Objects.requireNonNull(identity, "identity");
        this.self = identity.publicKey().peerId();
        this.config = Objects.requireNonNull(config, "config");
        this.security = Objects.requireNonNull(security, "security");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.requester = Objects.requireNonNull(requester, "requester");
        this.queue = new ResourceAnnouncementQueue(config.queueCapacity(), config.queueTimeout(),
                config.retryBaseDelay(), config.retryMaxDelay());
        this.nextCleanup = config.clock().instant().plus(config.cleanupInterval());
        long every = config.monitorInterval().toNanos();
        this.monitor = scheduler.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.NANOSECONDS);
        dht.setInboundRecordFilter(this::checkInboundStore);
    }

    /**
     * Admission of {@code resource:} records other peers store on us (PUT_VALUE): the storing peer
     * passes the security manager's ban and rate-limit check, the record must be well formed, match
     * its key, be unexpired and carry a valid signature when it has one (or when signatures are
     * required), and its creator must pass the security manager's quotas and validators. Other keys
     * are left to the DHT's own validators.
     */
    private void checkInboundStore(PeerId from, byte[] key, byte[] value) {
        String textKey = new String(key, StandardCharsets.UTF_8);
        if (!textKey.startsWith(ResourceRecord.KEY_PREFIX)) {
            return;
        }
        if (!security.allowMessage(from)) {
            throw refuse(textKey, from, "storing peer is banned or over its rate limit");
        }
        ResourceRecord record;
        try {
            record = ResourceRecord.parse(value, dht.config().maxValueBytes());
        } catch (RuntimeException e) {
            throw refuse(textKey, from, "malformed record: " + e.getMessage());
        }
        if (!textKey.equals(record.key())) {
            throw refuse(textKey, from, "record " + record.key() + " stored under another key");
        }
        if (record.isExpired(config.clock().millis())) {
            throw refuse(textKey, from, "record expired");
        }
        SignedResourceRecords.Verdict verdict = SignedResourceRecords.verify(record);
        if (verdict == SignedResourceRecords.Verdict.INVALID) {
            throw refuse(textKey, from, "signature does not verify against creatorPeerId");
        }
        if (verdict == SignedResourceRecords.Verdict.UNSIGNED && config.requireSignatures()) {
            throw refuse(textKey, from, "unsigned record (signatures required)");
        }
        PeerId creator;
        try {
            creator = PeerId.parse(record.creatorPeerId());
        } catch (RuntimeException e) {
            throw refuse(textKey, from, "invalid creatorPeerId");
        }
        // Quotas are charged to the creator only when it is proven: a valid signature, or the
        // creator storing its own record. Anyone else could forge records to get it banned.
        boolean authenticated = verdict == SignedResourceRecords.Verdict.VALID || creator.equals(from);
        if (!creator.equals(self) && !security.canAcceptDhtRecord(creator, authenticated, record.resourceType(),
                record.resourceId(), record.data(), record.expiresAtInstant().orElse(null))) {
            throw refuse(textKey, from, "refused by the security manager");
        }
    }

    private org.lotusia.libp2p.kad.InvalidRecordException refuse(String key, PeerId from, String reason) {
        LOG.debug("resource record {} stored by {} refused: {}", key, from, reason);
        listener.event(new ResourceRejectedEvent(key, from.toString(), reason, config.clock().instant()));
        return new org.lotusia.libp2p.kad.InvalidRecordException("resource record refused: " + reason);
    }

    /** The provider key of a resource type: the sha2-256 multihash of {@code resource-type:<type>}. */
    public static byte[] providerKey(String resourceType) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((PROVIDER_KEY_PREFIX + resourceType).getBytes(StandardCharsets.UTF_8));
            byte[] multihash = new byte[2 + digest.length];
            multihash[0] = 0x12;
            multihash[1] = 0x20;
            System.arraycopy(digest, 0, multihash, 2, digest.length);
            return multihash;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The DHT. */
    public KadDht dht() {
        return dht;
    }

    /** The settings. */
    public DhtResourceConfig config() {
        return config;
    }

    // ------------------------------------------------------------------ announce

    /**
     * Announces a resource: stores it locally now and completes once it was put into the network (at
     * least one peer confirmed the record), after waiting in the queue if needed.
     *
     * @return the announced record; fails with a {@link java.util.concurrent.TimeoutException} when it
     *         could not be put within the queue timeout (or expired first), a {@link RejectedExecutionException}
     *         when the queue overflowed, a {@link CancellationException} when the service stopped
     * @throws IllegalArgumentException if type or id are empty or contain {@code /}, the expiry is not in
     *                                  the future, or the record is larger than the DHT accepts
     */
    public CompletableFuture<ResourceRecord> announce(String resourceType, String resourceId, JsonNode data,
                                                      AnnounceOptions options) {
        checkName("resourceType", resourceType);
        checkName("resourceId", resourceId);
        Objects.requireNonNull(options, "options");
        requireOpen();
        Instant now = config.clock().instant();
        Optional<Instant> expiry = options.expiryFor(now);
        if (expiry.isPresent() && !expiry.get().isAfter(now)) {
            throw new IllegalArgumentException("expiresAt " + expiry.get() + " is not in the future");
        }
        ResourceRecord record = new ResourceRecord(resourceId, resourceType, self.toString(), data, now.toEpochMilli(),
                expiry.map(Instant::toEpochMilli), Optional.empty());
        if (config.signRecords()) {
            record = SignedResourceRecords.sign(record, identity);
        }
        int size = record.toBytes().length;
        if (size > dht.config().maxValueBytes()) {
            throw new IllegalArgumentException("record of " + size + " bytes exceeds the DHT limit of "
                    + dht.config().maxValueBytes() + " bytes");
        }
        if (record.keyBytes().length > dht.config().maxKeyBytes()) {
            throw new IllegalArgumentException("key " + record.key() + " is longer than "
                    + dht.config().maxKeyBytes() + " bytes");
        }
        synchronized (this) {
            own.put(record.key(), new Own(record, now.plus(config.republishInterval())));
        }
        listener.event(new ResourceAnnouncedEvent(resourceType, resourceId, self, record.data(),
                record.createdAtInstant(), record.expiresAtInstant()));
        CompletableFuture<ResourceRecord> done = new CompletableFuture<>();
        queue.enqueue(record, done, now);
        execute(this::flush);
        return done;
    }

    /**
     * Withdraws one of our resources: no longer listed, republished or returned locally. Copies already
     * in other peers' stores stay until they expire there.
     *
     * @return whether we had announced it
     */
    public boolean withdraw(String resourceType, String resourceId) {
        String key = ResourceRecord.keyOf(resourceType, resourceId);
        boolean removed;
        synchronized (this) {
            removed = own.remove(key) != null;
        }
        queue.remove(key, new CancellationException("resource withdrawn"));
        // This service republishes its own records; the DHT must not keep doing it too.
        dht.stopRepublishing(key.getBytes(StandardCharsets.UTF_8));
        return removed;
    }

    // ------------------------------------------------------------------ local

    /** The live record of {@code type}/{@code id} in the local cache (ours or discovered). */
    public synchronized Optional<ResourceRecord> getResource(String resourceType, String resourceId) {
        String key = ResourceRecord.keyOf(resourceType, resourceId);
        long now = config.clock().millis();
        Own mine = own.get(key);
        if (mine != null && !mine.record().isExpired(now)) {
            return Optional.of(mine.record());
        }
        Cached cached = cache.get(key);
        if (cached != null && !cached.record().isExpired(now) && cached.record().resourceType().equals(resourceType)) {
            return Optional.of(cached.record());
        }
        return Optional.empty();
    }

    /** The live records of {@code type} in the local cache matching {@code filter}: ours first, then discovered. */
    public synchronized List<ResourceRecord> getLocalResources(String resourceType, ResourceFilter filter) {
        Objects.requireNonNull(filter, "filter");
        long now = config.clock().millis();
        Map<String, ResourceRecord> out = new LinkedHashMap<>();
        for (Own mine : own.values()) {
            ResourceRecord r = mine.record();
            if (r.resourceType().equals(resourceType) && !r.isExpired(now) && filter.matches(r)) {
                out.put(r.key(), r);
            }
        }
        for (Cached c : cache.values()) {
            ResourceRecord r = c.record();
            if (r.resourceType().equals(resourceType) && !r.isExpired(now) && filter.matches(r)) {
                out.putIfAbsent(r.key(), r);
            }
        }
        return List.copyOf(out.values());
    }

    /**
     * Drops expired records from the cache (freeing their creators' quota slots) and expired own
     * records; returns how many were dropped.
     */
    public int cleanup() {
        long now = config.clock().millis();
        List<Cached> dropped = new ArrayList<>();
        int ownDropped = 0;
        synchronized (this) {
            for (Iterator<Cached> it = cache.values().iterator(); it.hasNext(); ) {
                Cached c = it.next();
                if (c.record().isExpired(now)) {
                    dropped.add(c);
                    it.remove();
                }
            }
            for (Iterator<Own> it = own.values().iterator(); it.hasNext(); ) {
                ResourceRecord mine = it.next().record();
                if (mine.isExpired(now)) {
                    it.remove();
                    ownDropped++;
                    dht.stopRepublishing(mine.key().getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        dropped.forEach(this::release);
        return dropped.size() + ownDropped;
    }

    /** The statistics. */
    public DhtStats stats() {
        int size = dht.routingTable().size();
        long now = config.clock().millis();
        int ownLive;
        int local;
        synchronized (this) {
            ownLive = (int) own.values().stream().filter(o -> !o.record().isExpired(now)).count();
            Set<String> keys = new HashSet<>();
            own.values().stream().filter(o -> !o.record().isExpired(now)).forEach(o -> keys.add(o.record().key()));
            cache.values().stream().filter(c -> !c.record().isExpired(now)).forEach(c -> keys.add(c.record().key()));
            local = keys.size();
        }
        return new DhtStats(true, dht.isServerMode() ? "server" : "client", size, size > 0, local, ownLive, queue.size());
    }

    /** The announcement queue (for diagnostics). */
    public ResourceAnnouncementQueue queue() {
        return queue;
    }

    // ------------------------------------------------------------------ discover

    /**
     * Finds the record of {@code type}/{@code id}: the local cache, then the network.
     *
     * @return the record, or empty when not found (or rejected) within {@code timeout}
     */
    public CompletableFuture<Optional<ResourceRecord>> discover(String resourceType, String resourceId,
                                                                Duration timeout) {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceId, "resourceId");
        requireOpen();
        Optional<ResourceRecord> local = getResource(resourceType, resourceId);
        if (local.isPresent()) {
            return CompletableFuture.completedFuture(local);
        }
        String key = ResourceRecord.keyOf(resourceType, resourceId);
        return dht.getValue(key.getBytes(StandardCharsets.UTF_8))
                .orTimeout(positive(timeout).toMillis(), TimeUnit.MILLISECONDS)
                .handle((value, error) -> {
                    if (error != null) {
                        LOG.debug("lookup of {} ended without a value: {}", key, unwrap(error).toString());
                        return Optional.<byte[]>empty();
                    }
                    return value;
                })
                .thenApplyAsync(value -> value.flatMap(bytes -> admit(key, "dht", null, () ->
                        ResourceRecord.parse(bytes, dht.config().maxValueBytes()), resourceType, resourceId)), scheduler);
    }

    /**
     * Finds the records of {@code type} across the network (see the class comment) and returns the live
     * ones matching {@code filter}, ours and previously cached ones included.
     */
    public CompletableFuture<List<ResourceRecord>> discoverAll(String resourceType, ResourceFilter filter,
                                                               Duration timeout) {
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(filter, "filter");
        requireOpen();
        long deadline = System.nanoTime() + positive(timeout).toNanos();
        CompletableFuture<Void> fetched = dht.findProviders(providerKey(resourceType), config.maxProviders())
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    LOG.debug("provider lookup for {} failed: {}", resourceType, unwrap(e).toString());
                    return List.of();
                })
                .thenComposeAsync(providers -> {
                    List<CompletableFuture<Void>> listings = new ArrayList<>();
                    for (PeerId provider : new LinkedHashSet<>(providers)) {
                        if (!provider.equals(self)) {
                            listings.add(fetchListing(provider, resourceType, 0, config.maxListPages(), deadline));
                        }
                    }
                    return CompletableFuture.allOf(listings.toArray(CompletableFuture[]::new));
                }, scheduler);
        long remaining = Math.max(1, deadline - System.nanoTime());
        return fetched.completeOnTimeout(null, remaining, TimeUnit.NANOSECONDS)
                .handle((v, e) -> null)
                .thenApplyAsync(v -> getLocalResources(resourceType, filter), scheduler);
    }

    private CompletableFuture<Void> fetchListing(PeerId provider, String resourceType, int offset, int pagesLeft,
                                                 long deadline) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0 || closed) {
            return CompletableFuture.completedFuture(null);
        }
        ObjectNode request = ResourceRecord.MAPPER.createObjectNode().put("resourceType", resourceType).put("offset", offset);
        CompletableFuture<JsonNode> response;
        try {
            response = requester.request(provider, request, Duration.ofNanos(remaining));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        return response.handleAsync((page, error) -> {
            if (error != null) {
                LOG.debug("listing {} from {} failed: {}", resourceType, provider, unwrap(error).toString());
                return NextPage.NONE;
            }
            return acceptListing(provider, resourceType, offset, page);
        }, scheduler).thenCompose(next -> next.present && pagesLeft > 1
                ? fetchListing(provider, resourceType, next.value, pagesLeft - 1, deadline)
                : CompletableFuture.completedFuture(null));
    }

    /** The offset of the next listing page, if there is one. */
    private record NextPage(boolean present, int value) {
        static final NextPage NONE = new NextPage(false, 0);
    }

    private NextPage acceptListing(PeerId provider, String resourceType, int offset, JsonNode page) {
        String listingKey = ResourceRecord.keyOf(resourceType, "*");
        JsonNode records = page == null ? null : page.get("records");
        if (records == null || !records.isArray() || records.size() > MAX_RECORDS_PER_PAGE) {
            reject(listingKey, provider.toString(), "malformed listing response");
            return NextPage.NONE;
        }
        for (JsonNode item : records) {
            admit(listingKey, provider.toString(), provider, () -> {
                ResourceRecord r = ResourceRecord.fromJson(item);
                int size = r.toBytes().length;
                if (size > dht.config().maxValueBytes()) {
                    throw new InvalidResourceRecordException("record of " + size + " bytes exceeds "
                            + dht.config().maxValueBytes());
                }
                return r;
            }, resourceType, null);
        }
        JsonNode next = page.get("next");
        if (next != null && next.isInt() && next.asInt() > offset) {
            return new NextPage(true, next.asInt());
        }
        return NextPage.NONE;
    }

    /**
     * Answers a listing request {@code {"resourceType":…, "offset":n}} with one page of our live records
     * of that type, ordered by key: {@code {"records":[record…], "next":n|null}}.
     *
     * @throws IllegalArgumentException if the request is malformed
     */
    public ObjectNode answerListRequest(JsonNode request) {
        if (request == null || !request.isObject() || !request.path("resourceType").isTextual()) {
            throw new IllegalArgumentException("expected {\"resourceType\":string, \"offset\":int}");
        }
        String type = request.get("resourceType").asText();
        JsonNode offsetNode = request.get("offset");
        int offset = offsetNode == null || offsetNode.isNull() ? 0 : offsetNode.asInt(-1);
        if (offset < 0 || (offsetNode != null && !offsetNode.isNull() && !offsetNode.isInt())) {
            throw new IllegalArgumentException("offset must be a non-negative integer");
        }
        long now = config.clock().millis();
        List<ResourceRecord> mine;
        synchronized (this) {
            mine = own.values().stream().map(Own::record)
                    .filter(r -> r.resourceType().equals(type) && !r.isExpired(now))
                    .sorted(Comparator.comparing(ResourceRecord::key)).toList();
        }
        ObjectNode response = ResourceRecord.MAPPER.createObjectNode();
        ArrayNode records = response.putArray("records");
        int bytes = 0;
        int index = offset;
        while (index < mine.size() && records.size() < MAX_RECORDS_PER_PAGE) {
            ObjectNode json = mine.get(index).toJson();
            int size = mine.get(index).toBytes().length;
            if (!records.isEmpty() && bytes + size > PAGE_BYTES) {
                break;
            }
            records.add(json);
            bytes += size;
            index++;
        }
        if (index < mine.size()) {
            response.put("next", index);
        } else {
            response.putNull("next");
        }
        return response;
    }

    /**
     * Checks a record from the network and caches it.
     *
     * @param listedBy the provider that listed it (then it must be the creator), or null for a DHT value
     * @param wantedId the id asked for, or null for a listing
     */
    private Optional<ResourceRecord> admit(String key, String source, PeerId listedBy,
                                           java.util.function.Supplier<ResourceRecord> parser,
                                           String wantedType, String wantedId) {
        ResourceRecord record;
        try {
            record = parser.get();
        } catch (RuntimeException e) {
            return reject(key, source, "malformed record: " + e.getMessage());
        }
        if (!record.resourceType().equals(wantedType) || (wantedId != null && !record.resourceId().equals(wantedId))) {
            return reject(key, source, "record " + record.key() + " does not match the key asked for");
        }
        String recordKey = record.key();
        if (record.isExpired(config.clock().millis())) {
            return reject(recordKey, source, "record expired");
        }
        PeerId creator;
        try {
            creator = PeerId.parse(record.creatorPeerId());
        } catch (RuntimeException e) {
            return reject(recordKey, source, "invalid creatorPeerId");
        }
        if (listedBy != null && !listedBy.equals(creator)) {
            return reject(recordKey, source, "listed by " + listedBy + " but created by " + creator);
        }
        SignedResourceRecords.Verdict verdict = SignedResourceRecords.verify(record);
        if (verdict == SignedResourceRecords.Verdict.INVALID) {
            return reject(recordKey, source, "signature does not verify against creatorPeerId");
        }
        if (verdict == SignedResourceRecords.Verdict.UNSIGNED && config.requireSignatures()) {
            return reject(recordKey, source, "unsigned record (signatures required)");
        }
        if (creator.equals(self)) {
            synchronized (this) {
                Own mine = own.get(recordKey);
                if (mine != null) {
                    return Optional.of(mine.record());
                }
            }
            return reject(recordKey, source, "claims to be ours but we do not hold it");
        }
        boolean authenticated = verdict == SignedResourceRecords.Verdict.VALID || listedBy != null;
        synchronized (this) {
            Cached existing = cache.get(recordKey);
            if (existing != null && existing.record().equals(record)) {
                return Optional.of(existing.record());
            }
            if (existing != null && existing.authenticated() && !authenticated) {
                return reject(recordKey, source, "an authenticated record is already cached");
            }
        }
        if (!security.canAcceptDhtRecord(creator, authenticated, record.resourceType(), record.resourceId(),
                record.data(), record.expiresAtInstant().orElse(null))) {
            return reject(recordKey, source, "refused by the security manager");
        }
        List<Cached> evicted = new ArrayList<>();
        synchronized (this) {
            Cached previous = cache.remove(recordKey);
            if (previous != null && !previous.creator().equals(creator)) {
                evicted.add(previous);
            }
            cache.put(recordKey, new Cached(record, creator, authenticated));
            Iterator<Cached> oldest = cache.values().iterator();
            while (cache.size() > config.maxCachedRecords()) {
                evicted.add(oldest.next());
                oldest.remove();
            }
        }
        evicted.forEach(this::release);
        listener.event(new ResourceDiscoveredEvent(record.resourceType(), record.resourceId(), record.creatorPeerId(),
                record.data(), verdict == SignedResourceRecords.Verdict.VALID, record.expiresAtInstant(),
                config.clock().instant()));
        return Optional.of(record);
    }

    private Optional<ResourceRecord> reject(String key, String source, String reason) {
        LOG.debug("resource record {} from {} rejected: {}", key, source, reason);
        listener.event(new ResourceRejectedEvent(key, source, reason, config.clock().instant()));
        return Optional.empty();
    }

    private void release(Cached c) {
        if (c.authenticated()) {
            security.removeResource(c.creator(), c.record().resourceType(), c.record().resourceId());
        }
    }

    // ------------------------------------------------------------------ peers

    /**
     * Finds a peer's addresses: those known when it is connected or in the peer store, otherwise after
     * a FIND_NODE lookup of its id.
     */
    public CompletableFuture<PeerLookup> findPeer(PeerId peer, Duration timeout) {
        Objects.requireNonNull(peer, "peer");
        requireOpen();
        if (peer.equals(self)) {
            return CompletableFuture.completedFuture(new PeerLookup(peer, true, false, host.listenAddresses()));
        }
        List<Multiaddr> known = host.peerStore().addresses(peer);
        if (host.isConnected(peer) || !known.isEmpty()) {
            return CompletableFuture.completedFuture(new PeerLookup(peer, true, host.isConnected(peer), known));
        }
        return dht.findClosestPeers(peer.toBytes())
                .orTimeout(positive(timeout).toMillis(), TimeUnit.MILLISECONDS)
                .handle((closest, error) -> {
                    List<Multiaddr> addresses = host.peerStore().addresses(peer);
                    return new PeerLookup(peer, !addresses.isEmpty(), host.isConnected(peer), addresses);
                });
    }

    // ------------------------------------------------------------------ monitor

    /** One monitor pass: routing-table events, queue flush, expiry, republishing, cleanup. */
    private void tick() {
        if (closed) {
            return;
        }
        try {
            watchRoutingTable();
            Instant now = config.clock().instant();
            queue.expire(now);
            List<ResourceRecord> republish = new ArrayList<>();
            synchronized (this) {
                for (Iterator<Map.Entry<String, Own>> it = own.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<String, Own> e = it.next();
                    ResourceRecord r = e.getValue().record();
                    if (r.isExpired(now.toEpochMilli())) {
                        it.remove();
                    } else if (!e.getValue().nextRepublish().isAfter(now)) {
                        e.setValue(new Own(r, now.plus(config.republishInterval())));
                        republish.add(r);
                    }
                }
            }
            for (ResourceRecord r : republish) {
                if (!queue.isQueued(r.key())) {
                    queue.enqueue(r, null, now);
                }
            }
            flush();
            if (!now.isBefore(nextCleanup)) {
                nextCleanup = now.plus(config.cleanupInterval());
                cleanup();
            }
        } catch (RuntimeException e) {
            LOG.warn("DHT resource monitor failed", e);
        }
    }

    private void watchRoutingTable() {
        List<PeerId> peers = dht.routingTable().peers();
        Set<PeerId> table = new LinkedHashSet<>(peers);
        Instant now = config.clock().instant();
        Set<PeerId> previous;
        boolean becameReady;
        synchronized (this) {
            previous = lastTable;
            lastTable = table;
            becameReady = !ready && !table.isEmpty();
            ready = !table.isEmpty();
        }
        for (PeerId p : table) {
            if (!previous.contains(p)) {
                listener.event(new DhtPeerAddedEvent(p, table.size(), now));
            }
        }
        for (PeerId p : previous) {
            if (!table.contains(p)) {
                listener.event(new DhtPeerRemovedEvent(p, table.size(), now));
            }
        }
        if (becameReady) {
            listener.event(new DhtReadyEvent(dht.isServerMode() ? "server" : "client", table.size(), now));
            // Fill the table beyond the directly connected peers.
            dht.bootstrap().exceptionally(e -> 0);
        }
        listener.routingTable(table.size());
    }

    /** Puts every due queued announcement when the routing table has peers. */
    private void flush() {
        if (closed || dht.routingTable().size() == 0) {
            return;
        }
        for (ResourceRecord record : queue.due(config.clock().instant())) {
            publish(record).whenCompleteAsync((ok, error) -> {
                if (error == null && ok) {
                    queue.succeeded(record);
                } else {
                    LOG.debug("put of {} failed: {}", record.key(), error == null ? "no peer confirmed" : unwrap(error).toString());
                    queue.failed(record, config.clock().instant());
                }
            }, this::execute);
        }
    }

    /** PUT_VALUE, then ADD_PROVIDER of the type; true when a peer stored the record and one took the provider. */
    private CompletableFuture<Boolean> publish(ResourceRecord record) {
        try {
            return dht.putValue(record.keyBytes(), record.toBytes()).thenCompose(confirmed -> confirmed == 0
                    ? CompletableFuture.completedFuture(false)
                    : dht.provide(providerKey(record.resourceType())).thenApply(told -> told > 0));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ------------------------------------------------------------------ lifecycle

    /** Stops the monitor, fails queued announcements ({@link CancellationException}), closes the DHT. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        dht.setInboundRecordFilter(null);
        monitor.cancel(false);
        queue.clear(new CancellationException("DHT stopped"));
        dht.close();
        List<Cached> dropped;
        synchronized (this) {
            dropped = new ArrayList<>(cache.values());
            cache.clear();
            own.clear();
        }
        dropped.forEach(this::release);
    }

    private void execute(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("scheduler stopped; task dropped");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("DHT stopped");
        }
    }

    private static void checkName(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        if (value.indexOf('/') >= 0) {
            // js kad-dht treats keys with '/' parts as namespaced and rejects them (reference weakness §7.6).
            throw new IllegalArgumentException(what + " must not contain '/': " + value);
        }
    }

    private static Duration positive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        return timeout;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
