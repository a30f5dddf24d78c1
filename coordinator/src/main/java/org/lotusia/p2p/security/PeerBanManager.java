package org.lotusia.p2p.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.lotusia.libp2p.crypto.PeerId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-peer warnings, temporary bans and permanent bans (the reference {@code CorePeerBanManager}, fixed).
 *
 * <p>Rules, with the thresholds from {@link SecurityLimits}:
 * <ul>
 *   <li>{@link #warnPeer} adds one warning. Warnings decay: one is forgiven per
 *       {@link SecurityLimits#warningDecayIntervalMs()} (0 disables decay).</li>
 *   <li>When the count reaches {@link SecurityLimits#warningsBeforeTempBan()} the peer is temporarily banned
 *       for {@link SecurityLimits#tempBanDurationMs()} (reason {@code repeated-warnings}). This fires
 *       <b>once</b>; later warnings do not extend the ban. It re-arms only after decay brings the count back
 *       below the threshold.</li>
 *   <li>When the count reaches {@link SecurityLimits#warningsBeforeBan()} the peer is permanently banned
 *       (reason {@code excessive-warnings}), once. That warning does not also issue a temporary ban.</li>
 *   <li>{@link #recordInvalidMessage} counts invalid messages (decaying like warnings); reaching
 *       {@link SecurityLimits#maxInvalidMessagesPerPeer()} temporarily bans the peer
 *       ({@code excessive-invalid-messages}) and resets the count.</li>
 *   <li>{@link #unbanPeer} forgets everything about the peer (bans, warnings, invalid count).</li>
 * </ul>
 *
 * <p>Memory is bounded: at most {@link SecurityLimits#maxTrackedPeers()} peers are tracked. When a new peer
 * must be added to a full table, the least recently updated peer that is not banned is evicted; if every
 * tracked peer is banned, the least recently updated temporarily banned peer, then the least recently
 * updated permanently banned peer.
 *
 * <p>Thread-safe. Methods never block on listeners: events are dispatched after the internal lock is
 * released, one {@link Executor#execute} per listener and event; a throwing listener (or a rejecting
 * executor) is logged and does not affect the others.
 */
public final class PeerBanManager {
    /** Reason of the automatic temporary ban on reaching the warning threshold. */
    public static final String REASON_REPEATED_WARNINGS = "repeated-warnings";
    /** Reason of the automatic permanent ban on reaching the ban threshold. */
    public static final String REASON_EXCESSIVE_WARNINGS = "excessive-warnings";
    /** Reason of the automatic temporary ban on too many invalid messages. */
    public static final String REASON_EXCESSIVE_INVALID_MESSAGES = "excessive-invalid-messages";

    private static final Logger LOG = LoggerFactory.getLogger(PeerBanManager.class);

    private final SecurityLimits limits;
    private final Clock clock;
    private final Executor listenerExecutor;
    private final List<PeerBanListener> listeners = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    /** Insertion order = least recently updated first (updates re-insert). Guarded by {@link #lock}. */
    private final LinkedHashMap<PeerId, PeerState> peers = new LinkedHashMap<>();

    private static final class PeerState {
        int warnings;
        long warningsDecayedAt;
        int invalid;
        long invalidDecayedAt;
        long tempBanUntil;
        boolean permanent;
        boolean tempEscalated;
    }

    /** Default limits, system UTC clock, direct listener execution. */
    public PeerBanManager() {
        this(SecurityLimits.defaults(), Clock.systemUTC(), Runnable::run);
    }

    /**
     * Creates a manager.
     *
     * @param limits thresholds, durations and the tracked-peer bound
     * @param clock time source (inject a fixed or mutable clock in tests)
     * @param listenerExecutor runs listener callbacks; {@code Runnable::run} runs them on the calling thread
     */
    public PeerBanManager(SecurityLimits limits, Clock clock, Executor listenerExecutor) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listenerExecutor = Objects.requireNonNull(listenerExecutor, "listenerExecutor");
    }

    /** Adds a listener (no effect if null). */
    public void addListener(PeerBanListener listener) {
        if (listener != null) {
            listeners.add(listener);
        }
    }

    /** Removes a listener; returns whether it was registered. */
    public boolean removeListener(PeerBanListener listener) {
        return listeners.remove(listener);
    }

    /**
     * Records one warning and escalates as described on the class.
     *
     * @return the peer's warning count after this warning
     */
    public int warnPeer(PeerId peer, String reason) {
        Objects.requireNonNull(peer, "peer");
        List<Consumer<PeerBanListener>> events = new ArrayList<>(2);
        int count;
        synchronized (lock) {
            long now = clock.millis();
            PeerState s = touch(peer);
            decay(s, now);
            if (s.warnings == 0) {
                s.warningsDecayedAt = now;
            }
            if (s.warnings < Integer.MAX_VALUE) {
                s.warnings++;
            }
            count = s.warnings;
            events.add(l -> l.onPeerWarned(peer, reason, count));
            if (!s.permanent && count >= limits.warningsBeforeBan()) {
                s.permanent = true;
                s.tempBanUntil = 0;
                events.add(l -> l.onPeerBanned(peer, REASON_EXCESSIVE_WARNINGS));
            } else if (!s.permanent && !s.tempEscalated && count >= limits.warningsBeforeTempBan()) {
                s.tempEscalated = true;
                long until = Math.max(s.tempBanUntil, saturatingAdd(now, limits.tempBanDurationMs()));
                s.tempBanUntil = until;
                events.add(l -> l.onPeerTempBanned(peer, REASON_REPEATED_WARNINGS, Instant.ofEpochMilli(until)));
            }
        }
        dispatch(events);
        return count;
    }

    /**
     * Counts one invalid message from the peer; on reaching {@link SecurityLimits#maxInvalidMessagesPerPeer()}
     * the peer is temporarily banned ({@value #REASON_EXCESSIVE_INVALID_MESSAGES}) and the count resets.
     *
     * @return whether this call banned the peer
     */
    public boolean recordInvalidMessage(PeerId peer) {
        Objects.requireNonNull(peer, "peer");
        List<Consumer<PeerBanListener>> events = new ArrayList<>(1);
        synchronized (lock) {
            long now = clock.millis();
            PeerState s = touch(peer);
            decay(s, now);
            if (s.invalid == 0) {
                s.invalidDecayedAt = now;
            }
            s.invalid++;
            if (s.invalid >= limits.maxInvalidMessagesPerPeer()) {
                s.invalid = 0;
                if (!s.permanent) {
                    long until = Math.max(s.tempBanUntil, saturatingAdd(now, limits.tempBanDurationMs()));
                    s.tempBanUntil = until;
                    events.add(l -> l.onPeerTempBanned(peer, REASON_EXCESSIVE_INVALID_MESSAGES,
                            Instant.ofEpochMilli(until)));
                }
            }
        }
        dispatch(events);
        return !events.isEmpty();
    }

    /**
     * Bans the peer permanently (until {@link #unbanPeer}).
     *
     * @return {@code true} if the peer was not already permanently banned (the event fires only then)
     */
    public boolean banPeer(PeerId peer, String reason) {
        Objects.requireNonNull(peer, "peer");
        synchronized (lock) {
            PeerState s = touch(peer);
            if (s.permanent) {
                return false;
            }
            s.permanent = true;
            s.tempBanUntil = 0;
        }
        dispatch(List.of(l -> l.onPeerBanned(peer, reason)));
        return true;
    }

    /**
     * Bans the peer until now + {@code duration}, replacing any earlier temporary ban.
     *
     * @return {@code false} (and no event) if the peer is permanently banned
     * @throws IllegalArgumentException if the duration is not positive
     */
    public boolean tempBanPeer(PeerId peer, Duration duration, String reason) {
        Objects.requireNonNull(peer, "peer");
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("temporary ban duration must be positive, got " + duration);
        }
        long until;
        synchronized (lock) {
            PeerState s = touch(peer);
            if (s.permanent) {
                return false;
            }
            long ms;
            try {
                ms = duration.toMillis();
            } catch (ArithmeticException e) {
                ms = Long.MAX_VALUE;
            }
            until = saturatingAdd(clock.millis(), Math.max(1, ms));
            s.tempBanUntil = until;
        }
        long u = until;
        dispatch(List.of(l -> l.onPeerTempBanned(peer, reason, Instant.ofEpochMilli(u))));
        return true;
    }

    /**
     * Lifts any ban and forgets the peer's warnings and invalid-message count.
     *
     * @return whether the peer was banned (temporarily or permanently); the event fires only then
     */
    public boolean unbanPeer(PeerId peer) {
        Objects.requireNonNull(peer, "peer");
        boolean wasBanned;
        synchronized (lock) {
            PeerState s = peers.remove(peer);
            wasBanned = s != null && banned(s, clock.millis());
        }
        if (wasBanned) {
            dispatch(List.of(l -> l.onPeerUnbanned(peer)));
        }
        return wasBanned;
    }

    /** Whether the peer is permanently banned or temporarily banned now. */
    public boolean isBanned(PeerId peer) {
        synchronized (lock) {
            PeerState s = peers.get(peer);
            return s != null && banned(s, clock.millis());
        }
    }

    /** {@code !isBanned(peer)}. */
    public boolean isAllowed(PeerId peer) {
        return !isBanned(peer);
    }

    /** Whether the peer is permanently banned. */
    public boolean isPermanentlyBanned(PeerId peer) {
        synchronized (lock) {
            PeerState s = peers.get(peer);
            return s != null && s.permanent;
        }
    }

    /** When the peer's temporary ban ends, if it has one in force (empty for permanent bans). */
    public Optional<Instant> tempBanExpiry(PeerId peer) {
        synchronized (lock) {
            PeerState s = peers.get(peer);
            if (s == null || s.permanent || !banned(s, clock.millis())) {
                return Optional.empty();
            }
            return Optional.of(Instant.ofEpochMilli(s.tempBanUntil));
        }
    }

    /** The peer's current warning count (after decay); 0 for unknown peers. */
    public int warningCount(PeerId peer) {
        synchronized (lock) {
            PeerState s = peers.get(peer);
            if (s == null) {
                return 0;
            }
            decay(s, clock.millis());
            return s.warnings;
        }
    }

    /** The peer's current invalid-message count (after decay); 0 for unknown peers. */
    public int invalidMessageCount(PeerId peer) {
        synchronized (lock) {
            PeerState s = peers.get(peer);
            if (s == null) {
                return 0;
            }
            decay(s, clock.millis());
            return s.invalid;
        }
    }

    /** A snapshot of the peers banned now (permanently or temporarily). */
    public Set<PeerId> bannedPeers() {
        synchronized (lock) {
            long now = clock.millis();
            Set<PeerId> out = new LinkedHashSet<>();
            for (Map.Entry<PeerId, PeerState> e : peers.entrySet()) {
                if (banned(e.getValue(), now)) {
                    out.add(e.getKey());
                }
            }
            return Collections.unmodifiableSet(out);
        }
    }

    /** The number of peers banned now (permanently or temporarily). */
    public int bannedCount() {
        synchronized (lock) {
            long now = clock.millis();
            int n = 0;
            for (PeerState s : peers.values()) {
                if (banned(s, now)) {
                    n++;
                }
            }
            return n;
        }
    }

    /** The number of permanently banned peers. */
    public int permanentlyBannedCount() {
        synchronized (lock) {
            int n = 0;
            for (PeerState s : peers.values()) {
                if (s.permanent) {
                    n++;
                }
            }
            return n;
        }
    }

    /** The number of distinct peers with at least one (undecayed) warning. */
    public int warnedPeerCount() {
        synchronized (lock) {
            long now = clock.millis();
            int n = 0;
            for (PeerState s : peers.values()) {
                decay(s, now);
                if (s.warnings > 0) {
                    n++;
                }
            }
            return n;
        }
    }

    /** The number of peers currently tracked (never more than {@link SecurityLimits#maxTrackedPeers()}). */
    public int trackedPeerCount() {
        synchronized (lock) {
            return peers.size();
        }
    }

    /** Drops peers that are not banned and have no warnings or invalid messages left after decay. */
    public void cleanup() {
        synchronized (lock) {
            long now = clock.millis();
            Iterator<PeerState> it = peers.values().iterator();
            while (it.hasNext()) {
                PeerState s = it.next();
                decay(s, now);
                if (!banned(s, now) && s.warnings == 0 && s.invalid == 0) {
                    it.remove();
                }
            }
        }
    }

    // ---- internals (callers hold the lock) ----

    private PeerState touch(PeerId peer) {
        PeerState s = peers.remove(peer);
        if (s == null) {
            if (peers.size() >= limits.maxTrackedPeers()) {
                evictOne(clock.millis());
            }
            s = new PeerState();
        }
        peers.put(peer, s);
        return s;
    }

    private void evictOne(long now) {
        PeerId firstTemp = null;
        for (Map.Entry<PeerId, PeerState> e : peers.entrySet()) {
            PeerState s = e.getValue();
            if (!banned(s, now)) {
                peers.remove(e.getKey());
                return;
            }
            if (firstTemp == null && !s.permanent) {
                firstTemp = e.getKey();
            }
        }
        if (firstTemp != null) {
            peers.remove(firstTemp);
        } else if (!peers.isEmpty()) {
            peers.remove(peers.keySet().iterator().next());
        }
    }

    private static boolean banned(PeerState s, long now) {
        if (s.permanent) {
            return true;
        }
        if (s.tempBanUntil != 0) {
            if (now < s.tempBanUntil) {
                return true;
            }
            s.tempBanUntil = 0;
        }
        return false;
    }

    private void decay(PeerState s, long now) {
        long interval = limits.warningDecayIntervalMs();
        if (interval > 0) {
            if (s.warnings > 0 && now > s.warningsDecayedAt) {
                long steps = (now - s.warningsDecayedAt) / interval;
                if (steps >= s.warnings) {
                    s.warnings = 0;
                } else if (steps > 0) {
                    s.warnings -= (int) steps;
                    s.warningsDecayedAt += steps * interval;
                }
            }
            if (s.invalid > 0 && now > s.invalidDecayedAt) {
                long steps = (now - s.invalidDecayedAt) / interval;
                if (steps >= s.invalid) {
                    s.invalid = 0;
                } else if (steps > 0) {
                    s.invalid -= (int) steps;
                    s.invalidDecayedAt += steps * interval;
                }
            }
        }
        if (s.warnings < limits.warningsBeforeTempBan()) {
            s.tempEscalated = false;
        }
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private void dispatch(List<Consumer<PeerBanListener>> events) {
        if (events.isEmpty() || listeners.isEmpty()) {
            return;
        }
        for (Consumer<PeerBanListener> event : events) {
            for (PeerBanListener listener : listeners) {
                try {
                    listenerExecutor.execute(() -> {
                        try {
                            event.accept(listener);
                        } catch (RuntimeException e) {
                            LOG.warn("peer ban listener {} threw", listener, e);
                        }
                    });
                } catch (RuntimeException e) {
                    LOG.warn("listener executor rejected a peer ban event for {}", listener, e);
                }
            }
        }
    }
}
