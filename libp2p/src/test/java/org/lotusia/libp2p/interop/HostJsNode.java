package org.lotusia.libp2p.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

/**
 * A js-libp2p 3.x node ({@code interop/js/host/node.mjs}: tcp, noise, yamux, identify, ping, the connection monitor,
 * {@code /test/echo/1.0.0} and {@code /test/reset/1.0.0}) driven over JSON lines.
 *
 * <p>Commands are answered with {@code {"event":"result","id":N,"ok":true,"result":...}} or
 * {@code {"event":"error","id":N,"ok":false,"error":"..."}}; {@link #request} returns either reply, {@link #call}
 * insists on success. {@code -Dlotus.interop.jsDebug=libp2p:*} turns on the js logs (stderr, shown in failure
 * diagnostics); by default only js error logs are on.
 */
final class HostJsNode implements AutoCloseable {
    /** System property: @libp2p/logger namespaces for the js node (default {@code libp2p:*:error}). */
    static final String DEBUG_PROPERTY = "lotus.interop.jsDebug";

    private final JsonLinesProcess js;
    private final JsonNode started;
    private final PeerId peerId;
    private final List<Multiaddr> addresses;
    // Separate from JsonLinesProcess.call's counter, so both can be used on one process.
    private final AtomicLong ids = new AtomicLong(1_000_000);

    private HostJsNode(JsonLinesProcess js, Duration timeout) {
        this.js = js;
        try {
            this.started = js.awaitEvent("started", timeout);
            this.peerId = PeerId.parse(started.path("peerId").asText());
            List<Multiaddr> addrs = new ArrayList<>();
            started.path("addrs").forEach(a -> addrs.add(Multiaddr.parse(a.asText())));
            this.addresses = List.copyOf(addrs);
        } catch (RuntimeException | AssertionError e) {
            js.close();
            throw e;
        }
    }

    /** Starts {@code host/node.mjs} and waits for its {@code started} event. */
    static HostJsNode start(Duration timeout) {
        String debug = System.getProperty(DEBUG_PROPERTY, "libp2p:*:error");
        return new HostJsNode(JsInterop.startJsonLines("host/node.mjs", "--debug=" + debug), timeout);
    }

    /** The js node's peer id. */
    PeerId peerId() {
        return peerId;
    }

    /** Its listen addresses, with {@code /p2p/<id>}. */
    List<Multiaddr> addresses() {
        return addresses;
    }

    /** The {@code started} event (versions, protocols, whether perf is served). */
    JsonNode started() {
        return started;
    }

    /** The underlying JSON-lines process (events, diagnostics). */
    JsonLinesProcess process() {
        return js;
    }

    /** Sends a command and returns its reply, successful or not. */
    JsonNode request(String cmd, Map<String, ?> args, Duration timeout) {
        long id = ids.incrementAndGet();
        ObjectNode c = JsResult.JSON.createObjectNode();
        c.put("id", id);
        c.put("cmd", cmd);
        if (args != null) {
            args.forEach((k, v) -> c.set(k, JsResult.JSON.valueToTree(v)));
        }
        js.send(c);
        return js.await(e -> e.path("id").asLong(-1) == id
                        && ("result".equals(e.path("event").asText()) || "error".equals(e.path("event").asText())),
                timeout, "reply to js " + cmd + " #" + id);
    }

    /** Sends a command and returns its {@code result}; fails (with js diagnostics) when js answers with an error. */
    JsonNode call(String cmd, Map<String, ?> args, Duration timeout) {
        JsonNode reply = request(cmd, args, timeout);
        if (!reply.path("ok").asBoolean(false)) {
            throw new AssertionError("js " + cmd + " " + args + " failed: " + reply.path("errorName").asText("")
                    + ": " + reply.path("error").asText() + "\n" + js.diagnostics());
        }
        return reply.path("result");
    }

    /** Takes the oldest queued event named {@code event} that matches {@code filter}. */
    JsonNode awaitEvent(String event, Predicate<JsonNode> filter, Duration timeout) {
        return js.await(e -> event.equals(e.path("event").asText()) && filter.test(e), timeout,
                "js event '" + event + "'");
    }

    /** Every event so far (consumed or not) named {@code event} that matches {@code filter}. */
    List<JsonNode> events(String event, Predicate<JsonNode> filter) {
        return js.events().stream().filter(e -> event.equals(e.path("event").asText()) && filter.test(e)).toList();
    }

    /** State of the script for assertion messages. */
    String diagnostics() {
        return js.diagnostics();
    }

    /** Closes stdin (the node stops and exits), then destroys the process if it lingers. */
    @Override
    public void close() {
        js.close();
    }
}
