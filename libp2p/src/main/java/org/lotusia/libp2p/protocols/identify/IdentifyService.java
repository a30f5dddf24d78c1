package org.lotusia.libp2p.protocols.identify;

import com.google.protobuf.ByteString;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.codec.UvarintFrameDecoder;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.crypto.PeerRecord;
import org.lotusia.libp2p.crypto.PublicKey;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiformatException;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.protocols.identify.pb.IdentifyProto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Identify ({@code /ipfs/id/1.0.0}) and identify push ({@code /ipfs/id/push/1.0.0}): tells every
 * peer who we are, what we listen on and which protocols we serve, learns the same from them into
 * the peer store, and pushes changes to connected peers.
 */
public final class IdentifyService implements AutoCloseable {
    /** The identify protocol id. */
    public static final String PROTOCOL = "/ipfs/id/1.0.0";
    /** The identify push protocol id. */
    public static final String PUSH_PROTOCOL = "/ipfs/id/push/1.0.0";
    /** The protocol version string libp2p nodes send. */
    public static final String PROTOCOL_VERSION = "ipfs/0.1.0";
    /** Largest identify message accepted (and sent), as js limits it. */
    public static final int MAX_MESSAGE_SIZE = 8192;
    /** Most identify messages accepted on one stream. */
    public static final int MAX_MESSAGES = 10;
    /** How long reading a peer's identify may take. */
    public static final Duration TIMEOUT = Duration.ofSeconds(5);
    /** Changes are pushed at most this often. */
    static final Duration PUSH_DEBOUNCE = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(IdentifyService.class);

    private final Host host;
    private final AtomicLong recordSeq = new AtomicLong(System.currentTimeMillis());
    private final ConcurrentHashMap<PeerId, CompletableFuture<IdentifyProto.Identify>> lastIdentify = new ConcurrentHashMap<>();
    private volatile boolean pushScheduled;
    private volatile boolean closed;

    /** Registers identify and identify push on {@code host}. */
    public IdentifyService(Host host) {
        this.host = host;
        // Allowed on limited (relayed) connections, as in js: a relayed peer must still be identified.
        host.handle(PROTOCOL, this::answer, new ProtocolOptions(1, true));
        host.handle(PUSH_PROTOCOL, this::receivePush, new ProtocolOptions(1, true));
        host.protocols().onChange(this::localAddressesChanged);
    }

