package org.lotusia.p2p.patterns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.p2p.ConnectionState;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.ProtocolHandler;
import org.lotusia.p2p.events.EventType;
import org.lotusia.p2p.events.Subscription;
import org.lotusia.p2p.message.MessageOptions;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request-response over the coordinator's direct messages: the developer guide's "Pattern 1:
 * Request-Response" ({@code RequestResponseProtocol}), built in, with bounded state.
 *
 * <p><b>Wire shape</b> (the guide's, plus an error reply), all on {@code /lotus/message/1.0.0} with
 * {@code protocol} = the protocol name given here, so a TypeScript peer using the guide's class with a
 * handler registered under the same name interoperates:
 * <pre>
 * request : {"type":"request", "from":&lt;asker&gt;,  "to":&lt;responder&gt;, "payload":{"requestId":id,"data":…},
 *            "messageId":id, "protocol":name, …}
 * response: {"type":"response","from":&lt;responder&gt;,"to":&lt;asker&gt;, "payload":{"requestId":id,"data":…},
 *            "protocol":name, …}
 * error   : {"type":"response", …, "payload":{"requestId":id,"error":"why"}}
 * </pre>
 * The request id is a random UUID and is also the request's {@code messageId}, as in the guide.
 *
 * <pre>{@code
 * RequestResponse rr = RequestResponse.builder(coordinator, "price-quote")
 *         .responder(req -> CompletableFuture.completedFuture(Map.of("price", 42)))
 *         .build();                                  // registers the protocol handler
 * JsonNode answer = rr.request(otherPeer, Map.of("item", "xpi")).get();
 * rr.close();                                        // unregisters, fails what is still pending
 * }</pre>
 *
 * <p><b>Guarantees.</b> A request completes with the {@code data} of the first response that carries
 * its request id <em>and</em> comes from the peer it was sent to (the coordinator has already checked
 * that {@code from} is the authenticated sender); responses with unknown ids, from other peers, or
 * malformed, are ignored and counted ({@link #ignoredResponses()}). Every request fails at the latest
 * after its timeout with a {@link TimeoutException}; a remote error reply fails it with a
 * {@link RemoteRequestException}; a failed send fails it with the send's error. Pending entries are
 * removed on response, timeout, send failure, cancellation of the returned future, {@link #close()}
 * and when the coordinator stops (then the request fails with a {@link CancellationException}). At most
 * {@link Builder#maxPending(int)} requests (default {@value #DEFAULT_MAX_PENDING}) may be pending;
 * beyond that {@link #request} fails at once with a {@link RejectedExecutionException}.
 *
 * <p><b>Threads.</b> Responses and requests are handled on the coordinator's event thread, so the
 * returned futures usually complete there (a timeout completes them on a timer thread): do not block
 * in their continuations, and never wait for a request from inside a responder or another coordinator
 * callback. Thread-safe.
 */
public final class RequestResponse implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RequestResponse.class);

    /** {@code type} of a request message. */
    public static final String TYPE_REQUEST = "request";
    /** {@code type} of a response (or error) message. */
    public static final String TYPE_RESPONSE = "response";
    /** Default most pending requests. */
    public static final int DEFAULT_MAX_PENDING = 10_000;
    /** Default per-request timeout (the guide's 30000 ms). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();
    /** One daemon timer for every instance: nothing to leak if an instance is never closed. */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final P2PCoordinator coordinator;
    private final String protocolName;
    private final Duration defaultTimeout;
    private final int maxPending;
    private final Responder responder;
    private final P2PProtocol protocol = new P2PProtocol();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ignored = new AtomicLong();
    private final Subscription stateSubscription;
    private final Handler handler = new Handler();
    private volatile boolean closed;

    /** A request waiting for its response. */
    private record Pending(PeerId peer, CompletableFuture<JsonNode> future, ScheduledFuture<?> timeout) {
    }

    /**
     * Answers incoming requests. Return a stage with the response {@code data} (any value Jackson can
     * convert to JSON; {@code null} sends JSON null); a stage that fails, or a responder that throws,
     * sends an error reply with the exception's message.
     */
    @FunctionalInterface
    public interface Responder {
        /** Answers {@code request}. Runs on the coordinator's event thread: do not block. */
        CompletionStage<?> respond(Request request);
    }

    /**
     * An incoming request.
     *
     * @param requestId the correlation id
     * @param data      the request's {@code payload.data} (JSON null when absent)
     * @param from      the authenticated sender
     * @param message   the whole message
     */
    public record Request(String requestId, JsonNode data, PeerInfo from, P2PMessage message) {
    }

    /** The responder answered with an error reply ({@code payload.error}). */
    public static final class RemoteRequestException extends RuntimeException {
        private final transient PeerId peer;
        private final String requestId;
        private final String remoteError;

        RemoteRequestException(PeerId peer, String requestId, String remoteError) {
            super("request " + requestId + " failed at " + peer + ": " + remoteError);
            this.peer = peer;
            this.requestId = requestId;
            this.remoteError = remoteError;
        }

        /** The peer that answered. */
        public PeerId peer() {
            return peer;
        }

        /** The request id. */
        public String requestId() {
            return requestId;
        }

        /** The error text the peer sent. */
        public String remoteError() {
            return remoteError;
        }
    }

    private RequestResponse(Builder b) {
        this.coordinator = b.coordinator;
        this.protocolName = b.protocolName;
        this.defaultTimeout = b.timeout;
        this.maxPending = b.maxPending;
        this.responder = b.responder;
        coordinator.registerProtocol(handler);
        this.stateSubscription = coordinator.on(EventType.STATE_CHANGED, e -> {
            if (e.currentState() == ConnectionState.DISCONNECTED || e.currentState() == ConnectionState.ERROR) {
                failAll(new CancellationException("coordinator stopped"));
            }
        });
    }

    /** Starts configuring a request-response protocol on {@code coordinator} named {@code protocolName}. */
    public static Builder builder(P2PCoordinator coordinator, String protocolName) {
        return new Builder(coordinator, protocolName);
    }

    /**
     * A requester-only instance (incoming requests get an error reply "no responder") with the defaults.
     * Registers the protocol handler.
     *
     * @throws IllegalArgumentException if a handler with that name is already registered
     */
    public static RequestResponse create(P2PCoordinator coordinator, String protocolName) {
        return builder(coordinator, protocolName).build();
    }

    /** The protocol name (the messages' {@code protocol} field and the registered handler's name). */
    public String protocolName() {
        return protocolName;
    }

    /** How many requests are waiting for a response. */
    public int pendingCount() {
        return pending.size();
    }

    /** How many responses were ignored: unknown id, wrong peer, or malformed. */
    public long ignoredResponses() {
        return ignored.get();
    }

    /** {@link #request(PeerId, Object, Duration)} with the default timeout. */
    public CompletableFuture<JsonNode> request(PeerId peer, Object data) {
        return request(peer, data, defaultTimeout);
    }

    /**
     * Sends a request to {@code peer} and returns its response {@code data}.
     *
     * @param data    any value Jackson can convert to JSON (null: JSON null)
     * @param timeout how long to wait for the response
     * @return completes with the response data, or fails with a {@link TimeoutException}
     *         ("Request timeout: …"), a {@link RemoteRequestException}, a {@link RejectedExecutionException}
     *         (too many pending), a {@link CancellationException} (closed or coordinator stopped), or the
     *         send error; cancelling it forgets the request
     * @throws IllegalStateException    if closed or the coordinator is not started
     * @throws IllegalArgumentException if the message is too large to send
     */
    public CompletableFuture<JsonNode> request(PeerId peer, Object data, Duration timeout) {
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        if (closed) {
            throw new IllegalStateException("RequestResponse " + protocolName + " is closed");
        }
        String self = coordinator.peerId().toString();
        String requestId = UUID.randomUUID().toString();
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("requestId", requestId);
        payload.set("data", toJson(data));
        P2PMessage message = protocol.createMessage(TYPE_REQUEST, payload, self,
                        MessageOptions.to(peer.toString()).withProtocol(protocolName))
                .toBuilder().messageId(requestId).build();

        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        synchronized (pending) {
            if (pending.size() >= maxPending) {
                return CompletableFuture.failedFuture(new RejectedExecutionException("too many pending requests on "
                        + protocolName + " (" + maxPending + ")"));
            }
            long millis = timeout.toMillis();
            ScheduledFuture<?> timer = TIMER.schedule(() -> future.completeExceptionally(new TimeoutException(
                    "Request timeout: no response from " + peer + " to request " + requestId + " on "
                            + protocolName + " within " + millis + " ms")), timeout.toNanos(), TimeUnit.NANOSECONDS);
            pending.put(requestId, new Pending(peer, future, timer));
        }
        // Whatever completes the future (response, timeout, error, cancel, close) removes the entry.
        future.whenComplete((v, e) -> forget(requestId));
        try {
            send(peer, message).whenComplete((v, e) -> {
                if (e != null) {
                    future.completeExceptionally(unwrap(e));
                }
            });
        } catch (RuntimeException e) {
            forget(requestId);
            throw e;
        }
        if (closed) {
            future.completeExceptionally(new CancellationException("RequestResponse " + protocolName + " closed"));
        }
        return future;
    }

    /**
     * {@link #request(PeerId, Object, Duration)} converting the response data to {@code type} with Jackson.
     */
    public <T> CompletableFuture<T> request(PeerId peer, Object data, Duration timeout, Class<T> type) {
        return request(peer, data, timeout).thenApply(json -> {
            try {
                return JSON.treeToValue(json, type);
            } catch (Exception e) {
                throw new CompletionException(new IllegalArgumentException("response is not a "
                        + type.getSimpleName() + ": " + e.getMessage(), e));
            }
        });
    }

    /**
     * Unregisters the protocol handler and fails every pending request with a
     * {@link CancellationException}. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stateSubscription.close();
        coordinator.unregisterProtocol(protocolName);
        failAll(new CancellationException("RequestResponse " + protocolName + " closed"));
    }

    private void failAll(Throwable why) {
        for (Pending p : List.copyOf(pending.values())) {
            p.future().completeExceptionally(why);
        }
    }

    private void forget(String requestId) {
        Pending p;
        synchronized (pending) {
            p = pending.remove(requestId);
        }
        if (p != null) {
            p.timeout().cancel(false);
        }
    }

    // ------------------------------------------------------------------ receiving

    private final class Handler implements ProtocolHandler {
        @Override
        public String protocolName() {
            return protocolName;
        }

        @Override
        public String protocolId() {
            return "/lotus/" + protocolName + "/1.0.0";
        }

        @Override
        public void handleMessage(P2PMessage message, PeerInfo from) {
            if (TYPE_RESPONSE.equals(message.type())) {
                onResponse(message, from);
            } else if (TYPE_REQUEST.equals(message.type())) {
                onRequest(message, from);
            } else {
                LOG.debug("{}: ignoring message of type {} from {}", protocolName, message.type(), from.peerId());
            }
        }
    }

    private void onResponse(P2PMessage message, PeerInfo from) {
        JsonNode payload = message.payload();
        JsonNode id = payload == null ? null : payload.get("requestId");
        if (id == null || !id.isTextual()) {
            ignore("malformed response (no requestId)", from);
            return;
        }
        Pending p = pending.get(id.asText());
        if (p == null) {
            ignore("response to unknown request " + id.asText(), from);
            return;
        }
        if (!p.peer().equals(from.peerId())) {
            ignore("response to " + id.asText() + " from a peer that was not asked", from);
            return;
        }
        JsonNode error = payload.get("error");
        if (error != null && !error.isNull()) {
            p.future().completeExceptionally(new RemoteRequestException(from.peerId(), id.asText(),
                    error.isTextual() ? error.asText() : error.toString()));
        } else {
            JsonNode data = payload.get("data");
            p.future().complete(data == null ? NullNode.getInstance() : data);
        }
    }

    private void ignore(String why, PeerInfo from) {
        ignored.incrementAndGet();
        LOG.debug("{}: ignoring {} from {}", protocolName, why, from.peerId());
    }

    private void onRequest(P2PMessage message, PeerInfo from) {
        JsonNode payload = message.payload();
        JsonNode id = payload == null ? null : payload.get("requestId");
        if (id == null || !id.isTextual() || from.peerId().equals(safePeerId())) {
            LOG.debug("{}: ignoring malformed or self-delivered request from {}", protocolName, from.peerId());
            return;
        }
        String requestId = id.asText();
        JsonNode data = payload.get("data");
        Request request = new Request(requestId, data == null ? NullNode.getInstance() : data, from, message);
        CompletionStage<?> answer;
        if (responder == null) {
            answer = CompletableFuture.failedFuture(new UnsupportedOperationException("no responder for " + protocolName));
        } else {
            try {
                answer = Objects.requireNonNull(responder.respond(request), "responder returned null");
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
        }
        answer.whenComplete((value, e) -> reply(from.peerId(), requestId, value, e));
    }

    private void reply(PeerId peer, String requestId, Object value, Throwable failure) {
        if (closed || !coordinator.isStarted()) {
            return;
        }
        ObjectNode payload = JsonNodeFactory.instance.objectNode();
        payload.put("requestId", requestId);
        if (failure != null) {
            Throwable cause = unwrap(failure);
            payload.put("error", cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
        } else {
            try {
                payload.set("data", toJson(value));
            } catch (IllegalArgumentException e) {
                payload.put("error", "cannot encode response: " + e.getMessage());
            }
        }
        try {
            P2PMessage response = protocol.createMessage(TYPE_RESPONSE, payload, coordinator.peerId().toString(),
                    MessageOptions.to(peer.toString()).withProtocol(protocolName));
            send(peer, response).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.debug("{}: response {} to {} not sent: {}", protocolName, requestId, peer, e.toString());
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("{}: response {} to {} not sent: {}", protocolName, requestId, peer, e.toString());
        }
    }

    /** Sends one message; the coordinator queues bursts per peer, so nothing here is throttled. */
    private CompletableFuture<Void> send(PeerId peer, P2PMessage message) {
        return coordinator.sendTo(peer, message);
    }

    private PeerId safePeerId() {
        try {
            return coordinator.peerId();
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static JsonNode toJson(Object value) {
        if (value == null) {
            return NullNode.getInstance();
        }
        if (value instanceof JsonNode node) {
            return node;
        }
        return JSON.valueToTree(value);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "lotus-p2p-request-timeouts");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        // The thread ends when no request is pending, so an idle JVM keeps no lotus thread.
        t.setKeepAliveTime(1, java.util.concurrent.TimeUnit.SECONDS);
        t.allowCoreThreadTimeOut(true);
        return t;
    }

    /** Configures a {@link RequestResponse}. */
    public static final class Builder {
        private final P2PCoordinator coordinator;
        private final String protocolName;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxPending = DEFAULT_MAX_PENDING;
        private Responder responder;

        private Builder(P2PCoordinator coordinator, String protocolName) {
            this.coordinator = Objects.requireNonNull(coordinator, "coordinator");
            this.protocolName = Objects.requireNonNull(protocolName, "protocolName");
            if (protocolName.isEmpty()) {
                throw new IllegalArgumentException("protocolName must not be empty");
            }
        }

        /** Default per-request timeout (default 30 s). */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Most requests pending at once (default {@value RequestResponse#DEFAULT_MAX_PENDING}). */
        public Builder maxPending(int maxPending) {
            if (maxPending < 1) {
                throw new IllegalArgumentException("maxPending must be ≥ 1: " + maxPending);
            }
            this.maxPending = maxPending;
            return this;
        }

        /** Answers incoming requests (default: none, requests get an error reply). */
        public Builder responder(Responder responder) {
            this.responder = responder;
            return this;
        }

        /**
         * Creates the instance and registers its protocol handler on the coordinator.
         *
         * @throws IllegalArgumentException if a handler with that name is already registered
         */
        public RequestResponse build() {
            return new RequestResponse(this);
        }
    }
}
