package org.lotusia.p2p.cli;

import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** {@code lotus-p2p ping MULTIADDR}: dials a peer and measures ping round trips. */
@Command(name = "ping", mixinStandardHelpOptions = true,
        description = "Dial a peer (TCP + Noise + Yamux) and ping it; exits non-zero when it cannot.")
final class PingCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "MULTIADDR",
            description = "The peer, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3KooW... (the /p2p part is checked when present).")
    String address;

    @Option(names = "--count", defaultValue = "3", description = "Number of pings (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--timeout", defaultValue = "10", description = "Seconds allowed for dialling and for each ping (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--count must be at least 1");
        }
        Multiaddr target = Multiaddr.parse(address);
        PrintWriter out = spec.commandLine().getOut();
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        try (Host host = Host.builder().build()) {
            host.start().join();
            try {
                Connection connection = host.connect(target).get(timeoutSeconds, TimeUnit.SECONDS);
                out.println("connected to " + connection.remotePeer() + " at " + connection.remoteAddress());
                List<Duration> rtts = host.pingService().ping(connection, count, timeout)
                        .get(timeoutSeconds * (long) count + 1, TimeUnit.SECONDS);
                for (int i = 0; i < rtts.size(); i++) {
                    out.printf("ping %d: %.3f ms%n", i + 1, rtts.get(i).toNanos() / 1e6);
                }
                out.flush();
            } catch (ExecutionException e) {
                throw new IllegalArgumentException("ping " + target + " failed: " + CliErrors.describe(e.getCause()), e);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalArgumentException("ping " + target + " timed out after " + timeoutSeconds + " s", e);
            }
        }
        return 0;
    }
}
