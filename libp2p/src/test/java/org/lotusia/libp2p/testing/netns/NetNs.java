package org.lotusia.libp2p.testing.netns;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Linux network namespace created by a test ({@code ip netns add}), with helpers to run commands
 * inside it. {@link #close()} kills what still runs in it and deletes it, which also removes its
 * interfaces (and the veth peers in other namespaces).
 */
public final class NetNs implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_SECONDS = 20;
    private static volatile String unavailableReason;
    private static volatile boolean probed;

    private final String name;
    private volatile boolean closed;

    private NetNs(String name) {
        this.name = name;
    }

    /** Creates namespace {@code name} with its loopback interface up. */
    public static NetNs create(String name) {
        run(List.of("ip", "netns", "add", name));
        NetNs ns = new NetNs(name);
        try {
            ns.exec("ip", "link", "set", "lo", "up");
        } catch (RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    /**
     * Skips the calling test (JUnit assumption, with the reason) when this machine cannot create
     * network namespaces (not root, no {@code ip}, no CAP_SYS_ADMIN); otherwise does nothing.
     */
    public static void assumeAvailable() {
        if (!probed) {
            synchronized (NetNs.class) {
                if (!probed) {
                    unavailableReason = probe();
                    probed = true;
                }
            }
        }
        Assumptions.assumeTrue(unavailableReason == null,
                () -> "network namespace tests skipped: cannot create network namespaces here (" + unavailableReason + ")");
    }

    private static String probe() {
        String name = "lpprobe" + ProcessHandle.current().pid();
        try {
            Result r = runUnchecked(List.of("ip", "netns", "add", name));
            if (r.exitCode != 0) {
                return "ip netns add: " + r.output.strip();
            }
            Result lo = runUnchecked(List.of("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"));
            runUnchecked(List.of("ip", "netns", "del", name));
            return lo.exitCode == 0 ? null : "ip netns exec: " + lo.output.strip();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
    }

    /** The namespace's name (as {@code ip netns} knows it). */
    public String name() {
        return name;
    }

    /** Runs {@code command} inside the namespace; throws with its output when it fails. Returns stdout+stderr. */
    public String exec(String... command) {
        return run(wrap(List.of(command)));
    }

    /** Runs {@code command} inside the namespace; returns exit code and output without throwing. */
    public Result execUnchecked(String... command) {
        return runUnchecked(wrap(List.of(command)));
    }

    /** The command line that runs {@code command} inside this namespace. */
    public List<String> wrap(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /** Starts {@code command} inside the namespace (stdout and stderr separate). */
    public Process start(List<String> command) throws IOException {
        return new ProcessBuilder(wrap(command)).start();
    }

    /** Kills every process still running in the namespace, then deletes it. Idempotent; never throws. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Result pids = runUnchecked(List.of("ip", "netns", "pids", name));
            for (String pid : pids.output.split("\\s+")) {
                if (pid.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            runUnchecked(List.of("ip", "netns", "del", name));
        } catch (RuntimeException e) {
            System.err.println("could not delete network namespace " + name + ": " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "netns " + name;
    }

    /** Exit code and combined output of a command. */
    public record Result(int exitCode, String output) {
    }

    static String run(List<String> command) {
        Result r = runUnchecked(command);
        if (r.exitCode != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exitCode + "): " + r.output.strip());
        }
        return r.output;
    }

    static Result runUnchecked(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                out = in.readNBytes(1 << 20);
            }
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }
}
