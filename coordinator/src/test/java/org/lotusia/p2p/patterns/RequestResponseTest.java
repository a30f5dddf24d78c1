package org.lotusia.p2p.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.message.MessageOptions;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.lotusia.p2p.patterns.TestNodes.join;

class RequestResponseTest {
    private static final String PROTOCOL = "echo-rr";
    private final TestNodes nodes = new TestNodes();

    @AfterEach
    void tearDown() {
        nodes.close();
    }

    private static RequestResponse echo(P2PCoordinator node) {
        return RequestResponse.builder(node, PROTOCOL).timeout(TestNodes.WAIT).responder(req -> {
            if (req.data().path("fail").asBoolean()) {
                throw new IllegalStateException("asked to fail");
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.set("echo", req.data());
            out.put("asker", req.from().peerId().toString());
            out.put("requestId", req.requestId());
            return CompletableFuture.completedFuture(out);
        }).build();
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TestNodes.WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    public record Quote(String item, int price) {
    }

    @Test
    void roundTripTypedResultAndRemoteError() throws Exception {
        P2PCoordinator a = nodes.started();
        P2PCoordinator b = nodes.started();
        TestNodes.connect(a, b);
        RequestResponse ra = RequestResponse.create(a, PROTOCOL);
        echo(b);

        JsonNode answer = join(ra.request(b.peerId(), Map.of("text", "héllo ✓")));
        assertThat(answer.path("echo").path("text").asText()).isEqualTo("héllo ✓");
        assertThat(answer.path("asker").asText()).isEqualTo(a.peerId().toString());
        assertThat(answer.path("requestId").asText()).matches("[0-9a-f-]{36}");
        assertThat(ra.pendingCount()).isZero();

        // typed responses
        RequestResponse quotes = RequestResponse.builder(a, "quote").build();
        RequestResponse.builder(b, "quote").responder(req -> CompletableFuture.completedFuture(
                new Quote(req.data().asText(), 42))).build();
        Quote q = join(quotes.request(b.peerId(), "xpi", TestNodes.WAIT, Quote.class));
        assertThat(q).isEqualTo(new Quote("xpi", 42));

        // a responder that throws sends an error reply
        CompletableFuture<JsonNode> failing = ra.request(b.peerId(), Map.of("fail", true));
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(RequestResponse.RemoteRequestException.class)
                .hasMessageContaining("asked to fail");
        // a peer without a responder answers "no responder" (a asks b on "quote" the other way round)
        CompletableFuture<Quote> none = RequestResponse.builder(b, "other").build().request(a.peerId(), 1,
                TestNodes.WAIT, Quote.class);
        RequestResponse.create(a, "other");
        assertThatThrownBy(() -> none.get(10, TimeUnit.SECONDS)).cause()
                .isInstanceOf(RequestResponse.RemoteRequestException.class).hasMessageContaining("no responder");
        assertThat(ra.pendingCount()).isZero();
        assertThat(ra.ignoredResponses()).isZero();
        // duplicate protocol names are refused by the coordinator
        assertThatThrownBy(() -> RequestResponse.create(a, PROTOCOL)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timeoutFailsClearlyAndCleansUp() throws Exception {
        P2PCoordinator a = nodes.started();
        P2PCoordinator b = nodes.started(); // no handler for the protocol: never answers
        TestNodes.connect(a, b);
        RequestResponse ra = RequestResponse.builder(a, PROTOCOL).maxPending(3).build();

        long start = System.nanoTime();
        CompletableFuture<JsonNode> f = ra.request(b.peerId(), "ping", Duration.ofMillis(300));
        assertThat(ra.pendingCount()).isEqualTo(1);
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(TimeoutException.class)
                .hasMessageStartingWith("Request timeout: no response from " + b.peerId())
                .hasMessageContaining("on " + PROTOCOL + " within 300 ms");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(250L, 5_000L);
        assertThat(ra.pendingCount()).isZero();

        // bounded: beyond maxPending a request fails at once
        List<CompletableFuture<JsonNode>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(ra.request(b.peerId(), i, Duration.ofMinutes(5)));
        }
        CompletableFuture<JsonNode> over = ra.request(b.peerId(), 4, Duration.ofMinutes(5));
        assertThatThrownBy(() -> over.getNow(null)).cause().isInstanceOf(RejectedExecutionException.class)
                .hasMessageContaining("too many pending requests");
        assertThat(ra.pendingCount()).isEqualTo(3);
        // cancelling one forgets it
        waiting.get(0).cancel(false);
        assertThat(ra.pendingCount()).isEqualTo(2);

        // the coordinator stopping fails the rest ("coordinator stopped", or the send's error if the stop
        // cut a send that was still in flight)
        join(a.stop());
        await(() -> ra.pendingCount() == 0, "pending cleared on stop");
        for (int i = 1; i < 3; i++) {
            Throwable t = catchThrowable(waiting.get(i)::join);
            assertThat(t).satisfiesAnyOf(
                    // JDK 25's join() rethrows a cancellation as a new CancellationException("join") caused by ours
                    x -> assertThat(x).isInstanceOf(CancellationException.class).satisfiesAnyOf(
                            c -> assertThat(c).hasMessage("coordinator stopped"),
                            c -> assertThat(c.getCause()).hasMessage("coordinator stopped")),
                    x -> assertThat(x).isInstanceOf(CompletionException.class));
        }
        assertThatThrownBy(() -> ra.request(b.peerId(), 1)).isInstanceOf(IllegalStateException.class);

        // close fails what is pending and unregisters
        join(a.start());
        TestNodes.connect(a, b);
        CompletableFuture<JsonNode> last = ra.request(b.peerId(), "x", Duration.ofMinutes(5));
        ra.close();
        assertThat(last).isCompletedExceptionally();
        assertThat(ra.pendingCount()).isZero();
        assertThat(a.getProtocols()).isEmpty();
        assertThatThrownBy(() -> ra.request(b.peerId(), 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void unknownAndMismatchedResponsesAreIgnored() throws Exception {
        P2PCoordinator a = nodes.started();
        P2PCoordinator b = nodes.started();
        P2PCoordinator c = nodes.started();
        TestNodes.connect(a, b);
        TestNodes.connect(c, a);
        RequestResponse ra = RequestResponse.create(a, PROTOCOL);
        CompletableFuture<String> seenId = new CompletableFuture<>();
        CompletableFuture<Object> answer = new CompletableFuture<>();
        RequestResponse.builder(b, PROTOCOL).responder(req -> {
            seenId.complete(req.requestId());
            return answer;
        }).build();

        CompletableFuture<JsonNode> f = ra.request(b.peerId(), "who?");
        String requestId = join(seenId);
        P2PProtocol protocol = new P2PProtocol();
        // c (not asked) answers with the right id, and with an unknown id; plus a malformed response
        for (String id : List.of(requestId, "no-such-request")) {
            ObjectNode payload = JsonNodeFactory.instance.objectNode().put("requestId", id).put("data", "forged");
            join(c.sendTo(a.peerId(), protocol.createMessage(RequestResponse.TYPE_RESPONSE, payload,
                    c.peerId().toString(), MessageOptions.protocol(PROTOCOL))));
        }
        join(c.sendTo(a.peerId(), protocol.createMessage(RequestResponse.TYPE_RESPONSE, Map.of("data", "x"),
                c.peerId().toString(), MessageOptions.protocol(PROTOCOL))));
        // b itself answering an unknown id is ignored too
        join(b.sendTo(a.peerId(), protocol.createMessage(RequestResponse.TYPE_RESPONSE,
                Map.of("requestId", "other", "data", "x"), b.peerId().toString(), MessageOptions.protocol(PROTOCOL))));
        await(() -> ra.ignoredResponses() == 4, "4 ignored responses");
        assertThat(f).isNotDone();
        assertThat(ra.pendingCount()).isEqualTo(1);

        answer.complete("it is b");
        assertThat(join(f).asText()).isEqualTo("it is b");
        assertThat(ra.pendingCount()).isZero();
        // a late duplicate-looking answer for the finished request is ignored as well
        join(b.sendTo(a.peerId(), protocol.createMessage(RequestResponse.TYPE_RESPONSE,
                Map.of("requestId", requestId, "data", "late"), b.peerId().toString(), MessageOptions.protocol(PROTOCOL))));
        await(() -> ra.ignoredResponses() == 5, "late response ignored");
    }

    @Test
    void hundredConcurrentRequestsEachGetTheirOwnResponse() throws Exception {
        P2PCoordinator a = nodes.started();
        P2PCoordinator b = nodes.started();
        TestNodes.connect(a, b);
        RequestResponse ra = RequestResponse.create(a, PROTOCOL);
        echo(b);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                futures.add(CompletableFuture.supplyAsync(() -> ra.request(b.peerId(), Map.of("n", n)), pool)
                        .thenCompose(x -> x));
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            for (int i = 0; i < 100; i++) {
                assertThat(futures.get(i).join().path("echo").path("n").asInt()).isEqualTo(i);
            }
            assertThat(futures.stream().map(x -> x.join().path("requestId").asText()).distinct()).hasSize(100);
        } finally {
            pool.shutdownNow();
        }
        assertThat(ra.pendingCount()).isZero();
        assertThat(ra.ignoredResponses()).isZero();
    }

    @Test
    void requestMessageHasTheGuideShape() throws Exception {
        P2PCoordinator a = nodes.started();
        P2PCoordinator b = nodes.started();
        TestNodes.connect(a, b);
        CompletableFuture<P2PMessage> got = new CompletableFuture<>();
        RequestResponse.builder(b, PROTOCOL).responder(req -> {
            got.complete(req.message());
            return CompletableFuture.completedFuture(null);
        }).build();
        RequestResponse ra = RequestResponse.create(a, PROTOCOL);
        JsonNode none = join(ra.request(b.peerId(), List.of(1, 2)));
        assertThat(none.isNull()).isTrue();
        P2PMessage m = join(got);
        assertThat(m.type()).isEqualTo("request");
        assertThat(m.from()).isEqualTo(a.peerId().toString());
        assertThat(m.to()).isEqualTo(b.peerId().toString());
        assertThat(m.protocol()).isEqualTo(PROTOCOL);
        assertThat(m.payload().get("requestId").asText()).isEqualTo(m.messageId());
        assertThat(m.payload().get("data").toString()).isEqualTo("[1,2]");
        assertThat(m.timestamp()).isPresent();

        // too large to send: thrown at once, nothing left pending
        assertThatThrownBy(() -> ra.request(b.peerId(), "x".repeat(a.getSecurityManager().maxMessageSize())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
        assertThat(ra.pendingCount()).isZero();
    }
}
