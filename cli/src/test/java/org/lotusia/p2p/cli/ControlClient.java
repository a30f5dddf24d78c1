package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Drives a {@code lotus-p2p node --json} child process over the control interface: writes commands
 * on its stdin and sorts its stdout lines into replies (by id) and events, keeping what a wait
 * skipped for later waits.
 */
final class ControlClient implements AutoCloseable {
    static final int WAIT_SECONDS = 20;

    final CliProcess process;
    final JsonNode started;
    private final List<JsonNode> unread = new ArrayList<>();
    private int nextId = 1;

    private ControlClient(CliProcess process) throws Exception {
        this.process = process;
        this.started = process.nextJson(30);
        if (!"started".equals(started.path("event").asText())) {
            throw new AssertionError("first line is not the started event: " + started);
        }
    }

    /** Starts a node on 127.0.0.1 with {@code --json} and waits for its started event. */
    static ControlClient start(String... extraArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("node", "--listen", "/ip4/127.0.0.1/tcp/0", "--json"));
        args.addAll(List.of(extraArgs));
        return new ControlClient(CliProcess.start(args.toArray(String[]::new)));
    }

    String peerId() {
        return started.path("peerId").asText();
    }

    String address() {
        return started.path("addrs").get(0).asText();
    }

    /** A command object with a fresh numeric id. */
    ObjectNode command(String cmd) {
        return JsonLines.MAPPER.createObjectNode().put("id", nextId++).put("cmd", cmd);
    }

    /** Sends {@code command} and waits for the reply with its id. */
    JsonNode call(ObjectNode command) throws Exception {
        writeLine(JsonLines.MAPPER.writeValueAsString(command));
        JsonNode id = command.get("id");
        return await(line -> line.has("ok") && line.get("id").equals(id), "reply to " + command);
    }

    /** Sends a command that must succeed and returns its result. */
    JsonNode ok(ObjectNode command) throws Exception {
        JsonNode reply = call(command);
        if (!reply.path("ok").asBoolean()) {
            throw new AssertionError(command + " failed: " + reply);
        }
        return reply.get("result");
    }

    /** Writes a raw line to the node's stdin. */
    void writeLine(String line) throws IOException {
        process.stdin().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.stdin().flush();
    }

    /** The next event named {@code name} that matches {@code filter}. */
    JsonNode awaitEvent(String name, Predicate<JsonNode> filter) throws Exception {
        return await(line -> name.equals(line.path("event").asText()) && filter.test(line), name + " event");
    }

    /** The next reply with this id (for commands written with {@link #writeLine}). */
    JsonNode awaitReply(JsonNode id) throws Exception {
        return await(line -> line.has("ok") && line.get("id").equals(id), "reply with id " + id);
    }

    /** The next line (reply or event) matching {@code filter}, removed from the unread lines. */
    JsonNode await(Predicate<JsonNode> filter, String what) throws Exception {
        for (Iterator<JsonNode> it = unread.iterator(); it.hasNext(); ) {
            JsonNode line = it.next();
            if (filter.test(line)) {
                it.remove();
                return line;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (System.nanoTime() < deadline) {
            JsonNode line = process.nextJson(WAIT_SECONDS);
            if (filter.test(line)) {
                return line;
            }
            unread.add(line);
        }
        throw new AssertionError("no " + what + " within " + WAIT_SECONDS + " s; unread: " + unread);
    }

    /** Lines read but not yet matched by a wait. */
    List<JsonNode> unread() {
        return unread;
    }

    @Override
    public void close() {
        process.close();
    }
}
