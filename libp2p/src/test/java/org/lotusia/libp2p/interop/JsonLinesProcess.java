package org.lotusia.libp2p.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A long-running js script speaking JSON lines (see {@code interop/js/README.md}): it prints one JSON object per
 * line on stdout, each with an {@code "event"} field, and reads commands, one JSON object per line, on stdin.
 * By convention a command {@code {"id": 7, "cmd": "dial", ...}} is answered by {@code {"event": "result", "id": 7,
 * ...}} or {@code {"event": "error", "id": 7, "error": "..."}} ({@link #call}).
 *
 * <p>Events are queued in arrival order; {@link #next} takes the oldest, {@link #await} takes the oldest that
 * matches and leaves the others queued. Lines that are not JSON objects are kept as diagnostics only. Every wait
 * is bounded; on timeout or when the script exits first, an {@link AssertionError} reports the queued events,
 * the script's stderr and its exit status. {@link #close()} closes stdin, gives the script a moment to exit,
 * then destroys it.
 */
public final class JsonLinesProcess implements AutoCloseable {
    private final JsProcess process;
    private final OutputStream stdin;
    private final LinkedList<JsonNode> pending = new LinkedList<>();
    private final List<JsonNode> history = new ArrayList<>();
    private final List<String> otherLines = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private boolean eof;

    JsonLinesProcess(JsProcess process) {
        this.process = process;
        this.stdin = process.stdin();
        Thread reader = new Thread(this::readLoop, "js-interop-jsonl-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.stdout(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode node = parse(line);
                synchronized (this) {
                    if (node != null) {
                        pending.add(node);
                        history.add(node);
                    } else if (!line.isBlank() && otherLines.size() < 1000) {
                        otherLines.add(line);
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                otherLines.add("[stdout read failed: " + e + "]");
            }
        } finally {
            synchronized (this) {
                eof = true;
                notifyAll();
            }
        }
    }

    private static JsonNode parse(String line) {
        String t = line.strip();
        if (!t.startsWith("{")) {
            return null;
        }
        try {
            JsonNode n = JsResult.JSON.readTree(t);
            return n.isObject() ? n : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    public JsProcess process() {
        return process;
    }

    /** Writes one command line (any Jackson-serialisable object, usually a Map or ObjectNode). */
    public void send(Object command) {
        try {
            byte[] line = (JsResult.JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (stdin) {
                stdin.write(line);
                stdin.flush();
            }
        } catch (IOException e) {
            throw new AssertionError("cannot send command to " + process + ": " + e + "\n" + diagnostics(), e);
        }
    }

    /**
     * Sends {@code {"id": n, "cmd": cmd, ...args}} and waits for the matching {@code result} (returned) or
     * {@code error} event (thrown as AssertionError).
     */
    public JsonNode call(String cmd, Map<String, ?> args, Duration timeout) {
        long id = ids.incrementAndGet();
        ObjectNode c = JsResult.JSON.createObjectNode();
        c.put("id", id);
        c.put("cmd", cmd);
        if (args != null) {
            args.forEach((k, v) -> c.set(k, JsResult.JSON.valueToTree(v)));
        }
        send(c);
        JsonNode reply = await(e -> e.path("id").asLong(-1) == id
                && ("result".equals(e.path("event").asText()) || "error".equals(e.path("event").asText())),
                timeout, "reply to " + cmd + " #" + id);
        if ("error".equals(reply.path("event").asText())) {
            throw new AssertionError("js " + cmd + " failed: " + reply.path("error").asText() + "\n" + diagnostics());
        }
        return reply;
    }

    /** Takes the oldest queued event, waiting up to {@code timeout} for one. */
    public JsonNode next(Duration timeout) {
        return await(e -> true, timeout, "any event");
    }

    /** Takes the oldest queued event whose {@code "event"} field equals {@code event}. */
    public JsonNode awaitEvent(String event, Duration timeout) {
        return await(e -> event.equals(e.path("event").asText()), timeout, "event '" + event + "'");
    }

    /** Takes the oldest queued event matching {@code filter}, waiting up to {@code timeout}. */
    public synchronized JsonNode await(Predicate<JsonNode> filter, Duration timeout, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            for (Iterator<JsonNode> it = pending.iterator(); it.hasNext(); ) {
                JsonNode e = it.next();
                if (filter.test(e)) {
                    it.remove();
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (eof) {
                process.waitFor(Duration.ofSeconds(2)); // let the exit status show in the message
                throw new AssertionError("js script ended while waiting for " + description + "\n" + diagnostics());
            }
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + description
                        + "\n" + diagnostics());
            }
            try {
                wait(Math.max(1, left / 1_000_000), 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + description, e);
            }
        }
    }

    /** Every event received so far, in order (consumed or not). */
    public synchronized List<JsonNode> events() {
        return List.copyOf(history);
    }

    /** Events received but not yet taken by {@link #next}/{@link #await}. */
    public synchronized List<JsonNode> pending() {
        return List.copyOf(pending);
    }

    /** State of the script for assertion messages: status, queued events, stray stdout lines, stderr. */
    public String diagnostics() {
        StringBuilder sb = new StringBuilder();
        sb.append("process: ").append(process);
        if (!process.isAlive()) {
            sb.append(", exit code ").append(process.process().exitValue());
        }
        synchronized (this) {
            sb.append("\nqueued events (").append(pending.size()).append("):");
            pending.stream().limit(50).forEach(e -> sb.append("\n  ").append(e));
            if (!otherLines.isEmpty()) {
                sb.append("\nother stdout lines:");
                otherLines.stream().skip(Math.max(0, otherLines.size() - 50)).forEach(l -> sb.append("\n  ").append(l));
            }
        }
        sb.append("\n--- stderr ---\n").append(JsResult.abbreviate(process.stderr()));
        return sb.toString();
    }

    /** Closes stdin (scripts are expected to exit on EOF), waits up to 3 s, then destroys the process. */
    @Override
    public void close() {
        try {
            synchronized (stdin) {
                stdin.close();
            }
        } catch (IOException ignored) {
            // already gone
        }
        process.waitFor(Duration.ofSeconds(3));
        process.close();
    }
}
