package org.lotusia.libp2p.host;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Protocol id → handler for inbound streams, with a per-connection limit of concurrent inbound
 * streams for each protocol. Thread-safe; registrations take effect for streams negotiated after.
 */
public final class ProtocolRegistry {
    /** Inbound streams per protocol per connection when the registration does not say otherwise (js: 32). */
    public static final int DEFAULT_MAX_INBOUND_STREAMS = 32;

    /** One registered protocol; {@code allowOnLimitedConnections} lets it run on relayed (limited) connections. */
    public record Registration(String protocol, StreamHandler handler, int maxInboundStreamsPerConnection,
                               boolean allowOnLimitedConnections) {
        /** A registration kept off limited connections. */
        public Registration(String protocol, StreamHandler handler, int maxInboundStreamsPerConnection) {
            this(protocol, handler, maxInboundStreamsPerConnection, false);
        }

        /** Validates the registration. */
        public Registration {
            Objects.requireNonNull(handler, "handler");
            if (protocol == null || protocol.isEmpty() || protocol.length() > 1023 || protocol.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("invalid protocol id: " + protocol);
            }
            if (maxInboundStreamsPerConnection < 1) {
                throw new IllegalArgumentException("maxInboundStreamsPerConnection must be positive");
            }
        }
    }

    private final Map<String, Registration> handlers = new ConcurrentHashMap<>();
    private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();
    private final java.util.Set<String> outboundOnLimited = ConcurrentHashMap.newKeySet();

    /** Registers (or replaces) the handler of a protocol. */
    public void register(String protocol, StreamHandler handler, int maxInboundStreamsPerConnection) {
        handlers.put(protocol, new Registration(protocol, handler, maxInboundStreamsPerConnection));
        changeListeners.forEach(Runnable::run);
    }

    /** Registers (or replaces) the handler of a protocol with explicit options. */
    public void register(String protocol, StreamHandler handler, ProtocolOptions options) {
        handlers.put(protocol, new Registration(protocol, handler, options.maxInboundStreams(),
                options.allowOnLimitedConnections()));
        changeListeners.forEach(Runnable::run);
    }

    /**
     * Whether streams for {@code protocol} may be opened on limited connections: it is registered
     * with {@code allowOnLimitedConnections}, or marked by {@link #allowOutboundOnLimitedConnections}.
     */
    public boolean allowedOnLimitedConnections(String protocol) {
        Registration registration = handlers.get(protocol);
        return registration != null && registration.allowOnLimitedConnections()
                || outboundOnLimited.contains(protocol);
    }

    /**
     * Marks a protocol this node only dials (no handler) as allowed on limited connections, so
     * {@link Connection#newStream} opens it there without the caller opting in each time.
     */
    public void allowOutboundOnLimitedConnections(String protocol) {
        outboundOnLimited.add(protocol);
    }

    /** Registers (or replaces) the handler of a protocol with the default inbound stream limit. */
    public void register(String protocol, StreamHandler handler) {
        register(protocol, handler, DEFAULT_MAX_INBOUND_STREAMS);
    }

    /** Removes a protocol; returns whether it was registered. */
    public boolean unregister(String protocol) {
        boolean removed = handlers.remove(protocol) != null;
        if (removed) {
            changeListeners.forEach(Runnable::run);
        }
        return removed;
    }

    /** The registration of a protocol, if any. */
    public Optional<Registration> find(String protocol) {
        return Optional.ofNullable(handlers.get(protocol));
    }

    /** Whether a protocol is served. */
    public boolean supports(String protocol) {
        return handlers.containsKey(protocol);
    }

    /** Every served protocol, sorted (as identify announces them and {@code ls} lists them). */
    public List<String> protocols() {
        return handlers.keySet().stream().sorted().toList();
    }

    /** Runs {@code listener} after every change (identify push uses it). */
    public void onChange(Runnable listener) {
        changeListeners.add(listener);
    }
}
