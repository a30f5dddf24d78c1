package org.lotusia.p2p.message;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.muxer.StreamChannel;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Sends one direct message on {@value DirectMessaging#PROTOCOL_ID}: opens a stream, writes the
 * bytes, half-closes. Stateless and thread-safe.
 *
 * <p>The returned future completes when the FIN has been handed to the muxer (the bytes were
 * written before it); like the reference, there is no acknowledgement, so this does not prove the
 * peer processed the message. The stream is then closed from our side: anything the peer writes is
 * discarded, and the muxer resets the stream if the peer never closes its side.
 */
public final class MessageSender {
    private MessageSender() {
    }

    /** Sends {@code body} to {@code peer}, connecting through {@code host} if needed. */
    public static CompletableFuture<Void> send(Host host, PeerId peer, byte[] body) {
        Objects.requireNonNull(body, "body");
        return finish(host.newStream(peer, List.of(DirectMessaging.PROTOCOL_ID), MessageSender::install), body);
    }

    /** Sends {@code body} on a new stream of {@code connection}. */
    public static CompletableFuture<Void> send(Connection connection, byte[] body) {
        Objects.requireNonNull(body, "body");
        return finish(connection.newStream(List.of(DirectMessaging.PROTOCOL_ID), MessageSender::install), body);
    }

    private static void install(Libp2pStream stream) {
        stream.channel().pipeline().addLast("lotus-message-discard", new Discard());
    }

    private static CompletableFuture<Void> finish(CompletableFuture<Libp2pStream> opening, byte[] body) {
        return opening.thenCompose((Function<Libp2pStream, CompletableFuture<Void>>) stream -> {
            StreamChannel ch = stream.channel();
            CompletableFuture<Void> sent = new CompletableFuture<>();
            if (body.length > 0) {
                ch.write(Unpooled.wrappedBuffer(body)).addListener(f -> {
                    if (!f.isSuccess()) {
                        sent.completeExceptionally(new Libp2pException("writing the message failed", f.cause()));
                    }
                });
            }
            ch.closeWrite().addListener(f -> {
                if (f.isSuccess()) {
                    sent.complete(null);
                    ch.close();
                } else {
                    sent.completeExceptionally(new Libp2pException("closing the message stream failed", f.cause()));
                    ch.reset();
                }
            });
            ch.flush();
            return sent;
        });
    }

    /** Drops whatever the receiver writes (it should write nothing). */
    private static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
