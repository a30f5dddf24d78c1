package org.lotusia.p2p.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.IdentityFile;
import org.lotusia.libp2p.crypto.KeyType;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PrivateKey;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.protocols.perf.PerfService;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lotus-p2p node}: runs a node until stdin closes or the process is told to stop
 * (SIGTERM/SIGINT), then shuts down gracefully.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run a libp2p node (TCP + Noise + Yamux, identify, ping) until stdin closes or SIGTERM/SIGINT.")
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "MULTIADDR", split = ",",
            defaultValue = "/ip4/0.0.0.0/tcp/0",
            description = "Address(es) to listen on; repeatable (default: ${DEFAULT-VALUE}).")
    List<String> listen;

    @Option(names = "--key", paramLabel = "FILE",
            description = "Identity file; created (Ed25519, owner-only) when it does not exist. Default: a new key each run.")
    Path key;

    @Option(names = "--json", description = "Machine-readable output: one JSON event per line on stdout.")
    boolean json;

    @Option(names = "--perf", description = "Also serve the perf protocol (/perf/1.0.0).")
    boolean perf;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        List<Multiaddr> addresses = listen.stream().map(Multiaddr::parse).toList();
        PrivateKey identity = identity();
        JsonLines out = new JsonLines(spec.commandLine().getOut());
        CountDownLatch stopped = new CountDownLatch(1);
        try (Host host = Host.builder().identity(identity).listen(addresses).build()) {
            if (perf) {
                new PerfService(host).serve();
            }
            host.addListener(new EventPrinter(out, json, spec.commandLine().getOut()));
            host.start().join();
            announceStart(host, out);
            Thread stdinWatcher = new Thread(() -> {
                drain();
                stopped.countDown();
            }, "lotus-node-stdin");
            stdinWatcher.setDaemon(true);
            stdinWatcher.start();
            Thread signalHook = new Thread(stopped::countDown, "lotus-node-shutdown");
            Runtime.getRuntime().addShutdownHook(signalHook);
            stopped.await();
            if (json) {
                ObjectNode event = out.object().put("event", "stopped");
                out.emit(event);
            }
        }
        return 0;
    }

    private PrivateKey identity() {
        if (key == null) {
            return org.lotusia.libp2p.crypto.Keys.generateEd25519();
        }
        if (Files.exists(key)) {
            return IdentityFile.load(key);
        }
        return IdentityFile.loadOrCreate(key, KeyType.ED25519);
    }

    private void announceStart(Host host, JsonLines out) {
        if (json) {
            ObjectNode event = out.object().put("event", "started").put("peerId", host.peerId().toString());
            ArrayNode addrs = event.putArray("addrs");
            host.shareableAddresses().forEach(a -> addrs.add(a.toString()));
            out.emit(event);
        } else {
            var printer = spec.commandLine().getOut();
            printer.println("peer id: " + host.peerId());
            host.shareableAddresses().forEach(a -> printer.println("listening on " + a));
            printer.flush();
        }
    }

    /** Reads stdin until it closes (control commands on stdin arrive with the coordinator). */
    private static void drain() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            while (reader.readLine() != null) {
                // Lines are ignored for now.
            }
        } catch (IOException e) {
            // A broken stdin means the controlling process is gone: stop.
        }
    }

    /** Prints connection events as JSON lines or readable text. */
    private static final class EventPrinter implements HostListener {
        private final JsonLines out;
        private final boolean json;
        private final java.io.PrintWriter text;

        EventPrinter(JsonLines out, boolean json, java.io.PrintWriter text) {
            this.out = out;
            this.json = json;
            this.text = text;
        }

        @Override
        public void connectionOpened(Connection connection) {
            print("peer:connect", connection.remotePeer(), connection);
        }

        @Override
        public void connectionClosed(Connection connection) {
            print("peer:disconnect", connection.remotePeer(), connection);
        }

        @Override
        public void peerIdentified(PeerId peer, PeerRecordView info) {
            if (json) {
                ObjectNode event = out.object().put("event", "peer:identify").put("peerId", peer.toString());
                info.agentVersion().ifPresent(a -> event.put("agentVersion", a));
                ArrayNode protocols = event.putArray("protocols");
                info.protocols().forEach(protocols::add);
                ArrayNode addrs = event.putArray("addrs");
                info.addresses().forEach(a -> addrs.add(a.toString()));
                out.emit(event);
            } else {
                synchronized (text) {
                    text.println("identified " + peer + " (" + info.agentVersion().orElse("unknown agent") + ")");
                    text.flush();
                }
            }
        }

        private void print(String name, PeerId peer, Connection connection) {
            if (json) {
                out.emit(out.object().put("event", name).put("peerId", peer.toString())
                        .put("direction", connection.direction().name().toLowerCase(java.util.Locale.ROOT))
                        .put("addr", connection.remoteAddress().toString()));
            } else {
                synchronized (text) {
                    text.println(name + " " + peer + " " + connection.remoteAddress());
                    text.flush();
                }
            }
        }
    }
}
