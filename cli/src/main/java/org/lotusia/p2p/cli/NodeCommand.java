package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.protocols.perf.PerfService;
import org.lotusia.p2p.P2PConfig;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.P2PStats;
import org.lotusia.p2p.coordinator.BackoffPolicy;
import org.lotusia.p2p.dht.DhtResourceConfig;
import org.lotusia.p2p.nat.NatTraversalConfig;
import org.lotusia.p2p.pubsub.MeshHealthConfig;
import org.lotusia.p2p.security.SecurityConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code lotus-p2p node}: runs a {@link P2PCoordinator} until stdin closes, the process is told to
 * stop (SIGTERM/SIGINT) or, with {@code --json}, a {@code stop} command arrives; then shuts down
 * gracefully. Every {@link P2PConfig} option is a flag named after it in kebab case (booleans
 * negatable). With {@code --json} stdout and stdin speak the control interface
 * ({@link ControlInterface}, {@link NodeEvents}; docs/control-interface.md).
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a Lotus P2P node (P2PCoordinator: TCP + Noise + Yamux, identify, ping, direct messages)"
                + " until stdin closes, SIGTERM/SIGINT, or a stop command.",
            "With --json, stdout carries one JSON event or reply per line and stdin takes one JSON command per line"
                + " (see docs/control-interface.md)."})
final class NodeCommand implements Callable<Integer> {
    private static final long SHUTDOWN_WAIT_SECONDS = 25;

    @Option(names = "--listen", paramLabel = "MULTIADDR", split = ",",
            description = "listen: address(es) to listen on; repeatable (default: " + P2PConfig.DEFAULT_LISTEN + ").")
    List<String> listen;

    @Option(names = "--announce", paramLabel = "MULTIADDR", split = ",",
            description = "announce: address(es) to advertise instead of the listen addresses; repeatable.")
    List<String> announce;

    @Option(names = "--bootstrap-peer", paramLabel = "MULTIADDR", split = ",",
            description = "bootstrapPeers: a peer to dial on start and re-dial with backoff (must end in /p2p/<id>); repeatable.")
    List<String> bootstrapPeers;

    @Option(names = "--bootstrap-max-attempts", paramLabel = "N",
            description = "bootstrapBackoff.maxAttempts: re-dials of a lost bootstrap peer before giving up (default: unlimited).")
    Integer bootstrapMaxAttempts;

    @Option(names = "--key", paramLabel = "FILE",
            description = "identityFile: loaded, or created (Ed25519, owner-only) when missing. Default: a new key each run.")
    Path key;

    @Option(names = "--enable-dht", negatable = true, description = "enableDHT: run the Kademlia DHT and resource management (announce, discover, ... commands).")
    Boolean enableDht;

    @Option(names = "--dht-protocol", paramLabel = "ID",
            description = "dhtProtocol: the DHT protocol id (default: " + P2PConfig.DEFAULT_DHT_PROTOCOL + ").")
    String dhtProtocol;

    @Option(names = "--sign-resources", negatable = true,
            description = "dhtResources.signRecords: sign announced resource records with the node key.")
    Boolean signResources;

    @Option(names = "--enable-dht-server", negatable = true, description = "enableDHTServer: DHT server mode (answer queries, store records); needs --enable-dht.")
    Boolean enableDhtServer;

    @Option(names = "--enable-gossipsub", negatable = true,
            description = "enableGossipSub: run GossipSub pub/sub (control commands subscribe, publish, topicPeers; default: off).")
    Boolean enableGossipsub;

    @Option(names = "--mesh-health-interval", paramLabel = "MS",
            description = "meshHealth.checkInterval: milliseconds between GossipSub mesh health checks (default: 30000).")
    Long meshHealthIntervalMs;

    @Option(names = "--mesh-min-peers", paramLabel = "N",
            description = "meshHealth.minMeshPeers: mesh peers a topic needs to be healthy (default: 0 = GossipSub's Dlo, 4).")
    Integer meshMinPeers;

    @Option(names = "--enable-relay", negatable = true, description = "enableRelay: circuit relay v2 client: reserve on relays (bootstrap peers running a relay server,"
                    + " --relay-address), announce relay addresses, dial through relays (control command connectViaRelay).")
    Boolean enableRelay;

    @Option(names = "--enable-relay-server", negatable = true, description = "enableRelayServer: act as a circuit relay v2 for other peers (default limits: 128 reservations,"
                    + " circuits of 2 minutes / 128 KiB).")
    Boolean enableRelayServer;

