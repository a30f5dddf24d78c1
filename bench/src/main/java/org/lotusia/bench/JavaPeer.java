package org.lotusia.bench;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.protocols.perf.PerfService;
import org.lotusia.libp2p.security.noise.ChaChaPolyAead;

/**
 * The Java server of the connection benchmarks, run as its own process by {@link ConnectionBenchmark}: a host that
 * serves {@code /perf/1.0.0} and ping on {@code 127.0.0.1}.
 *
 * <pre>
 *   java -cp lotus-p2p-bench.jar org.lotusia.bench.JavaPeer --run-server [--server-address 127.0.0.1:0]
 * </pre>
 * Prints one line {@code {"type":"ready","multiaddr":...,"peerId":...,"java":...,"aead":...}} on stdout, then serves
 * until stdin reaches EOF (or the process is terminated).
 */
public final class JavaPeer {
    private JavaPeer() {
    }

    public static void main(String[] args) throws Exception {
        String address = "127.0.0.1:0";
        boolean server = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--run-server" -> server = true;
                case "--server-address" -> address = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (!server) {
            System.err.println("usage: JavaPeer --run-server [--server-address HOST:PORT]");
            System.exit(2);
        }
        CountDownLatch stop = new CountDownLatch(1);
        try (Host host = Host.builder().listen(toMultiaddr(address)).build()) {
            new PerfService(host).serve();
            host.start().join();
            Map<String, Object> ready = Json.object();
            ready.put("type", "ready");
            ready.put("multiaddr", host.shareableAddresses().get(0).toString());
            ready.put("peerId", host.peerId().toString());
            ready.put("java", Runtime.version().toString());
            ready.put("aead", ChaChaPolyAead.describe());
            System.out.println(Json.write(ready));
            System.out.flush();
            Thread stdin = new Thread(() -> {
                try (InputStream in = System.in) {
                    byte[] buf = new byte[256];
                    while (in.read(buf) >= 0) {
                        // the controller keeps stdin open while it needs us
                    }
                } catch (IOException ignored) {
                    // controller gone
                }
                stop.countDown();
            }, "java-peer-stdin");
            stdin.setDaemon(true);
            stdin.start();
            Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
            stop.await();
        }
    }

    /** {@code HOST:PORT} or a multiaddr. */
    static Multiaddr toMultiaddr(String address) {
        if (address.startsWith("/")) {
            return Multiaddr.parse(address);
        }
        int colon = address.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("address must be HOST:PORT or a multiaddr: " + address);
        }
        String host = address.substring(0, colon);
        String port = address.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            return Multiaddr.parse("/ip6/" + host.substring(1, host.length() - 1) + "/tcp/" + port);
        }
        return Multiaddr.parse((host.contains(":") ? "/ip6/" : "/ip4/") + host + "/tcp/" + port);
    }
}
