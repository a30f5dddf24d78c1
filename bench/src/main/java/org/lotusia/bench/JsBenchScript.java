package org.lotusia.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one js benchmark script ({@code interop/js/bench/*.mjs}) on Node: hands it a plan as a JSON file, copies its
 * stderr to a log file, and returns the last stdout line whose {@code type} is {@code "result"}. Progress lines
 * ({@code type} {@code "progress"}) are echoed on our stderr.
 */
final class JsBenchScript {
    private JsBenchScript() {
    }

    static Map<String, Object> run(Path node, Path script, Map<String, Object> plan, Path log, Duration timeout)
            throws IOException, InterruptedException {
        Path planFile = Files.createTempFile("lotus-bench-plan", ".json");
        Files.writeString(planFile, Json.write(plan));
        Files.createDirectories(log.toAbsolutePath().getParent());
        List<String> cmd = List.of(node.toString(), "--max-old-space-size=4096", script.toString(),
                "--plan=" + planFile);
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.to(log.toFile())).start();
        p.getOutputStream().close();
        List<Map<String, Object>> results = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.startsWith("{")) {
                        continue;
                    }
                    Map<String, Object> obj = Json.parseObject(line);
                    if ("result".equals(obj.get("type"))) {
                        synchronized (results) {
                            results.add(obj);
                        }
                    } else if ("progress".equals(obj.get("type"))) {
                        System.err.println("  js: " + obj.get("message"));
                    }
                }
            } catch (IOException | IllegalArgumentException e) {
                System.err.println("  js output unreadable: " + e);
            }
        }, "js-bench-stdout");
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("js benchmark timed out after " + timeout + " (log: " + log + ")");
            }
            reader.join(5_000);
            synchronized (results) {
                if (p.exitValue() != 0 || results.isEmpty()) {
                    throw new IOException("js benchmark exited with " + p.exitValue() + " and "
                            + results.size() + " results (log: " + log + ")");
                }
                return results.get(results.size() - 1);
            }
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
            Files.deleteIfExists(planFile);
        }
    }

    static double number(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<String, Object> obj, String key) {
        Object v = obj.get(key);
        return v instanceof List<?> l ? (List<Object>) l : List.of();
    }
}
