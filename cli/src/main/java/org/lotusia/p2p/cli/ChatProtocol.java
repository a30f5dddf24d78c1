package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.ProtocolHandler;
import org.lotusia.p2p.message.MessageOptions;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's custom protocol {@value #NAME}: request-response over direct messages (the guide's
 * "Request-Response" pattern). A {@code chat:request} {@code {requestId, text}} is answered with a
 * {@code chat:response} {@code {requestId, text: TEXT IN CAPITALS}}; {@link #request} completes
 * when the matching response arrives.
 */
final class ChatProtocol implements ProtocolHandler {
    static final String NAME = "chat";
    static final String REQUEST = "chat:request";
    static final String RESPONSE = "chat:response";

    private final P2PCoordinator node;
    private final P2PProtocol protocol = new P2PProtocol();
    private final Map<String, CompletableFuture<String>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger answered = new AtomicInteger();

    ChatProtocol(P2PCoordinator node) {
        this.node = node;
    }

    @Override
    public String protocolName() {
        return NAME;
    }

    @Override
    public String protocolId() {
        return "/lotus/chat/1.0.0";
    }

    /** Sends {@code text} to {@code peer}; completes with the answer. */
    CompletableFuture<String> request(PeerId peer, String text, Duration timeout) {
        String requestId = UUID.randomUUID().toString();
        CompletableFuture<String> answer = new CompletableFuture<>();
        pending.put(requestId, answer);
        ObjectNode payload = JsonLines.MAPPER.createObjectNode().put("requestId", requestId).put("text", text);
        node.sendTo(peer, message(REQUEST, payload, peer)).whenComplete((v, e) -> {
            if (e != null) {
                answer.completeExceptionally(e);
            }
        });
        return answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((v, e) -> pending.remove(requestId));
    }

    /** Requests this node has answered. */
    int answered() {
        return answered.get();
    }

    @Override
    public void handleMessage(P2PMessage message, PeerInfo from) {
        JsonNode payload = message.payload();
        if (payload == null || !payload.path("requestId").isTextual()) {
            return;
        }
        String requestId = payload.path("requestId").asText();
        if (REQUEST.equals(message.type())) {
            ObjectNode reply = JsonLines.MAPPER.createObjectNode().put("requestId", requestId)
                    .put("text", payload.path("text").asText().toUpperCase(Locale.ROOT));
            answered.incrementAndGet();
            node.sendTo(from.peerId(), message(RESPONSE, reply, from.peerId()));
        } else if (RESPONSE.equals(message.type())) {
            CompletableFuture<String> answer = pending.get(requestId);
            if (answer != null) {
                answer.complete(payload.path("text").asText());
            }
        }
    }

    private P2PMessage message(String type, JsonNode payload, PeerId to) {
        return protocol.createMessage(type, payload, node.peerId().toString(),
                MessageOptions.to(to.toString()).withProtocol(NAME));
    }
}
