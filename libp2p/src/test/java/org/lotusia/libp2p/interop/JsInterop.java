package org.lotusia.libp2p.interop;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the JavaScript side of the interop tests: js-libp2p at the versions Lotus nodes pin, on Node 22, from
 * {@code interop/js} in the repository.
 *
 * <p>The first call that needs Node runs {@code interop/js/setup.sh} (installs Node 22 into
 * {@code interop/js/.node} and the pinned packages into {@code interop/js/node_modules}; quick when nothing
 * changed), once per JVM. If setup fails, every call throws an {@link AssertionError} carrying the setup output, so
 * interop tests fail loudly rather than skip. With {@code -Dlotus.interop.skip=true} they are skipped instead
 * (JUnit assumption), with a message saying so.
 *
 * <p>Scripts are paths relative to {@code interop/js} (for example {@code "vectors/generate.mjs"}); they run
 * with that folder as working directory and Node 22 first on {@code PATH}. Every process started here is
 * destroyed when its handle is closed, and at JVM exit at the latest.
 */
public final class JsInterop {
    /** System property: {@code true} skips (JUnit-aborts) every interop test instead of running js. */
    public static final String SKIP_PROPERTY = "lotus.interop.skip";
    /** System property: overrides the repository root (default: found by walking up from user.dir). */
    public static final String ROOT_PROPERTY = "lotus.repo.root";

