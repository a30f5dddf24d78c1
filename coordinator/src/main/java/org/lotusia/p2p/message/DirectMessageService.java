package org.lotusia.p2p.message;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Direct messages on {@value DirectMessaging#PROTOCOL_ID} for one {@link Host}: serves the protocol
 * with a {@link MessageStreamReader} per inbound stream and hands the bytes (or the failure) to a
 * {@link DirectMessageSink}; sends with {@link MessageSender}. No parsing here. Thread-safe.
 *
 * <pre>{@code
 * DirectMessageService service = DirectMessageService.builder(host, sink).build();
 * service.start();
 * service.send(peer, protocol.serialize(message)).join();
 * }</pre>
 */
public final class DirectMessageService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DirectMessageService.class);

    private final Host host;
    private final DirectMessageSink sink;
    private final int maxMessageBytes;
    private final Duration readTimeout;
    private final int maxInboundStreams;
    private final Executor executor;
    private volatile boolean started;

    private DirectMessageService(Builder b) {
        this.host = b.host;
        this.sink = b.sink;
        this.maxMessageBytes = b.maxMessageBytes;
        this.readTimeout = b.readTimeout;
        this.maxInboundStreams = b.maxInboundStreams;
        this.executor = b.executor;
    }

    /** Starts configuring a service for {@code host} delivering to {@code sink}. */
    public static Builder builder(Host host, DirectMessageSink sink) {
        return new Builder(host, sink);
    }

    /** Registers the stream handler on the host. Idempotent. */
    public synchronized void start() {
        if (!started) {
            // Direct messages may run on limited (relayed) connections, unlike js's default: the
            // reference's relay path exists to carry them (see P2PCoordinator.connectToPeerViaRelay).
            host.handle(DirectMessaging.PROTOCOL_ID, this::accept, new ProtocolOptions(maxInboundStreams, true));
            started = true;
        }
    }

    /** Removes the stream handler (streams in progress finish). Idempotent. */
    @Override
    public synchronized void close() {
        if (started) {
            host.removeStreamHandler(DirectMessaging.PROTOCOL_ID);
            started = false;
        }
    }

    /** Sends one message's bytes to {@code peer} (see {@link MessageSender#send(Host, PeerId, byte[])}). */
    public CompletableFuture<Void> send(PeerId peer, byte[] body) {
        return MessageSender.send(host, peer, body);
    }

    /** Largest accepted inbound message. */
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Inbound whole-message deadline. */
    public Duration readTimeout() {
        return readTimeout;
    }

    private void accept(Libp2pStream stream) {
        PeerId remote = stream.remotePeer();
        Connection connection = stream.connection();
        stream.channel().pipeline().addLast("lotus-message-reader",
                new MessageStreamReader(maxMessageBytes, readTimeout, new MessageStreamReader.Listener() {
                    @Override
                    public void onMessage(byte[] body) {
                        dispatch(() -> sink.onMessage(body, remote, connection));
                    }

                    @Override
                    public void onFailure(ReceiveFailure failure, String detail) {
                        LOG.debug("direct message from {} failed: {} ({})", remote, failure, detail);
                        dispatch(() -> sink.onFailure(failure, remote, connection, detail));
                    }
                }));
    }

    private void dispatch(Runnable task) {
        Runnable safe = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.warn("direct message sink failed", e);
            }
        };
        try {
            executor.execute(safe);
        } catch (RejectedExecutionException e) {
            LOG.debug("direct message dropped: executor rejected it");
        }
    }

    /** Configures a {@link DirectMessageService}. */
    public static final class Builder {
        private final Host host;
        private final DirectMessageSink sink;
        private int maxMessageBytes = DirectMessaging.DEFAULT_MAX_MESSAGE_BYTES;
        private Duration readTimeout = DirectMessaging.DEFAULT_READ_TIMEOUT;
        private int maxInboundStreams = DirectMessaging.DEFAULT_MAX_INBOUND_STREAMS;
        private Executor executor = Runnable::run;

        private Builder(Host host, DirectMessageSink sink) {
            this.host = Objects.requireNonNull(host, "host");
            this.sink = Objects.requireNonNull(sink, "sink");
        }

        /** Largest accepted inbound message (default 100 000 bytes). */
        public Builder maxMessageBytes(int maxMessageBytes) {
            if (maxMessageBytes < 1) {
                throw new IllegalArgumentException("maxMessageBytes must be at least 1");
            }
            this.maxMessageBytes = maxMessageBytes;
            return this;
        }

        /** Deadline for a whole inbound message (default 10 s). */
        public Builder readTimeout(Duration readTimeout) {
            if (readTimeout.isNegative() || readTimeout.isZero()) {
                throw new IllegalArgumentException("readTimeout must be positive");
            }
            this.readTimeout = readTimeout;
            return this;
        }

        /** Concurrent inbound message streams per connection (default 32). */
        public Builder maxInboundStreams(int maxInboundStreams) {
            if (maxInboundStreams < 1) {
                throw new IllegalArgumentException("maxInboundStreams must be at least 1");
            }
            this.maxInboundStreams = maxInboundStreams;
            return this;
        }

        /** Where the sink runs (default: directly on the stream's event loop). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** Creates the service; call {@link DirectMessageService#start()}. */
        public DirectMessageService build() {
            return new DirectMessageService(this);
        }
    }
}
