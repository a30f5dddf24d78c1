package org.lotusia.p2p.coordinator;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PerPeerSendLimiterTest {
    private final PeerId peer = Keys.generateEd25519().publicKey().peerId();

    @Test
    void keepsAtMostTheLimitInFlightAndRunsTheRestInOrder() {
        PerPeerSendLimiter limiter = new PerPeerSendLimiter(2, 10);
        List<CompletableFuture<Void>> wire = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        List<CompletableFuture<Void>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            results.add(limiter.submit(peer, () -> {
                started.add(n);
                CompletableFuture<Void> f = new CompletableFuture<>();
                wire.add(f);
                return f;
            }));
        }
        assertThat(started).containsExactly(0, 1);
        assertThat(limiter.pending(peer)).isEqualTo(5);

        wire.get(0).complete(null);
        assertThat(started).containsExactly(0, 1, 2);
        assertThat(results.get(0)).isCompleted();

        wire.get(1).completeExceptionally(new IllegalStateException("boom"));
        assertThat(results.get(1)).isCompletedExceptionally();
        assertThat(started).containsExactly(0, 1, 2, 3);

        wire.get(2).complete(null);
        wire.get(3).complete(null);
        wire.get(4).complete(null);
        assertThat(results).allSatisfy(f -> assertThat(f).isDone());
        assertThat(limiter.pending(peer)).isZero();
    }

    @Test
    void sendsThatFinishAtOnceDoNotRecurse() {
        PerPeerSendLimiter limiter = new PerPeerSendLimiter(1, 100_000);
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        limiter.submit(peer, () -> gate);
        List<CompletableFuture<Void>> queued = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            queued.add(limiter.submit(peer, () -> {
                runs.incrementAndGet();
                return CompletableFuture.completedFuture(null);
            }));
        }
        gate.complete(null);
        assertThat(runs).hasValue(50_000);
        assertThat(queued).allSatisfy(f -> assertThat(f).isCompleted());
    }

    @Test
    void aFullQueueRefusesWithAClearMessageAndAThrowingSendFailsOnlyItself() {
        PerPeerSendLimiter limiter = new PerPeerSendLimiter(1, 1);
        CompletableFuture<Void> gate = new CompletableFuture<>();
        limiter.submit(peer, () -> gate);
        CompletableFuture<Void> queued = limiter.submit(peer, () -> {
            throw new IllegalArgumentException("too big");
        });
        assertThatThrownBy(() -> limiter.submit(peer, () -> CompletableFuture.completedFuture(null)))
                .isInstanceOf(RejectedExecutionException.class).hasMessageContaining("is full");
        gate.complete(null);
        assertThat(queued).isCompletedExceptionally();
        assertThat(limiter.submit(peer, () -> CompletableFuture.completedFuture(null))).isCompleted();
    }
}
