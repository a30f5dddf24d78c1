package org.lotusia.libp2p.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Makes and accepts raw connections addressed by multiaddrs. Implementations are thread-safe.
 *
 * <p>Every connection is a Netty {@link Channel}; the caller's {@link ChannelInitializer} sets up its
 * pipeline. For dials the initializer runs when the channel is registered, i.e. <em>before</em> the
 * connection is established, so handlers must start talking in {@code channelActive}. For listens it
 * runs for every accepted connection. Failures never throw from these methods: they complete the
 * returned future exceptionally with a {@link TransportException}.
 */
public interface Transport {

    /** Whether {@link #dial} can handle {@code address} (a trailing {@code /p2p/<id>} is allowed and ignored). */
    boolean canDial(Multiaddr address);

    /** Whether {@link #listen} can handle {@code address}; by default the same as {@link #canDial}. */
    default boolean canListen(Multiaddr address) {
        return canDial(address);
    }

    /**
     * Connects to {@code address}.
     *
     * @param address     where to connect; a trailing {@code /p2p/<id>} is ignored (checking the peer
     *                    is the security layer's job)
     * @param initializer sets up the new channel's pipeline
     * @param timeout     how long connecting may take; must be positive
     * @return completes with the connected (active) channel, or fails with
     *         {@link DialTimeoutException}, {@link UnsupportedAddressException} or another
     *         {@link TransportException}; cancelling it aborts the attempt
     */
    CompletableFuture<Channel> dial(Multiaddr address, ChannelInitializer<Channel> initializer, Duration timeout);

    /**
     * Starts accepting connections on {@code address}.
     *
     * @param address     where to listen; port 0 picks a free port, reported by
     *                    {@link Listener#localAddress()}
     * @param initializer sets up the pipeline of every accepted channel
     * @return completes once bound, or fails with a {@link TransportException}
     */
    CompletableFuture<Listener> listen(Multiaddr address, ChannelInitializer<Channel> initializer);
}