    private static final Duration SETUP_TIMEOUT = Duration.ofMinutes(15);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    private static Path root;
    private static Path node;
    private static String setupFailure;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(JsInterop::kill), "js-interop-reaper"));
    }

    private JsInterop() {
    }

    /** True when interop tests are switched off with {@code -Dlotus.interop.skip=true}. */
    public static boolean skipped() {
        return Boolean.getBoolean(SKIP_PROPERTY);
    }

    /** Skips the calling test (JUnit assumption) when interop tests are switched off; otherwise does nothing. */
    public static void assumeEnabled() {
        Assumptions.assumeFalse(skipped(), "js interop tests skipped: -D" + SKIP_PROPERTY + "=true");
    }

    /** The repository root: the nearest ancestor of {@code user.dir} that contains {@code interop/js/package.json}. */
    public static synchronized Path repoRoot() {
        if (root == null) {
            String override = System.getProperty(ROOT_PROPERTY);
            if (override != null && !override.isBlank()) {
                root = Path.of(override).toAbsolutePath().normalize();
            } else {
                Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
                while (dir != null && !Files.isRegularFile(dir.resolve("interop/js/package.json"))) {
                    dir = dir.getParent();
                }
                if (dir == null) {
                    throw new AssertionError("cannot find the repository root (no interop/js/package.json above "
                            + System.getProperty("user.dir") + "); set -D" + ROOT_PROPERTY);
                }
                root = dir;
            }
        }
        return root;
    }

    /** The folder {@code interop/js}: working directory of every script. */
    public static Path jsDir() {
        return repoRoot().resolve("interop/js");
    }

    /**
     * The Node 22 binary, after running setup if this JVM has not yet. Skips the test when interop is switched
     * off; throws {@link AssertionError} with the setup output when setup failed.
     */
    public static synchronized Path nodeBinary() {
        assumeEnabled();
        if (node == null && setupFailure == null) {
            runSetup();
        }
        if (setupFailure != null) {
            throw new AssertionError(setupFailure);
        }
        return node;
    }

    private static void runSetup() {
        Path script = jsDir().resolve("setup.sh");
        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(jsDir().toFile());
        JsResult r;
        try {
            r = collect(pb, null, SETUP_TIMEOUT);
        } catch (IOException e) {
            setupFailure = "js interop setup could not start " + script + ": " + e
                    + "\n(skip interop tests with -D" + SKIP_PROPERTY + "=true)";
            return;
        }
        String last = lastLine(r.stdout());
        if (r.exitCode() != 0 || r.timedOut() || last.isEmpty() || !Files.isExecutable(Path.of(last))) {
            setupFailure = "js interop setup failed (" + script + ", "
                    + (r.timedOut() ? "timed out after " + SETUP_TIMEOUT.toSeconds() + " s" : "exit " + r.exitCode())
                    + "); skip interop tests with -D" + SKIP_PROPERTY + "=true\n"
                    + "--- stdout ---\n" + r.stdout() + "\n--- stderr ---\n" + r.stderr();
            return;
        }
        node = Path.of(last);
        System.err.printf("[js-interop] setup done in %d ms, node %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), node);
    }

    private static String lastLine(String s) {
        String[] lines = s.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1].strip();
    }

    /** A process builder for {@code node script args...} in {@code interop/js}, Node 22 first on PATH. */
    public static ProcessBuilder processBuilder(String script, String... args) {
        Path nodeBin = nodeBinary();
        List<String> cmd = new ArrayList<>();
        cmd.add(nodeBin.toString());
        cmd.add(script);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(jsDir().toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", nodeBin.getParent() + java.io.File.pathSeparator + env.getOrDefault("PATH", ""));
        env.remove("NODE_OPTIONS");
        return pb;
    }

    /**
     * Starts {@code node script args...}; stdin and stdout are the caller's, stderr is drained in the background
     * (see {@link JsProcess#stderr()}). Close the handle to destroy the process.
     */
    public static JsProcess start(String script, String... args) {
        ProcessBuilder pb = processBuilder(script, args);
        try {
            return new JsProcess(register(pb.start()), script);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + script, e);
        }
    }

    /**
     * Starts a long-running script that prints one JSON object per line on stdout ({@code {"event": ...}}) and
     * reads JSON commands, one per line, on stdin.
     */
    public static JsonLinesProcess startJsonLines(String script, String... args) {
        return new JsonLinesProcess(start(script, args));
    }

    /** Runs a script to completion (stdin closed at once), killing it after {@code timeout}. */
    public static JsResult run(Duration timeout, String script, String... args) {
        return runWithInput(timeout, null, script, args);
    }

    /** Runs a script to completion with {@code stdin} (UTF-8) as its standard input. */
    public static JsResult runWithInput(Duration timeout, String stdin, String script, String... args) {
        ProcessBuilder pb = processBuilder(script, args);
        try {
            return collect(pb, stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), timeout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node " + script, e);
        }
    }

    private static JsResult collect(ProcessBuilder pb, byte[] stdin, Duration timeout) throws IOException {
        long start = System.nanoTime();
        Process p = register(pb.start());
        try {
            StreamSink out = StreamSink.start(p.getInputStream(), "stdout of " + pb.command().get(0), Integer.MAX_VALUE);
            StreamSink err = StreamSink.start(p.getErrorStream(), "stderr of " + pb.command().get(0), 1 << 20);
            Thread writer = new Thread(() -> {
                try (OutputStream os = p.getOutputStream()) {
                    if (stdin != null) {
                        os.write(stdin);
                    }
                } catch (IOException ignored) {
                    // the process exited without reading all of its input; its exit code tells
                }
            }, "js-interop-stdin");
            writer.setDaemon(true);
            writer.start();
            boolean exited;
            try {
                exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exited = false;
            }
            if (!exited) {
                kill(p);
            }
            String stdout = out.await(Duration.ofSeconds(10));
            String stderr = err.await(Duration.ofSeconds(10));
            return new JsResult(String.join(" ", pb.command()), exited ? p.exitValue() : -1, stdout, stderr,
                    !exited, Duration.ofNanos(System.nanoTime() - start));
        } finally {
            kill(p);
        }
    }

    static Process register(Process p) {
        LIVE.add(p);
        p.onExit().thenRun(() -> LIVE.remove(p));
        return p;
    }

    /** Destroys a process and its descendants: politely, then forcibly after 2 s. */
    static void kill(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** Reads a stream to its end on a daemon thread, keeping the last {@code limit} characters. */
    static final class StreamSink {
        private final Thread thread;
        private final StringBuilder text = new StringBuilder();
        private final int limit;
        private long dropped;

        private StreamSink(InputStream in, String name, int limit) {
            this.limit = limit;
            this.thread = new Thread(() -> pump(in), "js-interop-" + name);
            this.thread.setDaemon(true);
        }

        static StreamSink start(InputStream in, String name, int limit) {
            StreamSink s = new StreamSink(in, name, limit);
            s.thread.start();
            return s;
        }

        private void pump(InputStream in) {
            char[] buf = new char[8192];
            try (var reader = new java.io.InputStreamReader(in, StandardCharsets.UTF_8)) {
                int n;
                while ((n = reader.read(buf)) >= 0) {
                    synchronized (this) {
                        text.append(buf, 0, n);
                        if (text.length() > limit) {
                            int cut = text.length() - limit;
                            text.delete(0, cut);
                            dropped += cut;
                        }
                    }
                }
            } catch (IOException e) {
                synchronized (this) {
                    text.append("\n[read failed: ").append(e).append(']');
                }
            }
        }

        /** Waits up to {@code timeout} for the end of the stream (not at all for zero), then returns the text. */
        String await(Duration timeout) {
            if (!timeout.isZero() && !timeout.isNegative()) {
                try {
                    thread.join(timeout.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (this) {
                return dropped == 0 ? text.toString() : "[... " + dropped + " characters dropped ...]\n" + text;
            }
        }
    }
}
