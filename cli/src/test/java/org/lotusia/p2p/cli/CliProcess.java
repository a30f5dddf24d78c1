package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs {@code lotus-p2p} in a child JVM (the test class path) and reads its stdout lines. */
final class CliProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringBuilder stderr = new StringBuilder();
    private final BlockingQueue<String> errorLines = new LinkedBlockingQueue<>();

    private CliProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> pump(new BufferedReader(new InputStreamReader(
                process.getInputStream(), StandardCharsets.UTF_8)), true), "cli-stdout");
        reader.setDaemon(true);
        reader.start();
        Thread errors = new Thread(() -> pump(new BufferedReader(new InputStreamReader(
                process.getErrorStream(), StandardCharsets.UTF_8)), false), "cli-stderr");
        errors.setDaemon(true);
        errors.start();
    }

    static CliProcess start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(LotusP2pCommand.class.getName());
        command.addAll(List.of(args));
        return new CliProcess(new ProcessBuilder(command).start());
    }

    private void pump(BufferedReader reader, boolean toQueue) {
        try (reader) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (toQueue) {
                    lines.add(line);
                } else {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                    errorLines.add(line);
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** The next stdout line, failing after {@code seconds}. */
    String nextLine(int seconds) throws InterruptedException {
        String line = lines.poll(seconds, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("no output within " + seconds + " s; stderr:\n" + stderr());
        }
        return line;
    }

    /** The next stdout line parsed as JSON. */
    JsonNode nextJson(int seconds) throws Exception {
        return JsonLines.MAPPER.readTree(nextLine(seconds));
    }

    /** The next JSON line whose {@code event} is {@code name}. */
    JsonNode awaitEvent(String name, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            JsonNode node = nextJson(seconds);
            if (name.equals(node.path("event").asText())) {
                return node;
            }
        }
        throw new AssertionError("no " + name + " event within " + seconds + " s");
    }

    /** The next stderr line containing {@code text}, failing after {@code seconds}. */
    String awaitStderr(String text, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = errorLines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no stderr line with '" + text + "' within " + seconds + " s; stderr:\n" + stderr());
            }
            if (line.contains(text)) {
                return line;
            }
        }
    }

    OutputStream stdin() {
        return process.getOutputStream();
    }

    Process process() {
        return process;
    }

    String stderr() {
        synchronized (stderr) {
            return stderr.toString();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
