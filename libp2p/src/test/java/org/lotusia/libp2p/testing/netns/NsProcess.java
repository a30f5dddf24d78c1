package org.lotusia.libp2p.testing.netns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A process started inside a {@link NetNs} that speaks JSON lines: one JSON object per stdout line
 * with an {@code "event"} field; commands {@code {"id":n,"cmd":...}} on stdin answered by
 * {@code {"event":"result","id":n,...}} or {@code {"event":"error","id":n,"error":...}} (the same
 * convention as {@code interop/js/lib/util.mjs}'s {@code serveNode}). Every wait is bounded and
 * fails with the process's recent output. {@link #close()} closes stdin, then destroys the process.
 */
public final class NsProcess implements AutoCloseable {
    /** Shared JSON mapper. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private final String label;
    private final Process process;
    private final OutputStream stdin;
    private final LinkedList<JsonNode> pending = new LinkedList<>();
    private final List<String> stderrTail = new LinkedList<>();
    private final List<String> otherLines = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private boolean eof;

    private NsProcess(String label, Process process) {
        this.label = label;
        this.process = process;
        this.stdin = process.getOutputStream();
        daemon("stdout-" + label, () -> readLines(process.getInputStream(), true));
        daemon("stderr-" + label, () -> readLines(process.getErrorStream(), false));
    }

    /** Starts {@code command} inside {@code ns}. */
    public static NsProcess start(String label, NetNs ns, List<String> command) {
        try {
            return new NsProcess(label, ns.start(command));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command + " in " + ns + ": " + e.getMessage(), e);
        }
    }

    /** Starts {@code ip netns exec <ns> java -cp <this JVM's test class path> mainClass args…}. */
    public static NsProcess startJava(String label, NetNs ns, Class<?> mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx192m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                // -Dlotus.netns.log=debug shows the nodes' libp2p logs in failure diagnostics
                "-Dorg.slf4j.simpleLogger.log.org.lotusia.libp2p=" + System.getProperty("lotus.netns.log", "warn"),
                "-cp", testClassPath(), mainClass.getName()));
        command.addAll(List.of(args));
        return start(label, ns, command);
    }

    /** The java executable of this JVM. */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The test class path (surefire's real one when running under surefire). */
    public static String testClassPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static void daemon(String name, Runnable task) {
        Thread t = new Thread(task, "nsprocess-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void readLines(InputStream stream, boolean stdout) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode node = stdout ? parse(line) : null;
                synchronized (this) {
                    if (node != null) {
                        pending.add(node);
                    } else if (stdout) {
                        if (otherLines.size() < 200) {
                            otherLines.add(line);
                        }
                    } else {
                        stderrTail.add(line);
                        if (stderrTail.size() > 60) {
                            stderrTail.remove(0);
                        }
                    }
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        } finally {
            if (stdout) {
                synchronized (this) {
                    eof = true;
                    notifyAll();
                }
            }
        }
    }

    private static JsonNode parse(String line) {
        String t = line.strip();
        if (!t.startsWith("{")) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(t);
            return n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** Sends one command object. */
    public void send(Object command) {
        try {
            byte[] line = (JSON.writeValueAsString(command) + "\n").getBytes(StandardCharsets.UTF_8);
            synchronized (stdin) {
                stdin.write(line);
                stdin.flush();
            }
        } catch (IOException e) {
            throw new AssertionError("cannot send to " + label + ": " + e + "\n" + diagnostics(), e);
        }
    }

    /** Sends {@code {"id":n,"cmd":cmd,...args}} and returns the matching result (errors throw AssertionError). */
    public JsonNode call(String cmd, Map<String, ?> args, Duration timeout) {
        long id = ids.incrementAndGet();
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("cmd", cmd);
        if (args != null) {
            args.forEach((k, v) -> c.set(k, JSON.valueToTree(v)));
        }
        send(c);
        JsonNode reply = await(e -> e.path("id").asLong(-1) == id
                && ("result".equals(e.path("event").asText()) || "error".equals(e.path("event").asText())),
                timeout, "reply to " + cmd);
        if ("error".equals(reply.path("event").asText())) {
            throw new AssertionError(label + " " + cmd + " failed: " + reply.path("error").asText() + "\n" + diagnostics());
        }
        return reply;
    }

    /** Like {@link #call} but returns the error event instead of throwing. */
    public JsonNode callAllowingError(String cmd, Map<String, ?> args, Duration timeout) {
        long id = ids.incrementAndGet();
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id);
        c.put("cmd", cmd);
        if (args != null) {
            args.forEach((k, v) -> c.set(k, JSON.valueToTree(v)));
        }
        send(c);
        return await(e -> e.path("id").asLong(-1) == id
                && ("result".equals(e.path("event").asText()) || "error".equals(e.path("event").asText())),
                timeout, "reply to " + cmd);
    }

    /** Takes the oldest queued event named {@code event}. */
    public JsonNode awaitEvent(String event, Duration timeout) {
        return await(e -> event.equals(e.path("event").asText()), timeout, "event " + event);
    }

    /** Takes the oldest queued event matching {@code filter}, waiting up to {@code timeout}. */
    public synchronized JsonNode await(Predicate<JsonNode> filter, Duration timeout, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (Iterator<JsonNode> it = pending.iterator(); it.hasNext(); ) {
                JsonNode e = it.next();
                if (filter.test(e)) {
                    it.remove();
                    return e;
                }
            }
            long left = deadline - System.nanoTime();
            if (eof || left <= 0) {
                throw new AssertionError(label + ": " + (eof ? "process ended" : "timed out") + " waiting for "
                        + description + "\n" + diagnostics());
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** Queued events, stray stdout lines and the stderr tail, for failure messages. */
    public synchronized String diagnostics() {
        return "[" + label + "] queued events: " + pending + "\n[" + label + "] other stdout: " + otherLines
                + "\n[" + label + "] stderr tail:\n  " + String.join("\n  ", stderrTail)
                + (process.isAlive() ? "" : "\n[" + label + "] exit code " + process.exitValue());
    }

    /** Closes stdin (the node shuts down), then destroys the process after a short grace period. */
    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(3, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
