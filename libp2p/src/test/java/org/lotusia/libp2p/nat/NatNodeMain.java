package org.lotusia.libp2p.nat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.nat.autonat.AutoNat;
import org.lotusia.libp2p.nat.autonat.AutoNatConfig;
import org.lotusia.libp2p.nat.dcutr.Dcutr;
import org.lotusia.libp2p.nat.dcutr.DcutrConfig;
import org.lotusia.libp2p.nat.upnp.UpnpConfig;
import org.lotusia.libp2p.nat.upnp.UpnpPortMapper;
import org.lotusia.libp2p.relay.RelayClient;
import org.lotusia.libp2p.relay.RelayClientConfig;
import org.lotusia.libp2p.relay.RelayServer;
import org.lotusia.libp2p.relay.RelayServerConfig;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A Java libp2p node for the network-namespace tests, started by the test inside a namespace with
 * {@code ip netns exec <ns> java -cp <test class path> org.lotusia.libp2p.nat.NatNodeMain '<json config>'}.
 * It speaks JSON lines ({@link org.lotusia.libp2p.testing.netns.NsProcess}): prints {@code ready}
 * with its peer id and addresses, then answers commands on stdin and reports connection,
 * reachability and DCUtR events; it shuts down when stdin ends.
 *
 * <p>Config: {@code listen} (multiaddr), {@code reusePort}, {@code relayServer}, {@code relayClient},
 * {@code autonat} ({@code {"server":…,"client":…,"minConfirmations":…,"probeSeconds":…}}),
 * {@code dcutr}. Private addresses are allowed throughout (the test network uses 10.99/16 and
 * 192.168/16).
 */
