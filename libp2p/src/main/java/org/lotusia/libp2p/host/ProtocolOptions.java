package org.lotusia.libp2p.host;

/**
 * How a protocol is served: how many concurrent inbound streams one connection may open for it, and
 * whether it may run on limited (relayed) connections at all. A protocol is kept off limited
 * connections unless it says otherwise, because a relay grants them only a small data and time budget.
 *
 * @param maxInboundStreams         concurrent inbound streams per connection (js default 32)
 * @param allowOnLimitedConnections whether inbound streams are accepted, and outbound streams opened,
 *                                  on limited connections (js: {@code runOnLimitedConnection})
 */
public record ProtocolOptions(int maxInboundStreams, boolean allowOnLimitedConnections) {

    /** Validates the options. */
    public ProtocolOptions {
        if (maxInboundStreams < 1) {
            throw new IllegalArgumentException("maxInboundStreams must be positive");
        }
    }

    /** The default: {@link ProtocolRegistry#DEFAULT_MAX_INBOUND_STREAMS} streams, not on limited connections. */
    public static ProtocolOptions defaults() {
        return new ProtocolOptions(ProtocolRegistry.DEFAULT_MAX_INBOUND_STREAMS, false);
    }

    /** A copy with another inbound stream limit. */
    public ProtocolOptions withMaxInboundStreams(int max) {
        return new ProtocolOptions(max, allowOnLimitedConnections);
    }

    /** A copy that allows (or not) the protocol on limited connections. */
    public ProtocolOptions withAllowOnLimitedConnections(boolean allow) {
        return new ProtocolOptions(maxInboundStreams, allow);
    }
}
