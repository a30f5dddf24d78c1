package org.lotusia.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of a process's threads, read from Linux {@code /proc/PID/task/TID/stat}, grouped by thread name with
 * digits removed ({@code lotus-tcp-io-3-1} and {@code lotus-tcp-io-2-1} both count as {@code lotus-tcp-io--}), user
 * and system time separately. Threads that ended between two snapshots are missing from the later one, so use it
 * for long-lived processes. Empty where {@code /proc} is not available.
 */
final class ProcCpu {
    /** Clock ticks per second of the stat fields (USER_HZ; 100 on Linux x86). */
    private static final double HZ = 100.0;

    private ProcCpu() {
    }

    /** Thread group name to {user seconds, system seconds}. */
    static Map<String, double[]> snapshot(long pid) {
        Map<String, double[]> out = new TreeMap<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // thread ended
                }
                int open = stat.indexOf('(');
                int close = stat.lastIndexOf(')');
                if (open < 0 || close < open) {
                    continue;
                }
                String name = stat.substring(open + 1, close).replaceAll("[0-9]+", "").trim();
                String[] f = stat.substring(close + 2).split(" ");
                // after ")": state(0) ppid(1) ... utime is field 14 of the line = index 11 here, stime index 12
                double user = Long.parseLong(f[11]) / HZ;
                double sys = Long.parseLong(f[12]) / HZ;
                double[] sum = out.computeIfAbsent(name, k -> new double[2]);
                sum[0] += user;
                sum[1] += sys;
            }
        } catch (IOException | RuntimeException e) {
            return out;
        }
        return out;
    }

    /** {@code after - before} per group, as {"group": {"user": s, "sys": s}}, largest first, groups under 10 ms dropped. */
    static Map<String, Object> delta(Map<String, double[]> before, Map<String, double[]> after) {
        Map<String, double[]> d = new TreeMap<>();
        for (Map.Entry<String, double[]> e : after.entrySet()) {
            double[] b = before.getOrDefault(e.getKey(), new double[2]);
            double user = e.getValue()[0] - b[0];
            double sys = e.getValue()[1] - b[1];
            if (user + sys >= 0.01) {
                d.put(e.getKey(), new double[] {user, sys});
            }
        }
        Map<String, Object> out = Json.object();
        d.entrySet().stream()
                .sorted((x, y) -> Double.compare(y.getValue()[0] + y.getValue()[1], x.getValue()[0] + x.getValue()[1]))
                .forEach(e -> {
                    Map<String, Object> m = Json.object();
                    m.put("user", round(e.getValue()[0]));
                    m.put("sys", round(e.getValue()[1]));
                    out.put(e.getKey(), m);
                });
        return out;
    }

    /** Total user and system seconds of a delta made by {@link #delta}. */
    static double[] total(Map<String, Object> delta) {
        double user = 0;
        double sys = 0;
        for (Object v : delta.values()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) v;
            user += ((Number) m.get("user")).doubleValue();
            sys += ((Number) m.get("sys")).doubleValue();
        }
        return new double[] {user, sys};
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
