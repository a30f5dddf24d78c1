// SPDX-License-Identifier: MIT
package org.lotusia.libp2p.muxer;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * One muxed stream as a Netty child {@link Channel}.
 *
 * <p>{@link #parent()} is the connection channel and the stream runs on the connection's event loop.
 * Inbound {@link io.netty.buffer.ByteBuf}s are handed to the stream pipeline, which owns and must
 * release them. Outbound messages must be {@code ByteBuf}s; the muxer releases them.
 *
 * <p>Life cycle:
 * <ul>
 *   <li>When the peer half-closes (FIN), the pipeline receives the user events
 *       {@link io.netty.channel.socket.ChannelInputShutdownEvent#INSTANCE} and then
 *       {@link io.netty.channel.socket.ChannelInputShutdownReadComplete#INSTANCE}, after all data that
 *       arrived before the FIN has been read. The channel stays open for writing.</li>
 *   <li>{@link #closeWrite()} half-closes the local side after every write issued before it went out.</li>
 *   <li>Once both sides have half-closed, or either side reset the stream, the channel closes.</li>
 *   <li>{@link #close()} ends the stream from this side; see the implementation for how unsent data and
 *       a still-open remote side are treated.</li>
 * </ul>
 */
public interface StreamChannel extends Channel {

    /** Returns the muxer's id of this stream (unsigned). */
    long streamId();

    /** Returns true when this side opened the stream. */
    boolean isInitiator();

    /**
     * Half-closes the stream: sends FIN after every write issued before this call has been sent.
     * Later writes fail. The future completes when the FIN has been handed to the connection.
     * May be called from any thread.
     */
    ChannelFuture closeWrite();

    /**
     * Aborts the stream in both directions (the peer sees a reset) and closes the channel. Pending
     * writes fail with {@link StreamResetException}; unread inbound data is released. May be called
     * from any thread.
     */
    ChannelFuture reset();

    /** Returns true once the peer's FIN has been delivered to the pipeline. */
    boolean isInputShutdown();

    /** Returns true once this side's FIN has been sent (or the stream was reset or closed). */
    boolean isOutputShutdown();

    /** Returns true when the stream ended by a reset from either side. */
    boolean isReset();

    /** Returns the session (connection) this stream belongs to. */
    StreamMuxerSession session();
}
