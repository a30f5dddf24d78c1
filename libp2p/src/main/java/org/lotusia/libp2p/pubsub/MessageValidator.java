package org.lotusia.libp2p.pubsub;

import java.util.concurrent.CompletableFuture;

/**
 * Decides whether a received message (already signature-checked and not a duplicate) is delivered and
 * forwarded. Called on the router thread: return quickly; do slow work asynchronously and complete the
 * future later. A validator that throws or fails its future counts as {@link ValidationResult#IGNORE}.
 */
@FunctionalInterface
public interface MessageValidator {
    /** Validates {@code message}, received from {@link PubsubMessage#receivedFrom()}. */
    CompletableFuture<ValidationResult> validate(PubsubMessage message);

    /** Wraps a synchronous check. */
    static MessageValidator of(java.util.function.Function<PubsubMessage, ValidationResult> check) {
        return message -> CompletableFuture.completedFuture(check.apply(message));
    }
}