    @Option(names = "--enable-autonat", negatable = true, description = "enableAutoNAT: AutoNAT client and server; reachability PUBLIC/PRIVATE/UNKNOWN (control command reachability).")
    Boolean enableAutonat;

    @Option(names = "--enable-dcutr", negatable = true, description = "enableDCUTR: DCUtR hole punching, upgrading relayed connections to direct ones (needs --enable-relay).")
    Boolean enableDcutr;

    @Option(names = "--enable-upnp", negatable = true,
            description = "enableUPnP: map the IPv4 listen port on the LAN's UPnP gateway and announce it (opt-in).")
    Boolean enableUpnp;

    @Option(names = "--relay-address", paramLabel = "MULTIADDR", split = ",",
            description = "natTraversal.relayAddresses: a relay to reserve on (must end in /p2p/<id>; needs --enable-relay); repeatable.")
    List<String> relayAddresses;

    @Option(names = "--nat-allow-private-addresses", negatable = true,
            description = "natTraversal: AutoNAT and DCUtR also use private and loopback addresses (LANs and tests; default: off).")
    Boolean natAllowPrivateAddresses;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "maxConnections: the most open connections (default: " + P2PConfig.DEFAULT_MAX_CONNECTIONS + ").")
    Integer maxConnections;

    @Option(names = "--metadata", paramLabel = "KEY=VALUE",
            description = "metadata: an application metadata entry (not sent to peers); repeatable.")
    Map<String, String> metadata;

    @Option(names = "--disable-rate-limiting", negatable = true,
            description = "securityConfig.disableRateLimiting: turn message and DHT rate limits off (never in production).")
    Boolean disableRateLimiting;

    @Option(names = "--security-limit", paramLabel = "NAME=NUMBER",
            description = "securityConfig.customLimits: override one security limit, e.g. MAX_P2P_MESSAGE_SIZE=65536; repeatable.")
    Map<String, Double> securityLimits;

    @Option(names = "--json", description = "Speak the control interface: JSON events and replies on stdout, JSON commands on stdin.")
    boolean json;

    @Option(names = "--perf", description = "Also serve the perf protocol (/perf/1.0.0).")
    boolean perf;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        P2PConfig config = config();
        PrintWriter printer = spec.commandLine().getOut();
        JsonLines out = json ? new JsonLines(printer) : null;
        CountDownLatch stopRequested = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(1);
        Thread signalHook = new Thread(() -> {
            stopRequested.countDown();
            awaitQuietly(finished);
        }, "lotus-node-shutdown");
        // Registered before the started line, so a SIGTERM right after it still stops gracefully.
        Runtime.getRuntime().addShutdownHook(signalHook);
        Throwable failure = null;
        try (P2PCoordinator node = new P2PCoordinator(config);
             NodeEvents events = new NodeEvents(node, out, printer)) {
            events.subscribe();
            node.start().join();
            if (perf) {
                new PerfService(node.host()).serve();
            }
            announceStart(node, out, printer);
            events.open();
            startStdinReader(node, out, stopRequested);
            stopRequested.await();
            node.close();
            if (out != null) {
                out.emit(out.object().put("event", "stopped"));
            } else {
                printer.println("stopped");
                printer.flush();
            }
        } catch (Exception | Error e) {
            failure = e;
            throw e;
        } finally {
            boolean exiting = !removeHook(signalHook);
            if (failure != null && exiting) {
                // The JVM halts once the hook returns, before picocli could report the failure.
                new CliErrors().handleExecutionException(failure instanceof Exception ex ? ex
                        : new RuntimeException(failure), spec.commandLine(), null);
                spec.commandLine().getErr().flush();
            }
            finished.countDown();
        }
        return 0;
    }

    /** The coordinator configuration from the flags; only given flags override P2PConfig's defaults. */
    P2PConfig config() {
        P2PConfig.Builder b = P2PConfig.builder();
        if (listen != null) {
            b.listen(listen.toArray(String[]::new));
        }
        if (announce != null) {
            b.announce(announce.toArray(String[]::new));
        }
        if (bootstrapPeers != null) {
            b.bootstrapPeers(bootstrapPeers.toArray(String[]::new));
        }
        if (bootstrapMaxAttempts != null) {
            b.bootstrapBackoff(BackoffPolicy.defaults().withMaxAttempts(bootstrapMaxAttempts));
        }
        if (key != null) {
            b.identityFile(key);
        }
        if (enableDht != null) {
            b.enableDHT(enableDht);
        }
        if (signResources != null) {
            b.dhtResources(DhtResourceConfig.defaults().withSignatures(signResources, false));
        }
        if (dhtProtocol != null) {
            b.dhtProtocol(dhtProtocol);
        }
        if (enableDhtServer != null) {
            b.enableDHTServer(enableDhtServer);
        }
        if (enableGossipsub != null) {
            b.enableGossipSub(enableGossipsub);
        }
        if (meshHealthIntervalMs != null || meshMinPeers != null) {
            MeshHealthConfig health = MeshHealthConfig.defaults();
            if (meshHealthIntervalMs != null) {
                health = health.withCheckInterval(Duration.ofMillis(meshHealthIntervalMs));
            }
            if (meshMinPeers != null) {
                health = health.withMinMeshPeers(meshMinPeers);
            }
            b.meshHealth(health);
        }
        if (enableRelay != null) {
            b.enableRelay(enableRelay);
        }
        if (enableRelayServer != null) {
            b.enableRelayServer(enableRelayServer);
        }
        if (enableAutonat != null) {
            b.enableAutoNAT(enableAutonat);
        }
        if (enableDcutr != null) {
            b.enableDCUTR(enableDcutr);
        }
        if (enableUpnp != null) {
            b.enableUPnP(enableUpnp);
        }
        if (relayAddresses != null || natAllowPrivateAddresses != null) {
            NatTraversalConfig.Builder nat = NatTraversalConfig.builder();
            if (relayAddresses != null) {
                nat.relayAddresses(relayAddresses.toArray(String[]::new));
            }
            if (natAllowPrivateAddresses != null) {
                NatTraversalConfig defaults = NatTraversalConfig.defaults();
                nat.autoNat(defaults.autoNat().withAllowPrivateAddresses(natAllowPrivateAddresses))
                        .dcutr(defaults.dcutr().withAllowPrivateAddresses(natAllowPrivateAddresses));
            }
            b.natTraversal(nat.build());
        }
        if (maxConnections != null) {
            b.maxConnections(maxConnections);
        }
        if (metadata != null) {
            metadata.forEach(b::metadata);
        }
        if (disableRateLimiting != null || securityLimits != null) {
            SecurityConfig.Builder security = SecurityConfig.builder();
            if (disableRateLimiting != null) {
                security.disableRateLimiting(disableRateLimiting);
            }
            if (securityLimits != null) {
                securityLimits.forEach((name, value) -> security.customLimit(name, integral(value)));
            }
            b.securityConfig(security.build());
        }
        return b.build();
    }

    private static Number integral(Double value) {
        return value == Math.rint(value) && Math.abs(value) < 9.0e15 ? (Number) value.longValue() : value;
    }

    private void announceStart(P2PCoordinator node, JsonLines out, PrintWriter printer) {
        P2PStats stats = node.getStats();
        if (out != null) {
            ObjectNode event = out.object().put("event", "started").put("peerId", node.peerId().toString());
            ControlJson.addresses(event.putArray("addrs"), stats.multiaddrs());
            out.emit(event);
        } else {
            printer.println("peer id: " + node.peerId());
            stats.multiaddrs().forEach(a -> printer.println("listening on " + a));
            printer.flush();
        }
    }

    /** Reads stdin on a daemon thread: commands with --json, otherwise only until it closes. */
    private static void startStdinReader(P2PCoordinator node, JsonLines out, CountDownLatch stopRequested) {
        Thread reader = new Thread(() -> {
            InputStreamReader stdin = new InputStreamReader(System.in, StandardCharsets.UTF_8);
            try {
                if (out != null) {
                    new ControlInterface(node, out, stopRequested::countDown).run(stdin);
                } else {
                    BoundedLineReader lines = new BoundedLineReader(stdin, ControlInterface.MAX_LINE_CHARS);
                    while (lines.readLine() != null) {
                        // Without --json, input lines are ignored; the end of input stops the node.
                    }
                }
            } catch (IOException e) {
                // A broken stdin means the controlling process is gone: stop.
            }
            stopRequested.countDown();
        }, "lotus-node-stdin");
        reader.setDaemon(true);
        reader.start();
    }

    /** Removes the hook; false when the JVM is already shutting down (the hook is running). */
    private static boolean removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
