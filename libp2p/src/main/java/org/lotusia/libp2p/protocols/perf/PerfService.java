package org.lotusia.libp2p.protocols.perf;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;

/**
 * The libp2p perf protocol ({@code /perf/1.0.0}): a client uploads N bytes and asks the server to
 * send M bytes back, measuring throughput. Not registered by default (the spec advises against
 * serving it on public nodes); {@link #serve()} turns the server side on.
 */
public final class PerfService implements AutoCloseable {
    /** The protocol id. */
    public static final String PROTOCOL = "/perf/1.0.0";
    /** The most a client may ask the server to send (larger requests reset the stream). */
    public static final long MAX_DOWNLOAD_BYTES = 1L << 40;

    private final Host host;

    /** A perf client (and, after {@link #serve()}, server) on {@code host}. */
    public PerfService(Host host) {
        this.host = host;
    }

    /** Serves perf requests (one concurrent stream per connection, as js does). */
    public PerfService serve() {
        host.setStreamHandler(PROTOCOL, stream -> stream.channel().pipeline()
                .addLast(new PerfServerHandler(MAX_DOWNLOAD_BYTES)), 1);
        return this;
    }

    /** Runs one perf exchange over {@code connection}. */
    public CompletableFuture<PerfResult> run(Connection connection, long uploadBytes, long downloadBytes) {
        return run(connection, uploadBytes, downloadBytes, received -> { });
    }

    /**
     * Runs one perf exchange over {@code connection}, reporting the running count of received bytes
     * to {@code progress} (on the I/O thread: keep it cheap).
     */
    public CompletableFuture<PerfResult> run(Connection connection, long uploadBytes, long downloadBytes,
                                             LongConsumer progress) {
        if (uploadBytes < 0 || downloadBytes < 0) {
            throw new IllegalArgumentException("byte counts must not be negative");
        }
        CompletableFuture<PerfResult> result = new CompletableFuture<>();
        long startedAt = System.nanoTime();
        connection.newStream(List.of(PROTOCOL), stream -> {
            PerfClientHandler counter = new PerfClientHandler(uploadBytes, downloadBytes, startedAt, result, progress);
            BulkSender uploader = new BulkSender(uploadBytes, counter::uploadDone);
            stream.channel().pipeline().addLast(counter, uploader);
            // js reads the 8-byte header from the first data frame: write it on its own, before the upload.
            stream.channel().write(Unpooled.buffer(8).writeLong(downloadBytes));
            ChannelHandlerContext ctx = stream.channel().pipeline().context(uploader);
            uploader.start(ctx);
        }).whenComplete((stream, error) -> {
            if (error != null) {
                result.completeExceptionally(error);
            }
        });
        return result;
    }

    @Override
    public void close() {
        host.removeStreamHandler(PROTOCOL);
    }
}
