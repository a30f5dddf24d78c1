package org.lotusia.libp2p.interop;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A running {@code node} script started by {@link JsInterop#start}. Its stderr is drained in the background
 * (last MiB kept); stdin and stdout belong to the caller. {@link #close()} destroys it (and its children).
 */
public final class JsProcess implements AutoCloseable {
    private final Process process;
    private final String script;
    private final JsInterop.StreamSink stderr;

    JsProcess(Process process, String script) {
        this.process = process;
        this.script = script;
        this.stderr = JsInterop.StreamSink.start(process.getErrorStream(), "stderr of " + script, 1 << 20);
    }

    public Process process() {
        return process;
    }

    public String script() {
        return script;
    }

    public long pid() {
        return process.pid();
    }

    public OutputStream stdin() {
        return process.getOutputStream();
    }

    public InputStream stdout() {
        return process.getInputStream();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * What the script has printed on stderr. While it runs this may lag; after exit (or {@link #close()}) it is
     * complete.
     */
    public String stderr() {
        return stderr.await(process.isAlive() ? Duration.ZERO : Duration.ofSeconds(5));
    }

    /** Waits for the script to exit; returns its exit code, or -1 if still running after the timeout. */
    public int waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Destroys the process (SIGTERM, then SIGKILL after 2 s) and its descendants. Idempotent. */
    @Override
    public void close() {
        JsInterop.kill(process);
    }

    @Override
    public String toString() {
        return "node " + script + " (pid " + process.pid() + (process.isAlive() ? ", running)" : ", exited)");
    }
}