public final class NatNodeMain {
    /** A test protocol allowed on limited connections: echoes one length-prefixed message. */
    public static final String ECHO = "/lotus-test/nat-echo/1.0.0";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
            StandardCharsets.UTF_8);

    private final Host host;
    private RelayServer relayServer;
    private RelayClient relayClient;
    private AutoNat autoNat;
    private Dcutr dcutr;
    private UpnpPortMapper upnp;
    private final ObservedAddresses observed;

    private NatNodeMain(JsonNode config) {
        host = Host.builder()
                .listen(Multiaddr.parse(config.path("listen").asText("/ip4/0.0.0.0/tcp/4001")))
                .reusePort(config.path("reusePort").asBoolean(true))
                .build();
        observed = new ObservedAddresses(host, 1);
        host.handle(ECHO, stream -> {
            FramedStream framed = FramedStream.install(stream, 4096);
            framed.read().thenCompose(framed::write).whenComplete((v, e) -> framed.closeWrite());
        }, new ProtocolOptions(8, true));
        host.addListener(new HostListener() {
            @Override
            public void connectionOpened(Connection c) {
                emit(connectionJson(c).put("event", "connection").put("state", "open"));
            }

            @Override
            public void connectionClosed(Connection c) {
                emit(connectionJson(c).put("event", "connection").put("state", "closed"));
            }
        });
        host.start().join();
        if (config.path("relayServer").asBoolean(false)) {
            relayServer = RelayServer.start(host, RelayServerConfig.defaults());
        }
        if (config.path("relayClient").asBoolean(false)) {
            relayClient = RelayClient.start(host, RelayClientConfig.defaults());
        }
        JsonNode an = config.path("autonat");
        if (an.isObject()) {
            AutoNatConfig c = AutoNatConfig.defaults()
                    .withServer(an.path("server").asBoolean(true))
                    .withClient(an.path("client").asBoolean(true))
                    .withMinConfirmations(an.path("minConfirmations").asInt(2))
                    .withProbeInterval(Duration.ofSeconds(an.path("probeSeconds").asInt(3)))
                    .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(3))
                    .withAllowPrivateAddresses(true);
            autoNat = AutoNat.start(host, c, observed);
            autoNat.addListener(r -> emit(JSON.createObjectNode().put("event", "reachability").put("status", r.name())));
        }
        if (config.path("dcutr").asBoolean(false)) {
            dcutr = Dcutr.start(host, DcutrConfig.defaults().withAllowPrivateAddresses(true)
                    .withAutoUpgrade(config.path("dcutrAuto").asBoolean(true)), observed);
            dcutr.addListener(new Dcutr.Listener() {
                @Override
                public void upgraded(PeerId peer, Connection direct) {
                    emit(connectionJson(direct).put("event", "dcutr").put("result", "upgraded"));
                }

                @Override
                public void failed(PeerId peer, Throwable cause) {
                    emit(JSON.createObjectNode().put("event", "dcutr").put("result", "failed")
                            .put("peer", peer.toString()).put("error", String.valueOf(cause)));
                }
            });
        }
    }

    private static ObjectNode connectionJson(Connection c) {
        return JSON.createObjectNode()
                .put("peer", c.remotePeer().toString())
                .put("remoteAddr", c.remoteAddress().toString())
                .put("localAddr", String.valueOf(c.localAddress()))
                .put("direction", c.direction().name())
                .put("limited", c.isLimited())
                .put("relayed", NatAddresses.isRelayed(c.remoteAddress()));
    }

    private static synchronized void emit(ObjectNode event) {
        OUT.println(event.toString());
    }

    private ObjectNode execute(String cmd, JsonNode command) throws Exception {
        ObjectNode result = JSON.createObjectNode();
        switch (cmd) {
            case "connect" -> {
                Connection c = host.connect(Multiaddr.parse(command.path("addr").asText())).get(15, TimeUnit.SECONDS);
                result.setAll(connectionJson(c));
            }
            case "dialNew" -> {
                Connection c = host.dialNewConnection(Multiaddr.parse(command.path("addr").asText()),
                        command.path("asResponder").asBoolean(false)).get(15, TimeUnit.SECONDS);
                result.setAll(connectionJson(c));
            }
            case "dcutrUpgrade" -> {
                PeerId peer = PeerId.parse(command.path("peer").asText());
                Connection relayed = host.connections().stream()
                        .filter(x -> x.remotePeer().equals(peer) && NatAddresses.isRelayed(x.remoteAddress()))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no relayed connection to " + peer));
                Connection direct = dcutr.upgrade(relayed).get(40, TimeUnit.SECONDS);
                result.setAll(connectionJson(direct));
                result.put("relayedOpen", relayed.isOpen());
            }
            case "reserve" -> {
                relayClient.reserve(Multiaddr.parse(command.path("relay").asText())).get(15, TimeUnit.SECONDS);
                ArrayNode addrs = result.putArray("relayAddrs");
                relayClient.relayAddresses().forEach(a -> addrs.add(a.toString()));
            }
            case "dialRelayed" -> {
                Connection c = relayClient.dial(Multiaddr.parse(command.path("addr").asText())).get(15, TimeUnit.SECONDS);
                result.setAll(connectionJson(c));
            }
            case "echo" -> {
                PeerId peer = PeerId.parse(command.path("peer").asText());
                boolean direct = command.path("direct").asBoolean(false);
                Connection c = host.connections().stream()
                        .filter(x -> x.remotePeer().equals(peer) && (!direct || !NatAddresses.isRelayed(x.remoteAddress())))
                        .findFirst().orElseThrow(() -> new IllegalStateException("no connection to " + peer));
                AtomicReference<FramedStream> framed = new AtomicReference<>();
                c.newStream(List.of(ECHO), s -> framed.set(FramedStream.install(s, 4096)), true).get(10, TimeUnit.SECONDS);
                framed.get().write(command.path("text").asText().getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                byte[] reply = framed.get().read().get(10, TimeUnit.SECONDS);
                framed.get().stream().channel().close();
                result.put("reply", new String(reply, StandardCharsets.UTF_8));
                result.setAll(connectionJson(c));
            }
            case "connections" -> {
                ArrayNode list = result.putArray("connections");
                host.connections().forEach(c -> list.add(connectionJson(c)));
            }
            case "reachability" -> {
                result.put("status", autoNat.reachability().name());
                autoNat.publicAddress().ifPresent(a -> result.put("publicAddr", a.toString()));
                ArrayNode obs = result.putArray("observed");
                observed.all().forEach(a -> obs.add(a.toString()));
            }
            case "probe" -> result.put("status", autoNat.probe().get(20, TimeUnit.SECONDS).name());
            case "upnpStart" -> {
                upnp = UpnpPortMapper.start(host, UpnpConfig.defaults()
                        .withLeaseDuration(Duration.ofSeconds(command.path("leaseSeconds").asInt(3600))));
                Multiaddr external = upnp.mapped().get(20, TimeUnit.SECONDS);
                result.put("externalAddr", external.toString());
                result.put("gateway", upnp.gatewayDescription());
            }
            case "upnpStop" -> {
                upnp.close();
                upnp = null;
            }
            case "addresses" -> {
                ArrayNode list = result.putArray("addrs");
                host.advertisedAddresses().forEach(a -> list.add(a.toString()));
            }
            default -> throw new IllegalArgumentException("unknown command " + cmd);
        }
        return result;
    }

    private void close() {
        for (AutoCloseable c : new AutoCloseable[]{upnp, dcutr, autoNat, relayClient, relayServer, observed}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.err.println("close failed: " + e);
                }
            }
        }
        host.close();
    }

    /** Runs the node; {@code args[0]} is the JSON config. */
    public static void main(String[] args) throws Exception {
        JsonNode config = JSON.readTree(args.length > 0 ? args[0] : "{}");
        NatNodeMain node = new NatNodeMain(config);
        ObjectNode ready = JSON.createObjectNode().put("event", "ready").put("peerId", node.host.peerId().toString());
        ArrayNode addrs = ready.putArray("addrs");
        node.host.listenAddresses().forEach(a -> addrs.add(a.toString()));
        emit(ready);
        ExecutorService commands = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "nat-node-command");
            t.setDaemon(true);
            return t;
        });
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode command = JSON.readTree(line);
                long id = command.path("id").asLong();
                String cmd = command.path("cmd").asText();
                inFlight.add(CompletableFuture.runAsync(() -> {
                    try {
                        ObjectNode result = node.execute(cmd, command);
                        result.put("event", "result").put("id", id);
                        emit(result);
                    } catch (Exception | AssertionError e) {
                        Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
                        emit(JSON.createObjectNode().put("event", "error").put("id", id).put("error", cause.toString()));
                    }
                }, commands));
            }
        }
        node.close();
        commands.shutdownNow();
        System.exit(0);
    }
}
