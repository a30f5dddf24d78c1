package org.lotusia.libp2p.interop;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;

/**
 * Outcome of a js script run to completion by {@link JsInterop#run}.
 *
 * @param command the command line (for messages)
 * @param exitCode the exit code, -1 when the script was killed on timeout
 * @param stdout everything the script printed on stdout
 * @param stderr what it printed on stderr (the last MiB at most)
 * @param timedOut true when it was killed because the timeout passed
 * @param elapsed wall time from start to exit
 */
public record JsResult(String command, int exitCode, String stdout, String stderr, boolean timedOut, Duration elapsed) {
    static final ObjectMapper JSON = new ObjectMapper();

    /** True when the script exited with code 0 before the timeout. */
    public boolean ok() {
        return !timedOut && exitCode == 0;
    }

    /** Returns this result when {@link #ok()}; otherwise throws an AssertionError describing the run. */
    public JsResult assertSuccess() {
        if (!ok()) {
            throw new AssertionError("js script failed: " + describe());
        }
        return this;
    }

    /** Parses stdout as one JSON document. */
    public JsonNode json() {
        try {
            return JSON.readTree(stdout);
        } catch (JsonProcessingException e) {
            throw new AssertionError("stdout of js script is not JSON (" + e.getOriginalMessage() + "): " + describe(), e);
        }
    }

    /** Command, exit status, timing and (abbreviated) output, for assertion messages. */
    public String describe() {
        return command + "\n  " + (timedOut ? "killed after timeout" : "exit code " + exitCode) + " after "
                + elapsed.toMillis() + " ms\n--- stdout ---\n" + abbreviate(stdout) + "\n--- stderr ---\n"
                + abbreviate(stderr);
    }

    static String abbreviate(String s) {
        int max = 20_000;
        return s.length() <= max ? s : s.substring(0, max / 2) + "\n[... " + (s.length() - max) + " characters ...]\n"
                + s.substring(s.length() - max / 2);
    }
}
