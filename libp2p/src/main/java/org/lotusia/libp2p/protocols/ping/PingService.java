package org.lotusia.libp2p.protocols.ping;

import io.netty.handler.timeout.IdleStateHandler;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.ProtocolOptions;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code /ipfs/ping/1.0.0}: answers pings (js-libp2p pings every connection every 10 s and drops
 * it on failure, so every host serves this) and measures round-trip times to peers.
 */
public final class PingService implements AutoCloseable {
    /** The protocol id. */
    public static final String PROTOCOL = "/ipfs/ping/1.0.0";
    /** Bytes in one ping. */
    public static final int PING_SIZE = 32;
    /** Echo budget of one inbound stream (a long-lived pinger sends 32 bytes at a time). */
    static final long MAX_ECHO_BYTES = 1L << 20;
    /** An inbound ping stream idle this long is reset. */
    static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** How long one ping may take by default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Host host;

    /** Registers the ping handler on {@code host} (at most 2 concurrent inbound streams per connection, as the spec allows). */
    public PingService(Host host) {
        this.host = host;
        host.handle(PROTOCOL, stream -> stream.channel().pipeline().addLast(
                new IdleStateHandler(0, 0, IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                new PingResponder()), new ProtocolOptions(2, true));
    }

    /** Pings {@code peer} once (connecting if needed); completes with the round-trip time. */
    public CompletableFuture<Duration> ping(PeerId peer) {
        return ping(peer, 1, DEFAULT_TIMEOUT).thenApply(rtts -> rtts.get(0));
    }

    /** Pings {@code peer} {@code count} times on one stream; completes with each round-trip time. */
    public CompletableFuture<List<Duration>> ping(PeerId peer, int count, Duration timeout) {
        return host.connect(peer).thenCompose(connection -> ping(connection, count, timeout));
    }

    /** Pings over an existing connection {@code count} times. */
    public CompletableFuture<List<Duration>> ping(Connection connection, int count, Duration timeout) {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1");
        }
        CompletableFuture<List<Duration>> result = new CompletableFuture<>();
        connection.newStream(List.of(PROTOCOL), stream ->
                        stream.channel().pipeline().addLast(new PingClientHandler(count, result)))
                .whenComplete((stream, error) -> {
                    if (error != null) {
                        result.completeExceptionally(error);
                    }
                });
        return result.orTimeout(timeout.toMillis() * count, TimeUnit.MILLISECONDS)
                .exceptionallyCompose(e -> {
                    Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                            ? e.getCause() : e;
                    return CompletableFuture.failedFuture(cause instanceof TimeoutException
                            ? new TimeoutException("ping to " + connection.remotePeer() + " timed out after "
                            + timeout.toMillis() * count + " ms") : cause);
                });
    }

    @Override
    public void close() {
        host.removeStreamHandler(PROTOCOL);
    }
}
