package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.kad.pb.KadProto;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;

/**
 * One iterative Kademlia lookup towards {@code target}. Candidates are kept ordered by distance; at
 * most {@code alpha} requests run at once; the lookup ends when each of the {@code k} closest
 * candidates that did not fail has answered (or the response handler says stop, or the overall
 * timeout passes). Failed peers (timeout, refused, garbage) are skipped, and the candidate list is
 * bounded, so bogus closer peers cost at most one request each.
 */
final class Lookup {
    private enum State { NEW, QUERYING, ANSWERED, FAILED }

    private final KadId target;
    private final int k;
    private final int alpha;
    private final int maxCandidates;
    private final BiFunction<PeerId, Lookup, CompletableFuture<KadProto.Message>> query;
    private final BiPredicate<PeerId, KadProto.Message> onResponse;
    private final TreeMap<KadId, Candidate> candidates;
    private final CompletableFuture<List<PeerId>> result = new CompletableFuture<>();
    private int inFlight;
    private boolean finished;

    private static final class Candidate {
        final PeerId peer;
        State state = State.NEW;

        Candidate(PeerId peer) {
            this.peer = peer;
        }
    }

    /**
     * @param query      sends the request to a peer; completes with its response
     * @param onResponse sees every response; returns true to end the lookup at once
     */
    Lookup(KadId target, int k, int alpha, BiFunction<PeerId, Lookup, CompletableFuture<KadProto.Message>> query,
           BiPredicate<PeerId, KadProto.Message> onResponse) {
        this.target = target;
        this.k = k;
        this.alpha = alpha;
        this.maxCandidates = Math.max(4 * k, 64);
        this.query = query;
        this.onResponse = onResponse;
        this.candidates = new TreeMap<>(target.byDistance());
    }

    /** Starts from {@code seeds}; completes with the closest peers that answered, closest first. */
    CompletableFuture<List<PeerId>> start(Collection<PeerId> seeds, Duration timeout) {
        addCandidates(seeds);
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(this::finish);
        advance();
        return result;
    }

    /** Offers newly learned peers. */
    synchronized void addCandidates(Collection<PeerId> peers) {
        for (PeerId peer : peers) {
            KadId id = KadId.ofPeer(peer);
            if (candidates.containsKey(id)) {
                continue;
            }
            candidates.put(id, new Candidate(peer));
            if (candidates.size() > maxCandidates) {
                Map.Entry<KadId, Candidate> farthest = candidates.lastEntry();
                if (farthest.getValue().state == State.NEW) {
                    candidates.remove(farthest.getKey());
                }
            }
        }
    }

    /** Ends the lookup now with what it has. */
    void finish() {
        List<PeerId> closest;
        synchronized (this) {
            if (finished) {
                return;
            }
            finished = true;
            closest = answered();
        }
        result.complete(closest);
    }

    synchronized boolean isFinished() {
        return finished;
    }

    private List<PeerId> answered() {
        List<PeerId> closest = new ArrayList<>();
        for (Candidate c : candidates.values()) {
            if (c.state == State.ANSWERED) {
                closest.add(c.peer);
                if (closest.size() >= k) {
                    break;
                }
            }
        }
        return closest;
    }

    private void advance() {
        List<Candidate> launch = new ArrayList<>();
        boolean done;
        synchronized (this) {
            if (finished) {
                return;
            }
            int considered = 0;
            boolean waiting = false;
            for (Candidate c : candidates.values()) {
                if (c.state == State.FAILED) {
                    continue;
                }
                if (considered++ >= k) {
                    break;
                }
                if (c.state == State.NEW) {
                    if (inFlight < alpha) {
                        c.state = State.QUERYING;
                        inFlight++;
                        launch.add(c);
                    } else {
                        waiting = true;
                    }
                }
            }
            done = inFlight == 0 && !waiting;
        }
        if (done) {
            finish();
            return;
        }
        for (Candidate c : launch) {
            CompletableFuture<KadProto.Message> response;
            try {
                response = query.apply(c.peer, this);
            } catch (RuntimeException e) {
                response = CompletableFuture.failedFuture(e);
            }
            response.whenComplete((message, error) -> answered(c, message, error));
        }
    }

    private void answered(Candidate c, KadProto.Message message, Throwable error) {
        boolean stop = false;
        synchronized (this) {
            inFlight--;
            c.state = error == null ? State.ANSWERED : State.FAILED;
        }
        if (error == null) {
            try {
                stop = onResponse.test(c.peer, message);
            } catch (RuntimeException e) {
                synchronized (this) {
                    c.state = State.FAILED;
                }
            }
        }
        if (stop) {
            finish();
        } else {
            advance();
        }
    }
}
