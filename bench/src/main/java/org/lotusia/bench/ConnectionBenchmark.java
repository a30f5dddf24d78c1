package org.lotusia.bench;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.protocols.perf.PerfResult;
import org.lotusia.libp2p.protocols.perf.PerfService;
import org.lotusia.libp2p.security.noise.ChaChaPolyAead;

/**
 * Java against js-libp2p on loopback, in one run: perf throughput and connection establishment latency for all four
 * dialer/listener pairs, next to this JVM's single-core ChaCha20-Poly1305 rate, with the target ratios.
 *
 * <p>Every pair runs as two processes: this process is the Java client; a child JVM ({@link JavaPeer}, same java
 * binary and class path) is the Java server; {@code interop/js/bench/perf.mjs} provides the js server and the js
 * clients (Node 22, the pinned js-libp2p 3.1.0 stack: TCP + Noise + Yamux + identify + ping). The js server's
 * inbound connection rate limit (5 per second per IP by default) is raised to 10,000, so connection runs are not
 * paced by it; every run, js or Java, leaves the same gap between connections.
 *
 * <ul>
 *   <li>AEAD: the raw JDK {@code ChaCha20-Poly1305} cipher on 65,519-byte frames (one full Noise message), seal and
 *       open, one thread, timed loops after warm-up; plus our wrapper in the implementation this JVM chose.</li>
 *   <li>JIT warm-up: Java client and server exchange perf data and connections until their C1/C2 compiler threads
 *       go quiet (see {@link #warmUpJava}); on 2 CPUs, C2 otherwise competes with the first measured runs.</li>
 *   <li>Perf: one connection, then W warm-up and R measured {@code /perf/1.0.0} exchanges on new streams, each
 *       uploading and downloading S MiB. Throughput = (upload + download bytes) / time from opening the stream to
 *       the last downloaded byte; the median run is reported, with the upload/download phases (stream open to first
 *       downloaded byte, first to last downloaded byte), CPU seconds per run of client and server (from /proc and
 *       the js client's own process.cpuUsage) and bytes per CPU second, which depends much less than wall time on
 *       what else the machine runs.</li>
 *   <li>Establishment: W warm-up then N fresh connections: dial (TCP, multistream, Noise XX, Yamux), open a ping
 *       stream and complete one 32-byte round trip; close the connection, wait the gap. Median and p95, and the
 *       median of the dial alone.</li>
 * </ul>
 * Output: a table on stdout and {@code bench/target/connection-bench.json} ({@code --out}); children's stderr in
 * {@code connection-bench-logs/} next to it.
 *
 * <pre>
 *   java -cp lotus-p2p-bench.jar org.lotusia.bench.ConnectionBenchmark --node PATH/node --js-script PATH/perf.mjs
 *        [--size-mib 256] [--runs 3] [--warmup-runs 1] [--connections 50] [--connection-warmup 20] [--gap-ms 20]
 *        [--aead-seconds 2] [--jit-warmup-seconds 45] [--out FILE] [--log-dir DIR]
 *        [--skip-js] [--skip-perf] [--skip-connect] [--java-dial-with-peer-id]
 * </pre>
 * Child JVM options: this JVM's {@code -X}, {@code -XX:+Use...GC}, {@code --enable-native-access},
 * {@code --sun-misc-unsafe-memory-access} and {@code -Dlotus.*} options, plus {@code $BENCH_SERVER_JAVA_OPTS}
 * (for example a JFR recording of the server).
 */
public final class ConnectionBenchmark {
    private static final long MIB = 1024L * 1024;
    private static final Duration PERF_TIMEOUT = Duration.ofMinutes(2);

    private final Options options;
    private final List<Process> children = new CopyOnWriteArrayList<>();
    /** Set by {@link #javaConnect}: time until {@code connect} completed (upgrade done), per measured connection. */
    private double[] connectPhaseMs;

