package org.lotusia.p2p.cli;

import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.protocols.perf.PerfResult;
import org.lotusia.libp2p.protocols.perf.PerfService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code lotus-p2p perf}: the libp2p perf protocol with the command-line contract of the libp2p
 * test-plans perf binaries, so this stack can be measured by the same harness as go, rust and js.
 */
@Command(name = "perf", mixinStandardHelpOptions = true,
        description = "libp2p perf (/perf/1.0.0) server or client, with the test-plans command-line contract.")
final class PerfCommand implements Callable<Integer> {

    @Option(names = "--run-server", description = "Serve perf on --server-address until stdin closes or SIGTERM.")
    boolean runServer;

    @Option(names = "--server-address", required = true, paramLabel = "HOST:PORT|MULTIADDR",
            description = "Where the server listens, or the client connects (e.g. 127.0.0.1:4001).")
    String serverAddress;

    @Option(names = "--transport", defaultValue = "tcp", description = "Transport; only tcp is supported.")
    String transport;

    @Option(names = "--upload-bytes", defaultValue = "0", description = "Bytes the client sends.")
    long uploadBytes;

    @Option(names = "--download-bytes", defaultValue = "0", description = "Bytes the client asks the server to send back.")
    long downloadBytes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!"tcp".equals(transport)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "unsupported --transport " + transport + " (only tcp)");
        }
        if (uploadBytes < 0 || downloadBytes < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "byte counts must not be negative");
        }
        Multiaddr address = toMultiaddr(serverAddress);
        return runServer ? serve(address) : measure(address);
    }

    static Multiaddr toMultiaddr(String address) {
        if (address.startsWith("/")) {
            return Multiaddr.parse(address);
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("server address must be HOST:PORT or a multiaddr: " + address);
        }
        String host = address.substring(0, colon);
        String port = address.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            return Multiaddr.parse("/ip6/" + host.substring(1, host.length() - 1) + "/tcp/" + port);
        }
        return Multiaddr.parse((host.contains(":") ? "/ip6/" : "/ip4/") + host + "/tcp/" + port);
    }

    private int serve(Multiaddr address) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        try (Host host = Host.builder().listen(address).build()) {
            new PerfService(host).serve();
            host.start().join();
            System.err.println("perf server " + host.peerId() + " listening on " + host.shareableAddresses());
            Thread stdin = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // wait for EOF
                    }
                } catch (java.io.IOException ignored) {
                    // controller gone
                }
                stop.countDown();
            }, "lotus-perf-stdin");
            stdin.setDaemon(true);
            stdin.start();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
        return 0;
    }

    private int measure(Multiaddr address) throws Exception {
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        try (Host host = Host.builder().build()) {
            host.start().join();
            Connection connection = host.connect(address).get(30, TimeUnit.SECONDS);
            AtomicLong downloaded = new AtomicLong();
            long start = System.nanoTime();
            CompletableFuture<PerfResult> run = new PerfService(host)
                    .run(connection, uploadBytes, downloadBytes, downloaded::set);
            long lastReport = start;
            long lastDownloaded = 0;
            while (true) {
                try {
                    PerfResult result = run.get(1, TimeUnit.SECONDS);
                    out.emit(out.object().put("type", "final")
                            .put("timeSeconds", result.totalTime().toNanos() / 1e9)
                            .put("uploadBytes", result.uploadBytes())
                            .put("downloadBytes", result.downloadBytes()));
                    return 0;
                } catch (java.util.concurrent.TimeoutException tick) {
                    long now = System.nanoTime();
                    long total = downloaded.get();
                    out.emit(out.object().put("type", "intermediary")
                            .put("timeSeconds", (now - lastReport) / 1e9)
                            .put("uploadBytes", 0)
                            .put("downloadBytes", total - lastDownloaded));
                    lastReport = now;
                    lastDownloaded = total;
                }
            }
        }
    }
}