    /**
     * Identifies the peer on {@code connection}: reads its identify message and stores what it says.
     * Completes with the merged message once stored; also announced as a peer-identified event.
     */
    public CompletableFuture<IdentifyProto.Identify> identify(Connection connection) {
        CompletableFuture<IdentifyProto.Identify> received = new CompletableFuture<>();
        connection.newStream(List.of(PROTOCOL), stream -> stream.channel().pipeline().addLast(
                        new ReadTimeoutHandler(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                        new UvarintFrameDecoder(MAX_MESSAGE_SIZE),
                        new IdentifyReader(received)))
                .whenComplete((stream, error) -> {
                    if (error != null) {
                        received.completeExceptionally(error);
                    }
                });
        CompletableFuture<IdentifyProto.Identify> stored = received.thenApply(message -> {
            apply(connection, message, false);
            return message;
        });
        stored.whenComplete((message, error) -> {
            if (error != null) {
                LOG.debug("identify of {} failed: {}", connection.remotePeer(), error.toString());
            }
        });
        lastIdentify.put(connection.remotePeer(), stored);
        connection.closeFuture().whenComplete((v, e) -> lastIdentify.remove(connection.remotePeer(), stored));
        return stored;
    }

    /** The identify exchange with {@code peer} in progress or done, if a connection to it ran one. */
    public Optional<CompletableFuture<IdentifyProto.Identify>> identification(PeerId peer) {
        return Optional.ofNullable(lastIdentify.get(peer));
    }

    /** Our identify message as sent to the peer on {@code connection}. */
    public IdentifyProto.Identify localMessage(Connection connection, boolean push) {
        IdentifyProto.Identify.Builder message = IdentifyProto.Identify.newBuilder()
                .setProtocolVersion(PROTOCOL_VERSION)
                .setAgentVersion(host.agentVersion())
                .addAllProtocols(host.protocols().protocols());
        List<Multiaddr> addresses = host.advertisedAddresses();
        for (Multiaddr address : addresses) {
            message.addListenAddrs(ByteString.copyFrom(address.toBytes()));
        }
        message.setSignedPeerRecord(ByteString.copyFrom(
                new PeerRecord(host.peerId(), recordSeq.get(), addresses).seal(host.identity()).toBytes()));
        if (!push) {
            message.setPublicKey(ByteString.copyFrom(host.identity().publicKey().marshal()));
            message.setObservedAddr(ByteString.copyFrom(connection.remoteAddress().toBytes()));
        }
        return message.build();
    }

    /**
     * Call when our addresses or protocols changed: a new peer record sequence number is taken and,
     * shortly after (debounced), every connected peer that supports push is told.
     */
    public void localAddressesChanged() {
        recordSeq.updateAndGet(previous -> Math.max(previous + 1, System.currentTimeMillis()));
        if (closed || pushScheduled) {
            return;
        }
        pushScheduled = true;
        CompletableFuture.delayedExecutor(PUSH_DEBOUNCE.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> {
                    pushScheduled = false;
                    if (!closed) {
                        pushToAll();
                    }
                });
    }

    private void pushToAll() {
        for (Connection connection : host.connections()) {
            if (host.peerStore().protocols(connection.remotePeer()).contains(PUSH_PROTOCOL)) {
                connection.newStream(List.of(PUSH_PROTOCOL), stream -> writeAndClose(stream.channel(),
                        localMessage(connection, true)));
            }
        }
    }

    private void answer(Libp2pStream stream) {
        writeAndClose(stream.channel(), localMessage(stream.connection(), false));
        // Nothing is expected from the opener; its half-close ends the stream.
        stream.channel().pipeline().addLast(new DiscardInbound());
    }

    private void receivePush(Libp2pStream stream) {
        CompletableFuture<IdentifyProto.Identify> received = new CompletableFuture<>();
        stream.channel().pipeline().addLast(
                new ReadTimeoutHandler(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS),
                new UvarintFrameDecoder(MAX_MESSAGE_SIZE),
                new IdentifyReader(received));
        received.whenComplete((message, error) -> {
            if (error == null) {
                try {
                    apply(stream.connection(), message, true);
                } catch (RuntimeException e) {
                    LOG.debug("ignoring identify push from {}: {}", stream.remotePeer(), e.toString());
                }
            }
        });
    }

    private static void writeAndClose(Channel channel, IdentifyProto.Identify message) {
        channel.write(UvarintFrameEncoder.frame(channel.alloc(), Unpooled.wrappedBuffer(message.toByteArray())));
        ((StreamChannel) channel).closeWrite();
        channel.flush();
    }

    private void apply(Connection connection, IdentifyProto.Identify message, boolean push) {
        PeerId peer = connection.remotePeer();
        if (!push) {
            if (!message.hasPublicKey()) {
                throw new Libp2pException("identify from " + peer + " carries no public key");
            }
            PublicKey key = Keys.unmarshalPublicKey(message.getPublicKey().toByteArray());
            if (!key.peerId().equals(peer)) {
                throw new Libp2pException("identify public key belongs to " + key.peerId() + ", not to " + peer);
            }
        }
        List<Multiaddr> addresses = new ArrayList<>();
        if (message.hasSignedPeerRecord()) {
            PeerRecord record = PeerRecord.openSigned(message.getSignedPeerRecord().toByteArray());
            if (!record.peerId().equals(peer)) {
                throw new Libp2pException("signed peer record of " + record.peerId() + " sent by " + peer);
            }
            addresses.addAll(record.addresses());
        } else {
            for (ByteString bytes : message.getListenAddrsList()) {
                try {
                    addresses.add(Multiaddr.fromBytes(bytes.toByteArray()));
                } catch (MultiformatException e) {
                    LOG.debug("ignoring a malformed listen address from {}: {}", peer, e.getMessage());
                }
            }
        }
        var store = host.peerStore();
        if (!addresses.isEmpty()) {
            store.replaceAddresses(peer, addresses);
        }
        if (!push || message.getProtocolsCount() > 0) {
            store.replaceProtocols(peer, message.getProtocolsList());
        }
        store.setVersions(peer, message.hasAgentVersion() ? message.getAgentVersion() : null,
                message.hasProtocolVersion() ? message.getProtocolVersion() : null);
        store.get(peer).ifPresent(info -> host.fireIdentified(peer, info));
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Releases whatever the opener of an identify stream sends (it should send nothing). */
    private static final class DiscardInbound extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }
}