    private ConnectionBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        ConnectionBenchmark bench = new ConnectionBenchmark(options);
        Runtime.getRuntime().addShutdownHook(new Thread(bench::killChildren));
        int code;
        try {
            code = bench.run();
        } finally {
            bench.killChildren();
        }
        System.exit(code);
    }

    /** Command-line settings. */
    record Options(String node, String jsScript, long sizeBytes, int runs, int warmupRuns, int connections,
                   int connectionWarmup, int gapMs, double aeadSeconds, Path out, Path logDir, boolean skipJs,
                   boolean skipPerf, boolean skipConnect, double jitWarmupSeconds,
                   boolean dialWithPeerId) {
        static Options parse(String[] args) {
            String node = null;
            String script = null;
            long size = 256;
            int runs = 3;
            int warmupRuns = 1;
            int connections = 50;
            int connectionWarmup = 20;
            int gap = 20;
            double aead = 2;
            Path out = Path.of("bench/target/connection-bench.json");
            Path logDir = null;
            boolean skipJs = false;
            boolean skipPerf = false;
            boolean skipConnect = false;
            double jitWarmup = 45;
            boolean dialWithPeerId = false;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--node" -> node = args[++i];
                    case "--js-script" -> script = args[++i];
                    case "--size-mib" -> size = Long.parseLong(args[++i]);
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--warmup-runs" -> warmupRuns = Integer.parseInt(args[++i]);
                    case "--connections" -> connections = Integer.parseInt(args[++i]);
                    case "--connection-warmup" -> connectionWarmup = Integer.parseInt(args[++i]);
                    case "--gap-ms" -> gap = Integer.parseInt(args[++i]);
                    case "--aead-seconds" -> aead = Double.parseDouble(args[++i]);
                    case "--out" -> out = Path.of(args[++i]);
                    case "--log-dir" -> logDir = Path.of(args[++i]);
                    case "--skip-js" -> skipJs = true;
                    case "--skip-perf" -> skipPerf = true;
                    case "--skip-connect" -> skipConnect = true;
                    case "--jit-warmup-seconds" -> jitWarmup = Double.parseDouble(args[++i]);
                    case "--java-dial-with-peer-id" -> dialWithPeerId = true;
                    default -> throw new IllegalArgumentException("unknown argument " + a);
                }
            }
            if (!skipJs && (node == null || script == null)) {
                throw new IllegalArgumentException("--node and --js-script are required (or --skip-js)");
            }
            if (runs < 1 || connections < 1 || size < 1) {
                throw new IllegalArgumentException("--runs, --connections and --size-mib must be at least 1");
            }
            if (logDir == null) {
                Path parent = out.toAbsolutePath().getParent();
                logDir = parent.resolve("connection-bench-logs");
            }
            return new Options(node, script, size * MIB, runs, warmupRuns, connections, connectionWarmup, gap, aead,
                    out, logDir, skipJs, skipPerf, skipConnect, jitWarmup, dialWithPeerId);
        }
    }

    /** One perf run as measured by a client; {@code problem} is null for a complete, correct run. */
    record PerfRun(double totalSeconds, double uploadSeconds, double downloadSeconds, double clientCpuSeconds,
                   String problem) {
    }

    /** CPU time this JVM has used so far (all threads), in seconds. */
    private static double ownCpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return Double.NaN;
    }

    /** CPU time a child process has used so far, in seconds (NaN where the OS does not say). */
    private static double cpuSeconds(Process p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(Double.NaN);
    }

    /** A server process and its address. */
    record Server(String kind, Process process, String multiaddr, Map<String, Object> ready) {
    }

    private int run() throws Exception {
        Files.createDirectories(options.logDir);
        Map<String, Object> report = Json.object();
        report.put("startedAt", Instant.now().toString());

        // --- environment ---------------------------------------------------------------------------------------
        Map<String, Object> env = Json.object();
        env.put("javaVersion", Runtime.version().toString());
        env.put("javaVendor", System.getProperty("java.vendor"));
        env.put("javaHome", System.getProperty("java.home"));
        env.put("jvmArgs", ManagementFactory.getRuntimeMXBean().getInputArguments());
        env.put("aead", ChaChaPolyAead.describe());
        env.put("aeadKind", ChaChaPolyAead.defaultKind().name());
        env.put("cpu", cpuModel());
        env.put("cpus", Runtime.getRuntime().availableProcessors());
        env.put("loadAverageAtStart", loadAverage());
        report.put("environment", env);
        System.out.println("lotus-p2p connection benchmark (loopback 127.0.0.1)");
        System.out.println("  java : " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") "
                + System.getProperty("java.home"));
        System.out.println("  aead : " + ChaChaPolyAead.describe());
        System.out.println("  cpu  : " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs, load"
                + " average " + loadAverage() + " (other processes on this machine skew every figure)");
        System.out.flush();

        // --- AEAD rate (before any server runs, on a quiet machine) --------------------------------------------
        AeadRate aeadRate = new AeadRate(Math.max(1, options.aeadSeconds / 2), options.aeadSeconds);
        double jdkSeal = aeadRate.jdkSeal();
        double jdkOpen = aeadRate.jdkOpen();
        double wrapperSeal = aeadRate.wrapperSeal();
        Map<String, Object> aead = Json.object();
        aead.put("frameBytes", AeadRate.FRAME);
        aead.put("jdkSealGBps", gb(jdkSeal));
        aead.put("jdkOpenGBps", gb(jdkOpen));
        aead.put("wrapperSealGBps", gb(wrapperSeal));
        aead.put("wrapperImplementation", ChaChaPolyAead.defaultKind().name());
        aead.put("sink", aeadRate.sink() & 1);
        report.put("aead", aead);
        System.out.printf(Locale.ROOT, "  JDK ChaCha20-Poly1305, 1 thread, %,d-byte frames: seal %.2f GB/s, open %.2f GB/s;"
                + " our wrapper (%s) seal %.2f GB/s%n", AeadRate.FRAME, gb(jdkSeal), gb(jdkOpen),
                ChaChaPolyAead.defaultKind(), gb(wrapperSeal));
        System.out.flush();

        // --- servers ---------------------------------------------------------------------------------------------
        Server javaServer = startJavaServer();
        Server jsServer = options.skipJs ? null : startJsServer();
        env.put("javaServerAead", javaServer.ready().get("aead"));
        env.put("javaServerVersion", javaServer.ready().get("java"));
        if (jsServer != null) {
            env.put("js", jsServer.ready().get("versions"));
        }
        System.out.println("  java server process: " + javaServer.ready().get("java") + ", "
                + javaServer.ready().get("aead"));
        if (jsServer != null) {
            System.out.println("  js   : " + Json.write(jsServer.ready().get("versions")));
        }
        System.out.println();
        System.out.flush();

        Map<String, Object> settings = Json.object();
        settings.put("perfBytesEachWay", options.sizeBytes);
        settings.put("perfRuns", options.runs);
        settings.put("perfWarmupRuns", options.warmupRuns);
        settings.put("connections", options.connections);
        settings.put("connectionWarmup", options.connectionWarmup);
        settings.put("connectionGapMs", options.gapMs);
        settings.put("processes", "every pair runs as two processes (client, server); Java client = this JVM,"
                + " Java server = child JVM (same java and class path), js = Node processes running perf.mjs");
        settings.put("javaDialAddress", options.dialWithPeerId ? "with /p2p/<id>"
                : "without /p2p/<id> (works around the Host.connect pending-dial bug; see javaDialAddress)");
        settings.put("jsInboundConnectionThreshold", "raised to 10000/s on the js server (js default 5/s per IP)");
        report.put("settings", settings);

        Map<String, Object> perf = Json.object();
        Map<String, Object> latency = Json.object();
        report.put("perf", perf);
        report.put("establishment", latency);
        boolean ok = true;
        try (Host client = Host.builder().build()) {
            client.start().join();
            report.put("jitWarmup", warmUpJava(client, javaServer));
            if (!options.skipPerf) {
                ok &= perfCase(perf, "java->java", javaServer, () -> javaPerf(client, javaServer.multiaddr()));
            }
            if (jsServer != null && !options.skipPerf) {
                ok &= perfCase(perf, "java->js", jsServer, () -> javaPerf(client, jsServer.multiaddr()));
                ok &= perfCase(perf, "js->java", javaServer, () -> jsPerf(javaServer.multiaddr(), "js-perf-java"));
                ok &= perfCase(perf, "js->js", jsServer, () -> jsPerf(jsServer.multiaddr(), "js-perf-js"));
            }
            if (!options.skipConnect) {
                ok &= latencyCase(latency, "java->java", () -> javaConnect(client, javaServer.multiaddr()));
            }
            if (jsServer != null && !options.skipConnect) {
                ok &= latencyCase(latency, "java->js", () -> javaConnect(client, jsServer.multiaddr()));
                ok &= latencyCase(latency, "js->java", () -> jsConnect(javaServer.multiaddr(), "js-connect-java"));
                ok &= latencyCase(latency, "js->js", () -> jsConnect(jsServer.multiaddr(), "js-connect-js"));
            }
        }
        stopServer(javaServer);
        if (jsServer != null) {
            stopServer(jsServer);
        }

        // --- ratios -----------------------------------------------------------------------------------------------
        Map<String, Object> ratios = Json.object();
        Double jj = gbpsOf(perf, "java->java");
        Double ss = gbpsOf(perf, "js->js");
        Double jLat = medianOf(latency, "java->java");
        Double sLat = medianOf(latency, "js->js");
        ratios.put("javaJavaOverJsJsThroughput", ratio(jj, ss, 3.0, true));
        ratios.put("javaJavaOverJdkAeadSeal", ratio(jj, gb(jdkSeal), 0.5, true));
        ratios.put("javaJavaOverJdkAeadOpen", ratio(jj, gb(jdkOpen), null, true));
        ratios.put("javaJavaOverInUseAeadSeal", ratio(jj, gb(wrapperSeal), 0.5, true));
        ratios.put("javaJavaOverJsJsBytesPerCpuSecond", ratio(cpuEfficiencyOf(perf, "java->java"),
                cpuEfficiencyOf(perf, "js->js"), null, true));
        ratios.put("javaOverJsEstablishmentMedian", ratio(jLat, sLat, 0.5, false));
        report.put("ratios", ratios);
        report.put("finishedAt", Instant.now().toString());
        env.put("loadAverageAtEnd", loadAverage());

        printTable(report);
        Path out = options.out;
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, Json.writePretty(report));
        System.out.println();
        System.out.println("load average at end: " + loadAverage());
        System.out.println("JSON: " + out.toAbsolutePath() + "   logs: " + options.logDir.toAbsolutePath());
        return ok ? 0 : 1;
    }

    /**
     * The address the Java client dials. Without {@code --java-dial-with-peer-id} the {@code /p2p/<id>} suffix is
     * dropped: {@code Host.connect} with a peer id goes through its per-peer dial de-duplication, which can keep a
     * finished dial forever when the dial completes before {@code whenComplete} is attached inside
     * {@code computeIfAbsent} (then every later connect returns the old, closed connection: "session is closed").
     * Without a peer id the dial is the same TCP + Noise + Yamux upgrade, only the expected-peer check is skipped.
     */
    private Multiaddr javaDialAddress(String server) {
        Multiaddr address = Multiaddr.parse(server);
        return options.dialWithPeerId ? address : address.withoutPeerId();
    }

    /** CPU seconds of the compiler thread groups in a {@link ProcCpu#delta}. */
    private static double jitSeconds(Object delta) {
        double sum = 0;
        @SuppressWarnings("unchecked")
        Map<String, Object> groups = (Map<String, Object>) delta;
        for (Map.Entry<String, Object> e : groups.entrySet()) {
            if (e.getKey().contains("Compiler")) {
                @SuppressWarnings("unchecked")
                Map<String, Object> m = (Map<String, Object>) e.getValue();
                sum += ((Number) m.get("user")).doubleValue() + ((Number) m.get("sys")).doubleValue();
            }
        }
        return sum;
    }

    // --- JIT warm-up -------------------------------------------------------------------------------------------

    /** CPU seconds (user + system) the JIT compiler threads of process {@code pid} have used so far. */
    private static double compilerCpu(long pid) {
        double sum = 0;
        for (Map.Entry<String, double[]> e : ProcCpu.snapshot(pid).entrySet()) {
            if (e.getKey().contains("Compiler")) {
                sum += e.getValue()[0] + e.getValue()[1];
            }
        }
        return sum;
    }

    /**
     * Warms both JVMs (this client and the Java server) until their JIT compilers go quiet: rounds of one perf
     * exchange of 64 MiB each way plus 10 fresh connections, until a round costs the two compilers less than 0.1 CPU
     * second together (at least 3 rounds), or {@code --jit-warmup-seconds} pass. On a 2-CPU machine C2 otherwise
     * compiles through the first measured runs (seconds of CPU for Netty's deeply inlined pipeline methods) and
     * competes with the transfer.
     */
    private Map<String, Object> warmUpJava(Host client, Server javaServer) throws Exception {
        Map<String, Object> out = Json.object();
        long self = ProcessHandle.current().pid();
        long server = javaServer.process().pid();
        long start = System.nanoTime();
        double startCompile = compilerCpu(self) + compilerCpu(server);
        int rounds = 0;
        double last = Double.NaN;
        List<Double> perRound = new ArrayList<>();
        System.out.print("JIT warm-up (Java client and server) ... ");
        System.out.flush();
        while ((System.nanoTime() - start) / 1e9 < options.jitWarmupSeconds) {
            double before = compilerCpu(self) + compilerCpu(server);
            Connection connection = client.connect(javaDialAddress(javaServer.multiaddr())).get(10, TimeUnit.SECONDS);
            try {
                new PerfService(client).run(connection, 64 * MIB, 64 * MIB).get(PERF_TIMEOUT.toSeconds(),
                        TimeUnit.SECONDS);
            } finally {
                connection.close();
                connection.closeFuture().get(5, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 10; i++) {
                Connection c = client.connect(javaDialAddress(javaServer.multiaddr())).get(10, TimeUnit.SECONDS);
                try {
                    client.pingService().ping(c, 1, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                } finally {
                    c.close();
                    c.closeFuture().get(5, TimeUnit.SECONDS);
                }
            }
            rounds++;
            last = compilerCpu(self) + compilerCpu(server) - before;
            perRound.add(Math.round(last * 100) / 100.0);
            if (rounds >= 3 && last < 0.1) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.put("rounds", rounds);
        out.put("seconds", seconds);
        out.put("compilerCpuSeconds", compilerCpu(self) + compilerCpu(server) - startCompile);
        out.put("compilerCpuSecondsPerRound", perRound);
        out.put("quiet", last < 0.1);
        System.out.printf(Locale.ROOT, "%d rounds, %.1f s, compiler threads used %.1f CPU s (per round: %s)%s%n",
                rounds, seconds, compilerCpu(self) + compilerCpu(server) - startCompile, perRound,
                last < 0.1 ? "" : " - NOT quiet yet, Java figures may still include JIT work");
        return out;
    }

    // --- perf --------------------------------------------------------------------------------------------------------

    private interface PerfSource {
        List<PerfRun> run() throws Exception;
    }

    private boolean perfCase(Map<String, Object> perf, String name, Server server, PerfSource source) {
        System.out.printf(Locale.ROOT, "perf %-11s ... ", name);
        System.out.flush();
        Map<String, Object> entry = Json.object();
        perf.put(name, entry);
        try {
            boolean javaClient = name.startsWith("java->");
            long self = ProcessHandle.current().pid();
            Map<String, double[]> clientThreads0 = javaClient ? ProcCpu.snapshot(self) : Map.of();
            Map<String, double[]> serverThreads0 = ProcCpu.snapshot(server.process().pid());
            double serverCpu0 = cpuSeconds(server.process());
            List<PerfRun> runs = source.run();
            double serverCpuPerRun = (cpuSeconds(server.process()) - serverCpu0) / (options.runs + options.warmupRuns);
            entry.put("serverThreadsCpuSeconds", ProcCpu.delta(serverThreads0,
                    ProcCpu.snapshot(server.process().pid())));
            double jit = jitSeconds(entry.get("serverThreadsCpuSeconds"));
            if (javaClient) {
                entry.put("clientThreadsCpuSeconds", ProcCpu.delta(clientThreads0, ProcCpu.snapshot(self)));
                jit += jitSeconds(entry.get("clientThreadsCpuSeconds"));
            }
            entry.put("javaJitCpuSeconds", jit);
            double[] totals = runs.stream().mapToDouble(PerfRun::totalSeconds).sorted().toArray();
            double median = median(totals);
            PerfRun medianRun = runs.stream().min((a, b) -> Double.compare(Math.abs(a.totalSeconds() - median),
                    Math.abs(b.totalSeconds() - median))).orElseThrow();
            double bytes = 2.0 * options.sizeBytes;
            entry.put("gbps", bytes / median / 1e9);
            entry.put("gbitps", bytes * 8 / median / 1e9);
            entry.put("uploadGBps", options.sizeBytes / medianRun.uploadSeconds() / 1e9);
            entry.put("downloadGBps", options.sizeBytes / medianRun.downloadSeconds() / 1e9);
            entry.put("bestGBps", bytes / totals[0] / 1e9);
            double clientCpu = median(runs.stream().mapToDouble(PerfRun::clientCpuSeconds).sorted().toArray());
            entry.put("clientCpuSecondsMedian", clientCpu);
            entry.put("serverCpuSecondsPerRun", serverCpuPerRun);
            entry.put("cpuUtilisation", (clientCpu + serverCpuPerRun) / median);
            entry.put("gbPerCpuSecond", bytes / 1e9 / (clientCpu + serverCpuPerRun));
            entry.put("cpuNote", "client: median CPU seconds per measured run; server: CPU seconds of the server"
                    + " process over the whole case divided by all runs (warm-up included); cpuUtilisation ="
                    + " (client + server CPU) / median run time, out of "
                    + Runtime.getRuntime().availableProcessors() + " CPUs; *ThreadsCpuSeconds: user and system CPU"
                    + " seconds per thread group over the whole case (all runs, warm-up included), from /proc");
            entry.put("runs", runs.stream().map(r -> {
                Map<String, Object> m = Json.object();
                m.put("timeSeconds", r.totalSeconds());
                m.put("uploadSeconds", r.uploadSeconds());
                m.put("downloadSeconds", r.downloadSeconds());
                m.put("clientCpuSeconds", r.clientCpuSeconds());
                if (r.problem() != null) {
                    m.put("error", r.problem());
                }
                return m;
            }).toList());
            String problem = runs.stream().map(PerfRun::problem).filter(java.util.Objects::nonNull).findFirst()
                    .orElse(null);
            if (problem != null) {
                entry.put("incomplete", problem);
            }
            System.out.printf(Locale.ROOT, "%.3f GB/s (runs: %s s)%s%n", bytes / median / 1e9, Arrays.stream(
                    runs.stream().mapToDouble(PerfRun::totalSeconds).toArray())
                    .mapToObj(t -> String.format(Locale.ROOT, "%.2f", t)).toList(),
                    problem == null ? "" : "  INCOMPLETE: " + problem);
            return problem == null;
        } catch (Exception e) {
            entry.put("error", e.toString());
            System.out.println("FAILED: " + e);
            return false;
        }
    }

    private List<PerfRun> javaPerf(Host client, String server) throws Exception {
        Connection connection = client.connect(javaDialAddress(server)).get(10, TimeUnit.SECONDS);
        try {
            PerfService perf = new PerfService(client);
            List<PerfRun> runs = new ArrayList<>();
            for (int i = 0; i < options.warmupRuns + options.runs; i++) {
                AtomicLong firstByte = new AtomicLong();
                LongConsumer progress = received -> {
                    if (firstByte.get() == 0) {
                        firstByte.set(System.nanoTime());
                    }
                };
                double cpu0 = ownCpuSeconds();
                long t0 = System.nanoTime();
                PerfResult result = perf.run(connection, options.sizeBytes, options.sizeBytes, progress)
                        .get(PERF_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                long t2 = System.nanoTime();
                if (result.downloadBytes() != options.sizeBytes) {
                    throw new IllegalStateException("downloaded " + result.downloadBytes() + " bytes");
                }
                long t1 = firstByte.get() == 0 ? t2 : firstByte.get();
                double total = result.totalTime().toNanos() / 1e9;
                if (i >= options.warmupRuns) {
                    runs.add(new PerfRun(total, (t1 - t0) / 1e9, (t2 - t1) / 1e9, ownCpuSeconds() - cpu0, null));
                }
                Thread.sleep(200);
            }
            return runs;
        } finally {
            connection.close();
            connection.closeFuture().get(5, TimeUnit.SECONDS);
        }
    }

    private List<PerfRun> jsPerf(String server, String logName) throws Exception {
        List<Map<String, Object>> lines = runJs(logName, PERF_TIMEOUT.multipliedBy(options.runs + options.warmupRuns),
                "--server-address", server,
                "--upload-bytes", Long.toString(options.sizeBytes),
                "--download-bytes", Long.toString(options.sizeBytes),
                "--runs", Integer.toString(options.runs),
                "--warmup-runs", Integer.toString(options.warmupRuns));
        List<PerfRun> runs = new ArrayList<>();
        for (Map<String, Object> line : lines) {
            if ("final".equals(line.get("type"))) {
                runs.add(new PerfRun(num(line, "timeSeconds"), num(line, "uploadSeconds"),
                        num(line, "downloadSeconds"), line.get("cpuSeconds") instanceof Number n ? n.doubleValue()
                        : Double.NaN, (String) line.get("error")));
            }
        }
        if (runs.size() != options.runs) {
            throw new IllegalStateException("js client reported " + runs.size() + " of " + options.runs + " runs");
        }
        return runs;
    }

    // --- establishment -------------------------------------------------------------------------------------------

    private interface LatencySource {
        double[] run() throws Exception;
    }

    private boolean latencyCase(Map<String, Object> latency, String name, LatencySource source) {
        System.out.printf(Locale.ROOT, "connect %-8s ... ", name);
        System.out.flush();
        Map<String, Object> entry = Json.object();
        latency.put(name, entry);
        try {
            connectPhaseMs = null;
            double[] ms = source.run();
            if (connectPhaseMs != null) {
                double[] phase = connectPhaseMs.clone();
                Arrays.sort(phase);
                entry.put("upgradeMedianMs", median(phase));
                entry.put("upgradeNote", "time until the dial completed (Java: Host.connect, js: libp2p.dial; TCP +"
                        + " mss + Noise + Yamux); the rest of the total is the ping stream (mss + 1 round trip)");
            }
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            entry.put("medianMs", median(sorted));
            entry.put("p95Ms", percentile(sorted, 0.95));
            entry.put("minMs", sorted[0]);
            entry.put("maxMs", sorted[sorted.length - 1]);
            entry.put("count", ms.length);
            entry.put("samplesMs", Arrays.stream(ms).boxed().toList());
            System.out.printf(Locale.ROOT, "median %.2f ms, p95 %.2f ms%n", median(sorted), percentile(sorted, 0.95));
            return true;
        } catch (Exception e) {
            entry.put("error", e.toString());
            System.out.println("FAILED: " + e);
            return false;
        }
    }

    private double[] javaConnect(Host client, String server) throws Exception {
        Multiaddr address = javaDialAddress(server);
        int total = options.connectionWarmup + options.connections;
        double[] ms = new double[options.connections];
        connectPhaseMs = new double[options.connections];
        for (int i = 0; i < total; i++) {
            long t0 = System.nanoTime();
            Connection connection = client.connect(address).get(10, TimeUnit.SECONDS);
            long connected = System.nanoTime();
            try {
                client.pingService().ping(connection, 1, Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS);
                long t1 = System.nanoTime();
                if (i >= options.connectionWarmup) {
                    ms[i - options.connectionWarmup] = (t1 - t0) / 1e6;
                    connectPhaseMs[i - options.connectionWarmup] = (connected - t0) / 1e6;
                }
            } finally {
                connection.close();
                connection.closeFuture().get(5, TimeUnit.SECONDS);
            }
            if (options.gapMs > 0) {
                Thread.sleep(options.gapMs);
            }
        }
        return ms;
    }

    private double[] jsConnect(String server, String logName) throws Exception {
        List<Map<String, Object>> lines = runJs(logName, Duration.ofMinutes(3),
                "--connect-latency", "--server-address", server,
                "--count", Integer.toString(options.connections),
                "--warmup", Integer.toString(options.connectionWarmup),
                "--gap-ms", Integer.toString(options.gapMs));
        for (Map<String, Object> line : lines) {
            if ("summary".equals(line.get("type"))) {
                @SuppressWarnings("unchecked")
                List<Object> ms = (List<Object>) line.get("ms");
                @SuppressWarnings("unchecked")
                List<Object> dial = (List<Object>) line.get("dialMs");
                if (dial != null) {
                    connectPhaseMs = dial.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
                }
                return ms.stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
            }
        }
        throw new IllegalStateException("js client printed no summary");
    }

    // --- processes -------------------------------------------------------------------------------------------

    private Server startJavaServer() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-Xm") || arg.startsWith("-Xss") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("--sun-misc-unsafe-memory-access") || arg.startsWith("-Dlotus.")
                    || arg.matches("-XX:[+-]Use\\w*GC")) {
                cmd.add(arg);
            }
        }
        String extra = System.getenv("BENCH_SERVER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(Arrays.asList(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JavaPeer.class.getName(),
                "--run-server", "--server-address", "127.0.0.1:0"));
        return startServer("java", cmd, "java-server");
    }

    private Server startJsServer() throws Exception {
        return startServer("js", List.of(options.node, options.jsScript, "--run-server",
                "--server-address", "127.0.0.1:0"), "js-server");
    }

    private Server startServer(String kind, List<String> cmd, String logName) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log(logName)));
        Process p = pb.start();
        children.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("{")) {
                Map<String, Object> ready = Json.parseObject(line);
                if ("ready".equals(ready.get("type"))) {
                    Thread drain = new Thread(() -> drain(out), kind + "-server-stdout");
                    drain.setDaemon(true);
                    drain.start();
                    return new Server(kind, p, (String) ready.get("multiaddr"), ready);
                }
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException(kind + " server did not start; see " + log(logName));
    }

    private static void drain(BufferedReader out) {
        try {
            while (out.readLine() != null) {
                // ignore
            }
        } catch (IOException ignored) {
            // process gone
        }
    }

    private void stopServer(Server server) throws InterruptedException {
        try {
            OutputStream in = server.process().getOutputStream();
            in.close();
        } catch (IOException ignored) {
            // already gone
        }
        if (!server.process().waitFor(10, TimeUnit.SECONDS)) {
            server.process().destroy();
            if (!server.process().waitFor(5, TimeUnit.SECONDS)) {
                server.process().destroyForcibly();
            }
        }
        children.remove(server.process());
    }

    /** Runs perf.mjs with {@code args}; returns its JSON stdout lines; fails on an exit code other than 0 or 3. */
    private List<Map<String, Object>> runJs(String logName, Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(options.node, options.jsScript));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(log(logName)))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        children.add(p);
        try {
            p.getOutputStream().close();
            List<Map<String, Object>> lines = new ArrayList<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = out.readLine()) != null) {
                        if (line.startsWith("{")) {
                            synchronized (lines) {
                                lines.add(Json.parseObject(line));
                            }
                        }
                    }
                } catch (IOException | IllegalArgumentException ignored) {
                    // reported through the exit code
                }
            }, "js-client-stdout");
            reader.setDaemon(true);
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("js client timed out after " + timeout + "; see " + log(logName));
            }
            reader.join(5000);
            if (p.exitValue() != 0 && p.exitValue() != 3) {
                throw new IllegalStateException("js client exited with " + p.exitValue() + "; see " + log(logName));
            }
            synchronized (lines) {
                return new ArrayList<>(lines);
            }
        } finally {
            children.remove(p);
        }
    }

    private File log(String name) {
        return options.logDir.resolve(name + ".log").toFile();
    }

    private void killChildren() {
        for (Process p : children) {
            p.destroyForcibly();
        }
        children.clear();
    }

    // --- output ----------------------------------------------------------------------------------------------

    private void printTable(Map<String, Object> report) {
        @SuppressWarnings("unchecked")
        Map<String, Object> perf = (Map<String, Object>) report.get("perf");
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) report.get("establishment");
        @SuppressWarnings("unchecked")
        Map<String, Object> aead = (Map<String, Object>) report.get("aead");
        @SuppressWarnings("unchecked")
        Map<String, Object> ratios = (Map<String, Object>) report.get("ratios");
        System.out.println();
        System.out.printf(Locale.ROOT, "Perf /perf/1.0.0 over TCP+Noise+Yamux, one stream, %d MiB up then %d MiB down,"
                + " median of %d runs (%d warm-up), two processes per pair%n", options.sizeBytes / MIB,
                options.sizeBytes / MIB, options.runs, options.warmupRuns);
        System.out.println("  client -> server    GB/s    Gbit/s   upload GB/s  download GB/s  best GB/s  CPU s/run client/server"
                + "  Java JIT CPU s  GB/CPU s");
        for (Map.Entry<String, Object> e : perf.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            if (m.containsKey("error")) {
                System.out.printf(Locale.ROOT, "  %-16s  FAILED: %s%n", e.getKey(), m.get("error"));
                continue;
            }
            System.out.printf(Locale.ROOT, "  %-16s %6.3f  %7.2f   %10.3f  %12.3f  %9.3f    %6.2f / %-6.2f        %5.2f"
                    + "     %6.3f%s%n",
                    e.getKey(), num(m, "gbps"), num(m, "gbitps"), num(m, "uploadGBps"), num(m, "downloadGBps"),
                    num(m, "bestGBps"), num(m, "clientCpuSecondsMedian"), num(m, "serverCpuSecondsPerRun"),
                    num(m, "javaJitCpuSeconds"), num(m, "gbPerCpuSecond"), m.containsKey("incomplete") ? "   INCOMPLETE: " + m.get("incomplete") : "");
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Connection establishment: TCP connect + multistream + Noise XX + Yamux + first"
                + " ping round trip; %d fresh connections (%d warm-up), %d ms apart%n", options.connections,
                options.connectionWarmup, options.gapMs);
        System.out.println("  dialer -> listener  median ms   p95 ms   min ms   max ms   dial-only median ms (upgrade done)");
        for (Map.Entry<String, Object> e : latency.entrySet()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) e.getValue();
            if (m.containsKey("error")) {
                System.out.printf(Locale.ROOT, "  %-16s  FAILED: %s%n", e.getKey(), m.get("error"));
                continue;
            }
            System.out.printf(Locale.ROOT, "  %-16s  %9.2f  %7.2f  %7.2f  %7.2f   %s%n", e.getKey(),
                    num(m, "medianMs"), num(m, "p95Ms"), num(m, "minMs"), num(m, "maxMs"),
                    m.containsKey("upgradeMedianMs") ? String.format(Locale.ROOT, "%9.2f", num(m, "upgradeMedianMs"))
                            : "");
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "JDK ChaCha20-Poly1305 (SunJCE, raw Cipher), one thread, %,d-byte frames:"
                + " seal %.3f GB/s, open %.3f GB/s; lotus wrapper (%s) seal %.3f GB/s%n", AeadRate.FRAME,
                num(aead, "jdkSealGBps"), num(aead, "jdkOpenGBps"), aead.get("wrapperImplementation"),
                num(aead, "wrapperSealGBps"));
        System.out.println();
        System.out.println("Ratios (the AEAD targets mean the cipher the node uses: the JDK's where it has intrinsics)");
        System.out.println("                                               value   target   verdict");
        printRatio(ratios, "javaJavaOverJsJsThroughput", "Java<->Java / js<->js throughput");
        printRatio(ratios, "javaJavaOverJdkAeadSeal", "Java<->Java / JDK AEAD seal rate");
        printRatio(ratios, "javaJavaOverJdkAeadOpen", "Java<->Java / JDK AEAD open rate");
        printRatio(ratios, "javaJavaOverInUseAeadSeal", "Java<->Java / in-use AEAD (" + aead.get("wrapperImplementation")
                + ") seal");
        printRatio(ratios, "javaJavaOverJsJsBytesPerCpuSecond", "Java<->Java / js<->js bytes per CPU second");
        printRatio(ratios, "javaOverJsEstablishmentMedian", "Java->Java / js->js establishment median");
    }

    private static void printRatio(Map<String, Object> ratios, String key, String label) {
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) ratios.get(key);
        Object value = r.get("value");
        Object target = r.get("target");
        String v = value == null ? "n/a" : String.format(Locale.ROOT, "%.3f", ((Number) value).doubleValue());
        String t = target == null ? "" : ((Boolean) r.get("atLeast") ? ">= " : "<= ") + target;
        System.out.printf(Locale.ROOT, "  %-44s %6s   %-7s  %s%n", label, v, t,
                r.get("met") == null ? "" : ((Boolean) r.get("met") ? "met" : "MISSED"));
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    private static Map<String, Object> ratio(Double a, Double b, Double target, boolean atLeast) {
        Map<String, Object> r = Json.object();
        Double value = a == null || b == null || b == 0 ? null : a / b;
        r.put("value", value);
        r.put("target", target);
        r.put("atLeast", atLeast);
        r.put("met", value == null || target == null ? null : atLeast ? value >= target : value <= target);
        return r;
    }

    private static Double gbpsOf(Map<String, Object> perf, String name) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) perf.get(name);
        return m == null || !m.containsKey("gbps") ? null : num(m, "gbps");
    }

    private static Double cpuEfficiencyOf(Map<String, Object> perf, String name) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) perf.get(name);
        return m == null || !(m.get("gbPerCpuSecond") instanceof Double d) || d.isNaN() ? null : d;
    }

    private static Double medianOf(Map<String, Object> latency, String name) {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) latency.get(name);
        return m == null || !m.containsKey("medianMs") ? null : num(m, "medianMs");
    }

    private static double num(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number n)) {
            throw new IllegalStateException("missing number " + key + " in " + m);
        }
        return n.doubleValue();
    }

    private static double gb(double bytesPerSecond) {
        return bytesPerSecond / 1e9;
    }

    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Nearest-rank percentile of sorted values. */
    static double percentile(double[] sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The 1, 5 and 15 minute load averages (Linux), or "?". */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
