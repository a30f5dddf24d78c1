package org.lotusia.p2p.examples;

import com.fasterxml.jackson.databind.JsonNode;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.patterns.RequestResponse;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Guide "Pattern 1: Request-Response" with the built-in {@link RequestResponse}: a price oracle answers
 * quote requests; one request to a peer that never answers times out.
 */
public final class RequestResponseExample {
    /** What happened. */
    public record Outcome(int price, String answeredBy, boolean timedOut, String timeoutMessage) {
    }

    private RequestResponseExample() {
    }

    public static void main(String[] args) {
        run(System.out);
        System.exit(0);
    }

    public static Outcome run(PrintStream out) {
        try (ExampleNodes nodes = new ExampleNodes(out)) {
            P2PCoordinator client = nodes.start("client");
            P2PCoordinator oracle = nodes.start("oracle");
            P2PCoordinator silent = nodes.start("silent");
            ExampleNodes.connect(client, oracle);
            ExampleNodes.connect(client, silent);

            // the responder side
            RequestResponse.builder(oracle, "price-quote").responder(req -> {
                out.printf("oracle: request %s for %s from %s%n", req.requestId(), req.data().path("item").asText(),
                        req.from().peerId());
                return CompletableFuture.completedFuture(Map.of("item", req.data().path("item").asText(),
                        "price", 42, "by", oracle.peerId().toString()));
            }).build();

            // the requester side
            RequestResponse quotes = RequestResponse.builder(client, "price-quote").timeout(Duration.ofSeconds(5)).build();
            JsonNode quote = ExampleNodes.join(quotes.request(oracle.peerId(), Map.of("item", "XPI")));
            out.printf("client: quote %s%n", quote);

            // nobody on "silent" speaks price-quote: the request times out and its entry is removed
            String timeoutMessage = null;
            try {
                quotes.request(silent.peerId(), Map.of("item", "XPI"), Duration.ofMillis(300)).join();
            } catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof TimeoutException t) {
                    timeoutMessage = t.getMessage();
                }
            }
            out.printf("client: %s (pending now %d)%n", timeoutMessage, quotes.pendingCount());
            quotes.close();
            return new Outcome(quote.path("price").asInt(), quote.path("by").asText(), timeoutMessage != null,
                    timeoutMessage);
        }
    }
}
