package org.lotusia.p2p.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.lotusia.libp2p.crypto.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The core security layer (reference {@code CoreSecurityManager}, §1.4/§4): peer bans, DHT announcement
 * interval and quotas, per-peer message rate limit, protocol validators and metrics.
 *
 * <p>Differences from the reference, all deliberate:
 * <ul>
 *   <li>Ban checks always apply. {@link SecurityConfig#disableRateLimiting()} turns off only the time-based
 *       limits (announcement interval, message token bucket); quotas and validators still apply.</li>
 *   <li>Every {@link SecurityLimits} key is honoured; warnings decay and each escalation fires once
 *       (see {@link PeerBanManager}); all per-peer tables are bounded.</li>
 *   <li>{@link #validateMessage} really invokes the validator registered under the exact protocol name.</li>
 *   <li>In {@link #canAnnounceToDHT} a resource slot reserved by step 4 is released again when a validator
 *       rejects (or throws) in steps 6-7, so rejected announcements do not consume quota.</li>
 *   <li>Validator lookup for DHT resource types: the exact name first, otherwise the <em>longest</em>
 *       registered name that is a prefix of the type <em>at a boundary</em> (the next character is not a
 *       letter or digit): {@code musig2} matches {@code musig2-session} and {@code musig2:x}, not
 *       {@code musig2xyz}.</li>
 * </ul>
 *
 * <p>Registering a second validator under a name already in use throws; use {@link #replaceValidator} to
 * replace one on purpose.
 *
 * <p>Thread-safe. The owner should call {@link #cleanup()} every {@link #cleanupInterval()}.
 */
public final class CoreSecurityManager {
    /** Warning reason: a DHT announcement came sooner than the minimum interval. */
    public static final String REASON_DHT_RATE_LIMIT = "dht-rate-limit-violation";
    /** Warning reason: a DHT announcement exceeded the peer's resource quota. */
    public static final String REASON_DHT_RESOURCE_LIMIT = "dht-resource-limit-exceeded";
    /** Warning reason: a validator rejected a DHT announcement's content. */
    public static final String REASON_INVALID_DHT_ANNOUNCEMENT = "invalid-dht-announcement";
    /** Warning reason the coordinator should use for messages over {@link #maxMessageSize()}. */
    public static final String REASON_OVERSIZED_MESSAGE = "oversized-message";
    /** Warning reason the coordinator should use for undecodable messages. */
    public static final String REASON_INVALID_MESSAGE_FORMAT = "invalid-message-format";

    private static final Logger LOG = LoggerFactory.getLogger(CoreSecurityManager.class);

    private enum Verdict { ACCEPT, REJECT, ERROR }

    private final SecurityConfig config;
    private final SecurityLimits limits;
    private final PeerBanManager banManager;
    private final DhtAnnouncementRateLimiter dhtRateLimiter;
    private final DhtResourceTracker resourceTracker;
    private final MessageRateLimiter messageRateLimiter;
    private final Object validatorLock = new Object();
    /** Immutable snapshot in registration order; replaced under {@link #validatorLock}. */
    private volatile Map<String, ProtocolValidator> validators = Map.of();

    private final LongAdder totalMessages = new LongAdder();
    private final LongAdder validMessages = new LongAdder();
    private final LongAdder invalidMessages = new LongAdder();
    private final LongAdder oversizedMessages = new LongAdder();
    private final LongAdder rateLimitedMessages = new LongAdder();
    private final LongAdder bannedMessages = new LongAdder();
    private final LongAdder dhtTotal = new LongAdder();
    private final LongAdder dhtRejected = new LongAdder();
    private final LongAdder dhtRateLimited = new LongAdder();

    /** Default configuration, system UTC clock, listeners run on the calling thread. */
    public CoreSecurityManager() {
        this(SecurityConfig.defaults());
    }

    /** The given configuration, system UTC clock, listeners run on the calling thread. */
    public CoreSecurityManager(SecurityConfig config) {
        this(config, Clock.systemUTC(), Runnable::run);
    }

    /**
     * Creates a manager.
     *
     * @param config rate-limiting switch and custom limits
     * @param clock time source for every component (inject a controllable clock in tests)
     * @param listenerExecutor runs {@link PeerBanListener} callbacks ({@code Runnable::run}: calling thread)
     */
    public CoreSecurityManager(SecurityConfig config, Clock clock, Executor listenerExecutor) {
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(clock, "clock");
        this.limits = config.limits();
        this.banManager = new PeerBanManager(limits, clock, listenerExecutor);
        this.dhtRateLimiter = new DhtAnnouncementRateLimiter(clock, limits);
        this.resourceTracker = new DhtResourceTracker(clock, limits);
        this.messageRateLimiter = new MessageRateLimiter(clock, limits);
    }

    // ---- validators ----

    /**
     * Registers a validator under a protocol name (also used as the DHT resource-type prefix).
     *
     * @throws IllegalArgumentException if a validator is already registered under that name
     */
    public void registerValidator(String protocolName, ProtocolValidator validator) {
        Objects.requireNonNull(protocolName, "protocolName");
        Objects.requireNonNull(validator, "validator");
        synchronized (validatorLock) {
            if (validators.containsKey(protocolName)) {
                throw new IllegalArgumentException("a validator is already registered for protocol '" + protocolName
                        + "'; use replaceValidator to replace it");
            }
            Map<String, ProtocolValidator> m = new LinkedHashMap<>(validators);
            m.put(protocolName, validator);
            validators = Collections.unmodifiableMap(m);
        }
    }

    /**
     * Registers or replaces the validator for a protocol name.
     *
     * @return the validator it replaced, if any
     */
    public Optional<ProtocolValidator> replaceValidator(String protocolName, ProtocolValidator validator) {
        Objects.requireNonNull(protocolName, "protocolName");
        Objects.requireNonNull(validator, "validator");
        synchronized (validatorLock) {
            Map<String, ProtocolValidator> m = new LinkedHashMap<>(validators);
            ProtocolValidator old = m.put(protocolName, validator);
            validators = Collections.unmodifiableMap(m);
            return Optional.ofNullable(old);
        }
    }

    /**
     * Removes the validator for a protocol name.
     *
     * @return whether one was registered
     */
    public boolean unregisterValidator(String protocolName) {
        synchronized (validatorLock) {
            if (!validators.containsKey(protocolName)) {
                return false;
            }
            Map<String, ProtocolValidator> m = new LinkedHashMap<>(validators);
            m.remove(protocolName);
            validators = Collections.unmodifiableMap(m);
            return true;
        }
    }

    /** The validator registered under exactly this name, if any. */
    public Optional<ProtocolValidator> validator(String protocolName) {
        return Optional.ofNullable(validators.get(protocolName));
    }

    /**
     * Runs the validator registered under exactly {@code protocolName} on an incoming message.
     *
     * @param protocolName the message's protocol
     * @param message the message (an {@code org.lotusia.p2p.message.P2PMessage} from the coordinator)
     * @param from the authenticated sender
     * @return {@code true} if no validator is registered for the protocol or it accepts; {@code false} if it
     *     rejects, throws, or the message is null
     */
    public boolean validateMessage(String protocolName, Object message, PeerId from) {
        if (message == null) {
            return false;
        }
        ProtocolValidator v = validators.get(protocolName);
        if (v == null) {
            return true;
        }
        return call(protocolName, () -> v.validateMessage(message, from)) == Verdict.ACCEPT;
    }

    // ---- DHT ----

    /** {@link #canAnnounceToDHT(PeerId, String, String, Object, Instant)} without an expiry. */
    public boolean canAnnounceToDHT(PeerId peer, String resourceType, String resourceId, Object data) {
        return canAnnounceToDHT(peer, resourceType, resourceId, data, null);
    }

    /**
     * Decides whether a peer may announce a DHT resource. Steps, in the reference order (§4.3):
     * <ol>
     *   <li>count the attempt ({@code dhtAnnouncementsTotal});</li>
     *   <li>banned peer: reject ({@code rejected}, no warning) — even when rate limiting is disabled;</li>
     *   <li>unless rate limiting is disabled, the announcement interval: reject ({@code rateLimited}, warning
     *       {@value #REASON_DHT_RATE_LIMIT});</li>
     *   <li>resource quotas (check-and-reserve): reject ({@code rejected}, warning
     *       {@value #REASON_DHT_RESOURCE_LIMIT});</li>
     *   <li>find the validator for the type (see class doc);</li>
     *   <li>{@link ProtocolValidator#canAnnounceResource}: reject ({@code rejected}, no warning);</li>
     *   <li>{@link ProtocolValidator#validateResourceAnnouncement}: reject ({@code rejected}, warning
     *       {@value #REASON_INVALID_DHT_ANNOUNCEMENT}; no warning if the validator threw);</li>
     *   <li>accept.</li>
     * </ol>
     * A passing interval check is recorded even if a later step rejects; a slot newly reserved in step 4 is
     * released if step 6 or 7 rejects.
     *
     * @param expiresAt when the resource's quota slot lapses by itself ({@code null}: held until
     *     {@link #removeResource})
     * @return whether the announcement is allowed
     */
    public boolean canAnnounceToDHT(PeerId peer, String resourceType, String resourceId, Object data,
            Instant expiresAt) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceId, "resourceId");
        dhtTotal.increment();
        if (banManager.isBanned(peer)) {
            dhtRejected.increment();
            return false;
        }
        if (!config.disableRateLimiting() && !dhtRateLimiter.canAnnounce(peer)) {
            dhtRateLimited.increment();
            banManager.warnPeer(peer, REASON_DHT_RATE_LIMIT);
            return false;
        }
        DhtResourceTracker.Reservation reservation = resourceTracker.reserve(peer, resourceType, resourceId, expiresAt);
        if (!reservation.allowed()) {
            dhtRejected.increment();
            banManager.warnPeer(peer, REASON_DHT_RESOURCE_LIMIT);
            return false;
        }
        ProtocolValidator v = findResourceValidator(resourceType);
        if (v == null) {
            return true;
        }
        if (call(resourceType, () -> v.canAnnounceResource(resourceType, peer)) != Verdict.ACCEPT) {
            release(reservation, peer, resourceType, resourceId);
            dhtRejected.increment();
            return false;
        }
        Verdict content = call(resourceType, () -> v.validateResourceAnnouncement(resourceType, resourceId, data, peer));
        if (content != Verdict.ACCEPT) {
            release(reservation, peer, resourceType, resourceId);
            dhtRejected.increment();
            if (content == Verdict.REJECT) {
                banManager.warnPeer(peer, REASON_INVALID_DHT_ANNOUNCEMENT);
            }
            return false;
        }
        return true;
    }

    /** Frees a resource slot (e.g. when the resource is withdrawn or its record expires). */
    public boolean removeResource(PeerId peer, String resourceType, String resourceId) {
        return resourceTracker.removeResource(peer, resourceType, resourceId);
    }

    /**
     * Decides whether a resource record fetched from the network may enter the local cache: the
     * {@link #canAnnounceToDHT} pipeline for records whose announcement time we did not witness, so
     * without the interval step (a lookup or listing returns records announced at any time; the interval
     * limits how often a peer pushes announcements, not how many we read). When {@code authenticated} is
     * false (an unsigned record read from the DHT, whose {@code creatorPeerId} anyone could have written)
     * the claimed creator is neither charged a quota slot nor warned, so a forger cannot get an innocent
     * peer banned; the ban check and the validators still apply. Counted in the DHT metrics.
     *
     * @param creator       the record's creator
     * @param authenticated whether the creator is proven (a valid signature, or a listing received from it)
     * @param expiresAt     when the quota slot lapses by itself ({@code null}: until {@link #removeResource})
     * @return whether the record may be cached
     */
    public boolean canAcceptDhtRecord(PeerId creator, boolean authenticated, String resourceType, String resourceId,
            Object data, Instant expiresAt) {
        Objects.requireNonNull(creator, "creator");
        Objects.requireNonNull(resourceType, "resourceType");
        Objects.requireNonNull(resourceId, "resourceId");
        dhtTotal.increment();
        if (banManager.isBanned(creator)) {
            dhtRejected.increment();
            return false;
        }
        DhtResourceTracker.Reservation reservation = null;
        if (authenticated) {
            reservation = resourceTracker.reserve(creator, resourceType, resourceId, expiresAt);
            if (!reservation.allowed()) {
                dhtRejected.increment();
                banManager.warnPeer(creator, REASON_DHT_RESOURCE_LIMIT);
                return false;
            }
        }
        ProtocolValidator v = findResourceValidator(resourceType);
        if (v == null) {
            return true;
        }
        Verdict verdict = call(resourceType, () -> v.canAnnounceResource(resourceType, creator));
        if (verdict == Verdict.ACCEPT) {
            verdict = call(resourceType, () -> v.validateResourceAnnouncement(resourceType, resourceId, data, creator));
            if (verdict == Verdict.REJECT && authenticated) {
                banManager.warnPeer(creator, REASON_INVALID_DHT_ANNOUNCEMENT);
            }
        }
        if (verdict != Verdict.ACCEPT) {
            if (reservation != null) {
                release(reservation, creator, resourceType, resourceId);
            }
            dhtRejected.increment();
            return false;
        }
        return true;
    }

    // ---- messages ----

    /**
     * Whether a message from the peer may be processed: {@code false} if the peer is banned (always checked)
     * or, unless rate limiting is disabled, its token bucket is empty. Consumes a token on success. Refusals
     * are counted but do not warn the peer.
     */
    public boolean allowMessage(PeerId peer) {
        Objects.requireNonNull(peer, "peer");
        if (banManager.isBanned(peer)) {
            bannedMessages.increment();
            return false;
        }
        if (!config.disableRateLimiting() && !messageRateLimiter.tryAcquire(peer)) {
            rateLimitedMessages.increment();
            return false;
        }
        return true;
    }

    /** The largest accepted message in bytes ({@code MAX_P2P_MESSAGE_SIZE}). */
    public int maxMessageSize() {
        return limits.maxP2pMessageSize();
    }

    /** Whether a message of this many bytes exceeds {@link #maxMessageSize()}. */
    public boolean isOversized(long sizeBytes) {
        return sizeBytes > limits.maxP2pMessageSize();
    }

    /** Counts a message: total, plus valid or invalid, plus oversized if so (reference semantics). */
    public void recordMessage(boolean valid, boolean oversized) {
        totalMessages.increment();
        (valid ? validMessages : invalidMessages).increment();
        if (oversized) {
            oversizedMessages.increment();
        }
    }

    /** {@code recordMessage(valid, false)}. */
    public void recordMessage(boolean valid) {
        recordMessage(valid, false);
    }

    /**
     * Counts a message as {@link #recordMessage(boolean, boolean)} and, if invalid, counts it against the
     * sender's {@code MAX_INVALID_MESSAGES_PER_PEER} budget (see {@link PeerBanManager#recordInvalidMessage}).
     */
    public void recordMessage(PeerId from, boolean valid, boolean oversized) {
        recordMessage(valid, oversized);
        if (!valid && from != null) {
            banManager.recordInvalidMessage(from);
        }
    }

    // ---- bans (delegates) ----

    /** Whether the peer is banned now (temporarily or permanently). */
    public boolean isPeerBanned(PeerId peer) {
        return banManager.isBanned(peer);
    }

    /** See {@link PeerBanManager#banPeer}. */
    public boolean banPeer(PeerId peer, String reason) {
        return banManager.banPeer(peer, reason);
    }

    /** See {@link PeerBanManager#tempBanPeer}. */
    public boolean tempBanPeer(PeerId peer, Duration duration, String reason) {
        return banManager.tempBanPeer(peer, duration, reason);
    }

    /** See {@link PeerBanManager#unbanPeer}. */
    public boolean unbanPeer(PeerId peer) {
        return banManager.unbanPeer(peer);
    }

    /** See {@link PeerBanManager#warnPeer}. */
    public int warnPeer(PeerId peer, String reason) {
        return banManager.warnPeer(peer, reason);
    }

    /** Adds a ban-event listener (see {@link PeerBanManager#addListener}). */
    public void addListener(PeerBanListener listener) {
        banManager.addListener(listener);
    }

    /** Removes a ban-event listener. */
    public boolean removeListener(PeerBanListener listener) {
        return banManager.removeListener(listener);
    }

    // ---- housekeeping and metrics ----

    /** Frees expired bans, decayed warnings, expired resources, idle rate-limit entries. */
    public void cleanup() {
        banManager.cleanup();
        dhtRateLimiter.cleanup();
        resourceTracker.cleanup();
        messageRateLimiter.cleanup();
    }

    /** How often {@link #cleanup()} should run ({@code DHT_CLEANUP_INTERVAL}). */
    public Duration cleanupInterval() {
        return limits.dhtCleanupInterval();
    }

    /** A snapshot of the counters and live peer gauges. */
    public SecurityMetrics getMetrics() {
        return new SecurityMetrics(totalMessages.sum(), validMessages.sum(), invalidMessages.sum(),
                oversizedMessages.sum(), banManager.bannedCount(), banManager.permanentlyBannedCount(),
                banManager.warnedPeerCount(), rateLimitedMessages.sum(), bannedMessages.sum(), dhtTotal.sum(),
                dhtRejected.sum(), dhtRateLimited.sum());
    }

    /** Zeroes the message and DHT counters; the peer gauges stay live. */
    public void resetMetrics() {
        for (LongAdder a : new LongAdder[] {totalMessages, validMessages, invalidMessages, oversizedMessages,
            rateLimitedMessages, bannedMessages, dhtTotal, dhtRejected, dhtRateLimited}) {
            a.reset();
        }
    }

    /** The configuration. */
    public SecurityConfig config() {
        return config;
    }

    /** The effective limits. */
    public SecurityLimits limits() {
        return limits;
    }

    /** The ban manager. */
    public PeerBanManager banManager() {
        return banManager;
    }

    /** The DHT announcement interval limiter. */
    public DhtAnnouncementRateLimiter dhtRateLimiter() {
        return dhtRateLimiter;
    }

    /** The DHT resource quota tracker. */
    public DhtResourceTracker resourceTracker() {
        return resourceTracker;
    }

    /** The per-peer message token bucket. */
    public MessageRateLimiter messageRateLimiter() {
        return messageRateLimiter;
    }

    // ---- internals ----

    private ProtocolValidator findResourceValidator(String resourceType) {
        Map<String, ProtocolValidator> snapshot = validators;
        ProtocolValidator exact = snapshot.get(resourceType);
        if (exact != null) {
            return exact;
        }
        ProtocolValidator best = null;
        int bestLength = -1;
        for (Map.Entry<String, ProtocolValidator> e : snapshot.entrySet()) {
            String name = e.getKey();
            if (name.length() < resourceType.length() && name.length() > bestLength
                    && resourceType.startsWith(name)
                    && !Character.isLetterOrDigit(resourceType.charAt(name.length()))) {
                best = e.getValue();
                bestLength = name.length();
            }
        }
        return best;
    }

    private void release(DhtResourceTracker.Reservation r, PeerId peer, String type, String id) {
        if (r == DhtResourceTracker.Reservation.NEW) {
            resourceTracker.removeResource(peer, type, id);
        }
    }

    private static Verdict call(String name, BooleanSupplier check) {
        try {
            return check.getAsBoolean() ? Verdict.ACCEPT : Verdict.REJECT;
        } catch (RuntimeException e) {
            LOG.warn("protocol validator for '{}' threw; treating as rejection", name, e);
            return Verdict.ERROR;
        }
    }
}
