package org.lotusia.libp2p.nat.upnp;

import org.junit.jupiter.api.Assumptions;
import org.lotusia.libp2p.testing.netns.NetNs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * miniupnpd (the Debian package, nftables backend) running in a NAT router namespace for a test:
 * writes its config into a temp dir, creates the nftables chains it fills ({@code inet filter}:
 * {@code miniupnpd}, {@code prerouting_miniupnpd}, {@code postrouting_miniupnpd}, hooked with
 * policy accept so the router's forwarding is unchanged) and follows its debug log.
 */
final class Miniupnpd implements AutoCloseable {
    private static final String NFT_SETUP = """
            table inet filter {
                chain forward { type filter hook forward priority 0; policy accept; jump miniupnpd; }
                chain miniupnpd { }
                chain prerouting { type nat hook prerouting priority -100; policy accept; jump prerouting_miniupnpd; }
                chain postrouting { type nat hook postrouting priority 100; policy accept; jump postrouting_miniupnpd; }
                chain prerouting_miniupnpd { }
                chain postrouting_miniupnpd { }
            }
            """;

    private final Process process;
    private final Path dir;
    private final List<String> log = new ArrayList<>();
    private int consumed;

    private Miniupnpd(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
        Thread reader = new Thread(this::read, "miniupnpd-log");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts miniupnpd on {@code router} ({@code wan0} outside, {@code lan0} = {@code lanNet}.1/24 inside). */
    static Miniupnpd start(NetNs router, String lanNet) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/miniupnpd")),
                "UPnP tests skipped: miniupnpd is not installed (.ci/run installs it)");
        Path dir = Files.createTempDirectory("lotus-miniupnpd");
        Files.writeString(dir.resolve("nft.conf"), NFT_SETUP);
        router.exec("nft", "-f", dir.resolve("nft.conf").toString());
        Files.writeString(dir.resolve("miniupnpd.conf"), String.join("\n",
                "ext_ifname=wan0",
                "listening_ip=lan0",
                "http_port=5555",
                "enable_natpmp=no",
                "enable_upnp=yes",
                "secure_mode=yes",
                "system_uptime=yes",
                "ipv6_disable=yes",
                "uuid=8d3f5a2e-3b1c-4c8e-9a51-6f0e2b7c9d41",
                "allow 1024-65535 " + lanNet + "0/24 1024-65535",
                "deny 0-65535 0.0.0.0/0 0-65535",
                ""));
        Process p = router.start(List.of("/usr/sbin/miniupnpd", "-d", "-f", dir.resolve("miniupnpd.conf").toString(),
                "-P", dir.resolve("miniupnpd.pid").toString()));
        return new Miniupnpd(p, dir);
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (this) {
                    if (log.size() < 5000) {
                        log.add(line);
                    }
                    notifyAll();
                }
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    /** Waits for the next log line (after those already consumed) matching {@code filter}. */
    synchronized String await(Predicate<String> filter, Duration timeout, String description) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (int i = consumed; i < log.size(); i++) {
                if (filter.test(log.get(i))) {
                    consumed = i + 1;
                    return log.get(i);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !process.isAlive() && consumed >= log.size()) {
                throw new AssertionError("miniupnpd: no " + description + " in its log:\n  " + String.join("\n  ", log));
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** The log so far. */
    synchronized String log() {
        return String.join("\n", log);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // temp dir
        }
    }
}
