package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.crypto.PeerId;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The gossipsub v1.1 peer score: per topic P1 (time in mesh), P2 (first message deliveries), P3 (mesh
 * message delivery deficit), P3b (mesh failure penalty) and P4 (invalid messages), weighted and capped;
 * then P5 (application specific), P6 (IP colocation) and P7 (behaviour penalty). Counters decay once
 * per {@link PeerScoreParams#decayInterval()} (checked on each {@link #heartbeat()}). The score of a
 * disconnected peer is kept for {@link PeerScoreParams#retainScore()} (unless it is positive), so
 * reconnecting does not clear penalties.
 *
 * <p>Methods are synchronized; the router calls them from its own thread.
 */
public final class PeerScore implements PeerScoring {
    /** Delivery records are kept this long (the js seen-cache TTL) … */
    static final long DELIVERY_RECORD_TTL_MILLIS = 120_000;
    /** … and at most this many. */
    static final int MAX_DELIVERY_RECORDS = 100_000;
    /** Most peers (connected or retained) tracked; the oldest retained ones go first. */
    static final int MAX_TRACKED_PEERS = 10_000;

    private enum Status { PENDING, VALID, INVALID, IGNORED }

    private static final class DeliveryRecord {
        final long firstSeen;
        long validated;
        Status status = Status.PENDING;
        final Set<PeerId> peers = new HashSet<>();

        DeliveryRecord(long firstSeen) {
            this.firstSeen = firstSeen;
        }
    }

    private static final class TopicStats {
        boolean inMesh;
        long graftTime;
        double firstMessageDeliveries;
        double meshMessageDeliveries;
        double meshFailurePenalty;
        double invalidMessageDeliveries;
    }

    private static final class PeerStats {
        boolean connected = true;
        long expire;
        String ip;
        final Map<String, TopicStats> topics = new HashMap<>();
        double behaviourPenalty;
    }

    private final PeerScoreParams params;
    private final PeerScoreThresholds thresholds;
    private final Clock clock;
    private final List<IpRange> whitelist = new ArrayList<>();
    private final Map<PeerId, PeerStats> peers = new LinkedHashMap<>();
    private final Map<String, Set<PeerId>> peersByIp = new HashMap<>();
    private final LinkedHashMap<ByteString, DeliveryRecord> deliveries = new LinkedHashMap<>();
    private long lastDecay;

    /** The defaults ({@link PeerScoreParams#defaults()}, {@link PeerScoreThresholds#defaults()}), wall clock. */
    public PeerScore() {
        this(PeerScoreParams.defaults(), PeerScoreThresholds.defaults(), Clock.systemUTC());
    }

    /** A score with these parameters and thresholds on the wall clock. */
    public PeerScore(PeerScoreParams params, PeerScoreThresholds thresholds) {
        this(params, thresholds, Clock.systemUTC());
    }

    /** A score with these parameters and thresholds; time comes from {@code clock} (tests move it by hand). */
    public PeerScore(PeerScoreParams params, PeerScoreThresholds thresholds, Clock clock) {
        this.params = Objects.requireNonNull(params, "params");
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        this.clock = Objects.requireNonNull(clock, "clock");
        for (String entry : params.ipColocationFactorWhitelist()) {
            whitelist.add(IpRange.parse(entry));
        }
        this.lastDecay = clock.millis();
    }

    /** The parameters. */
    public PeerScoreParams params() {
        return params;
    }

    /** The thresholds. */
    public PeerScoreThresholds thresholds() {
        return thresholds;
    }

    // ---------------------------------------------------------------------------------------- score

    @Override
    public synchronized double score(PeerId peer) {
        PeerStats stats = peers.get(peer);
        if (stats == null) {
            return 0;
        }
        long now = clock.millis();
        double score = 0;
        for (Map.Entry<String, TopicStats> entry : stats.topics.entrySet()) {
            TopicScoreParams tp = params.topicParams(entry.getKey());
            if (tp != null) {
                score += topicScore(tp, entry.getValue(), now) * tp.topicWeight();
            }
        }
        if (params.topicScoreCap() > 0 && score > params.topicScoreCap()) {
            score = params.topicScoreCap();
        }
        score += params.appSpecificScore().applyAsDouble(peer) * params.appSpecificWeight();
        score += ipColocation(stats) * params.ipColocationFactorWeight();
        double excess = stats.behaviourPenalty - params.behaviourPenaltyThreshold();
        if (excess > 0) {
            score += excess * excess * params.behaviourPenaltyWeight();
        }
        return score;
    }

    private static double topicScore(TopicScoreParams tp, TopicStats ts, long now) {
        double score = 0;
        if (ts.inMesh) {
            double quanta = (double) (now - ts.graftTime) / Math.max(1, tp.timeInMeshQuantum().toMillis());
            score += Math.min(quanta, tp.timeInMeshCap()) * tp.timeInMeshWeight();
        }
        score += ts.firstMessageDeliveries * tp.firstMessageDeliveriesWeight();
        if (ts.inMesh && now - ts.graftTime > tp.meshMessageDeliveriesActivation().toMillis()
                && ts.meshMessageDeliveries < tp.meshMessageDeliveriesThreshold()) {
            double deficit = tp.meshMessageDeliveriesThreshold() - ts.meshMessageDeliveries;
            score += deficit * deficit * tp.meshMessageDeliveriesWeight();
        }
        score += ts.meshFailurePenalty * tp.meshFailurePenaltyWeight();
        score += ts.invalidMessageDeliveries * ts.invalidMessageDeliveries * tp.invalidMessageDeliveriesWeight();
        return score;
    }

    private double ipColocation(PeerStats stats) {
        if (stats.ip == null || params.ipColocationFactorWeight() == 0 || whitelisted(stats.ip)) {
            return 0;
        }
        Set<PeerId> sharing = peersByIp.get(stats.ip);
        double surplus = (sharing == null ? 0 : sharing.size()) - params.ipColocationFactorThreshold();
        return surplus > 0 ? surplus * surplus : 0;
    }

    private boolean whitelisted(String ip) {
        if (whitelist.isEmpty()) {
            return false;
        }
        byte[] address = IpRange.literal(ip);
        return address != null && whitelist.stream().anyMatch(range -> range.contains(address));
    }

    @Override
    public double gossipThreshold() {
        return thresholds.gossipThreshold();
    }

    @Override
    public double publishThreshold() {
        return thresholds.publishThreshold();
    }

    @Override
    public double graylistThreshold() {
        return thresholds.graylistThreshold();
    }

    @Override
    public double acceptPXThreshold() {
        return thresholds.acceptPXThreshold();
    }

    @Override
    public double opportunisticGraftThreshold() {
        return thresholds.opportunisticGraftThreshold();
    }

    // ---------------------------------------------------------------------------------------- peers

    @Override
    public synchronized void peerAdded(PeerId peer, String ip) {
        PeerStats stats = peers.get(peer);
        if (stats == null) {
            if (peers.size() >= MAX_TRACKED_PEERS) {
                dropOneRetained();
            }
            stats = new PeerStats();
            peers.put(peer, stats);
        }
        stats.connected = true;
        if (ip != null && !ip.equals(stats.ip)) {
            forgetIp(peer, stats);
            stats.ip = ip;
            peersByIp.computeIfAbsent(ip, k -> new HashSet<>()).add(peer);
        }
    }

    @Override
    public synchronized void peerRemoved(PeerId peer) {
        PeerStats stats = peers.get(peer);
        if (stats == null || !stats.connected) {
            return;
        }
        if (score(peer) > 0) {
            // Nothing to hold against it.
            forgetIp(peer, stats);
            peers.remove(peer);
            return;
        }
        for (Map.Entry<String, TopicStats> entry : stats.topics.entrySet()) {
            TopicStats ts = entry.getValue();
            // A peer that leaves cannot keep first-delivery credit, but keeps the mesh failure it caused.
            ts.firstMessageDeliveries = 0;
            if (ts.inMesh) {
                applyMeshFailure(params.topicParams(entry.getKey()), ts);
                ts.inMesh = false;
            }
        }
        stats.connected = false;
        stats.expire = clock.millis() + params.retainScore().toMillis();
        // Only connected peers crowd an IP; the address comes back with the next connection.
        forgetIp(peer, stats);
    }

    private void forgetIp(PeerId peer, PeerStats stats) {
        if (stats.ip == null) {
            return;
        }
        Set<PeerId> set = peersByIp.get(stats.ip);
        if (set != null) {
            set.remove(peer);
            if (set.isEmpty()) {
                peersByIp.remove(stats.ip);
            }
        }
        stats.ip = null;
    }

    private void dropOneRetained() {
        for (Iterator<Map.Entry<PeerId, PeerStats>> it = peers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PeerId, PeerStats> entry = it.next();
            if (!entry.getValue().connected) {
                forgetIp(entry.getKey(), entry.getValue());
                it.remove();
                return;
            }
        }
    }

    @Override
    public synchronized void graft(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts != null && !ts.inMesh) {
            ts.inMesh = true;
            ts.graftTime = clock.millis();
            ts.meshMessageDeliveries = 0;
        }
    }

    @Override
    public synchronized void prune(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts != null && ts.inMesh) {
            applyMeshFailure(params.topicParams(topic), ts);
            ts.inMesh = false;
        }
    }

    private void applyMeshFailure(TopicScoreParams tp, TopicStats ts) {
        if (tp == null) {
            return;
        }
        long now = clock.millis();
        if (now - ts.graftTime > tp.meshMessageDeliveriesActivation().toMillis()
                && ts.meshMessageDeliveries < tp.meshMessageDeliveriesThreshold()) {
            double deficit = tp.meshMessageDeliveriesThreshold() - ts.meshMessageDeliveries;
            ts.meshFailurePenalty += deficit * deficit;
        }
    }

    /** The stats of a scored topic of a tracked peer, created on demand; null if not scored/tracked. */
    private TopicStats topicStats(PeerId peer, String topic) {
        PeerStats stats = peers.get(peer);
        if (stats == null || params.topicParams(topic) == null) {
            return null;
        }
        return stats.topics.computeIfAbsent(topic, t -> new TopicStats());
    }

    // ---------------------------------------------------------------------------------------- penalties

    @Override
    public synchronized void invalidMessage(PeerId peer, String topic) {
        markInvalid(peer, topic);
    }

    @Override
    public synchronized void behaviourPenalty(PeerId peer, double amount) {
        PeerStats stats = peers.get(peer);
        if (stats != null && amount > 0) {
            stats.behaviourPenalty += amount;
        }
    }

    private void markInvalid(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts != null) {
            ts.invalidMessageDeliveries += 1;
        }
    }

    // ---------------------------------------------------------------------------------------- deliveries

    @Override
    public synchronized void validationStarted(PeerId peer, ByteString id, String topic) {
        if (!deliveries.containsKey(id)) {
            while (deliveries.size() >= MAX_DELIVERY_RECORDS) {
                Iterator<ByteString> it = deliveries.keySet().iterator();
                it.next();
                it.remove();
            }
            deliveries.put(id, new DeliveryRecord(clock.millis()));
        }
    }

    @Override
    public synchronized void messageAccepted(PeerId peer, ByteString id, String topic) {
        DeliveryRecord record = deliveries.get(id);
        if (record == null) {
            validationStarted(peer, id, topic);
            record = deliveries.get(id);
        }
        if (record.status != Status.PENDING) {
            return;
        }
        long now = clock.millis();
        record.status = Status.VALID;
        record.validated = now;
        markFirstDelivery(peer, topic);
        // Those who forwarded it while it was being validated were just as timely as the window allows.
        for (PeerId other : record.peers) {
            markMeshDelivery(other, topic);
        }
    }

    @Override
    public synchronized void messageRejected(PeerId peer, ByteString id, String topic) {
        DeliveryRecord record = deliveries.get(id);
        markInvalid(peer, topic);
        if (record == null || record.status != Status.PENDING) {
            return;
        }
        record.status = Status.INVALID;
        for (PeerId other : record.peers) {
            markInvalid(other, topic);
        }
        record.peers.clear();
    }

    @Override
    public synchronized void messageIgnored(PeerId peer, ByteString id, String topic) {
        DeliveryRecord record = deliveries.get(id);
        if (record != null && record.status == Status.PENDING) {
            record.status = Status.IGNORED;
            record.peers.clear();
        }
    }

    @Override
    public synchronized void duplicateMessage(PeerId peer, ByteString id, String topic) {
        DeliveryRecord record = deliveries.get(id);
        if (record == null || record.peers.contains(peer)) {
            return;
        }
        switch (record.status) {
            case PENDING -> record.peers.add(peer);
            case VALID -> {
                record.peers.add(peer);
                TopicScoreParams tp = params.topicParams(topic);
                if (tp != null && clock.millis() - record.validated <= tp.meshMessageDeliveriesWindow().toMillis()) {
                    markMeshDelivery(peer, topic);
                }
            }
            case INVALID -> markInvalid(peer, topic);
            case IGNORED -> {
            }
        }
    }

    private void markFirstDelivery(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts == null) {
            return;
        }
        TopicScoreParams tp = params.topicParams(topic);
        ts.firstMessageDeliveries = Math.min(tp.firstMessageDeliveriesCap(), ts.firstMessageDeliveries + 1);
        if (ts.inMesh) {
            ts.meshMessageDeliveries = Math.min(tp.meshMessageDeliveriesCap(), ts.meshMessageDeliveries + 1);
        }
    }

    private void markMeshDelivery(PeerId peer, String topic) {
        TopicStats ts = topicStats(peer, topic);
        if (ts != null && ts.inMesh) {
            TopicScoreParams tp = params.topicParams(topic);
            ts.meshMessageDeliveries = Math.min(tp.meshMessageDeliveriesCap(), ts.meshMessageDeliveries + 1);
        }
    }

    // ---------------------------------------------------------------------------------------- decay

    @Override
    public synchronized void heartbeat() {
        long now = clock.millis();
        long interval = params.decayInterval().toMillis();
        int due = 0;
        while (now - lastDecay >= interval && due < 1000) {
            lastDecay += interval;
            due++;
        }
        if (now - lastDecay >= interval) {
            lastDecay = now;
        }
        for (int i = 0; i < due; i++) {
            decay(now);
        }
        for (Iterator<Map.Entry<ByteString, DeliveryRecord>> it = deliveries.entrySet().iterator(); it.hasNext(); ) {
            if (now - it.next().getValue().firstSeen > DELIVERY_RECORD_TTL_MILLIS) {
                it.remove();
            } else {
                break;
            }
        }
    }

    private void decay(long now) {
        double toZero = params.decayToZero();
        for (Iterator<Map.Entry<PeerId, PeerStats>> it = peers.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<PeerId, PeerStats> entry = it.next();
            PeerStats stats = entry.getValue();
            if (!stats.connected) {
                // Retained scores do not decay: leaving must not be a way to shed penalties faster.
                if (now - stats.expire >= 0) {
                    forgetIp(entry.getKey(), stats);
                    it.remove();
                }
                continue;
            }
            for (Map.Entry<String, TopicStats> te : stats.topics.entrySet()) {
                TopicScoreParams tp = params.topicParams(te.getKey());
                if (tp == null) {
                    continue;
                }
                TopicStats ts = te.getValue();
                ts.firstMessageDeliveries = decayed(ts.firstMessageDeliveries, tp.firstMessageDeliveriesDecay(), toZero);
                ts.meshMessageDeliveries = decayed(ts.meshMessageDeliveries, tp.meshMessageDeliveriesDecay(), toZero);
                ts.meshFailurePenalty = decayed(ts.meshFailurePenalty, tp.meshFailurePenaltyDecay(), toZero);
                ts.invalidMessageDeliveries = decayed(ts.invalidMessageDeliveries, tp.invalidMessageDeliveriesDecay(), toZero);
            }
            stats.topics.values().removeIf(ts -> !ts.inMesh && ts.firstMessageDeliveries == 0
                    && ts.meshMessageDeliveries == 0 && ts.meshFailurePenalty == 0 && ts.invalidMessageDeliveries == 0);
            stats.behaviourPenalty = decayed(stats.behaviourPenalty, params.behaviourPenaltyDecay(), toZero);
        }
    }

    private static double decayed(double value, double factor, double toZero) {
        double next = value * factor;
        return next < toZero ? 0 : next;
    }

    /** Peers tracked (connected or retained). */
    synchronized int trackedPeers() {
        return peers.size();
    }

    /** Delivery records held. */
    synchronized int deliveryRecords() {
        return deliveries.size();
    }
}
