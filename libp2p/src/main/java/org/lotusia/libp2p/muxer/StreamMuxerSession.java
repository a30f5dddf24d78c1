// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.util.AttributeKey;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A muxed connection: opens outbound streams, accepts inbound ones (through the inbound stream
 * initializer given to the implementation), pings the peer and closes.
 *
 * <p>All methods may be called from any thread; the session's state lives on the connection's event
 * loop. Futures complete on that event loop, so continuations must not block.
 */
public interface StreamMuxerSession {

    /** Channel attribute under which a session registers itself on its connection channel. */
    AttributeKey<StreamMuxerSession> SESSION = AttributeKey.valueOf(StreamMuxerSession.class, "SESSION");

    /** Returns the session attached to {@code connection}, or null if it has none. */
    static StreamMuxerSession of(Channel connection) {
        return connection.attr(SESSION).get();
    }

    /** Returns the multistream protocol id of the muxer, e.g. {@code /yamux/1.0.0}. */
    String protocolId();

    /** Returns the connection channel whose pipeline holds this session. */
    Channel connection();

    /** Returns true when this side is the muxer client (yamux: the dialer, which uses odd stream ids). */
    boolean isClient();

    /**
     * Opens an outbound stream whose pipeline is set up by {@code initializer} (usually a
     * {@link io.netty.channel.ChannelInitializer}). The future completes with the registered, active
     * stream as soon as the open frame is queued: callers may write at once, no acknowledgement is
     * awaited. It fails with a {@link MuxerException} when the session is closing, the peer sent
     * GoAway, or the outbound stream limit is reached.
     */
    CompletableFuture<StreamChannel> openStream(ChannelHandler initializer);

    /** Sends a ping and completes with the round-trip time; fails when the session closes first. */
    CompletableFuture<Duration> ping();

    /** Returns the number of streams currently tracked by the session (both directions). */
    int streamCount();

    /** Returns true while the session accepts new streams (no GoAway sent or received, connection open). */
    boolean isOpen();

    /**
     * Closes the session: sends GoAway (normal termination) and closes the connection, which closes
     * every stream. Idempotent.
     */
    void close();

    /** Registers a listener for connection-level events; callbacks run on the event loop. */
    void addListener(Listener listener);

    /** Removes a listener added by {@link #addListener(Listener)}. */
    void removeListener(Listener listener);

    /** Receives connection-level events of a session. Every method has an empty default. */
    interface Listener {
        /** Called after a stream (either direction) has been registered. */
        default void streamOpened(StreamMuxerSession session, StreamChannel stream) {
        }

        /** Called when the session stops tracking a stream (both sides done, reset or connection gone). */
        default void streamClosed(StreamMuxerSession session, StreamChannel stream) {
        }

        /** Called when the peer announced it goes away; {@code errorCode} 0 means normal termination. */
        default void goAwayReceived(StreamMuxerSession session, long errorCode) {
        }

        /** Called once when the session has closed; {@code cause} is null for an orderly close. */
        default void sessionClosed(StreamMuxerSession session, Throwable cause) {
        }
    }
}
