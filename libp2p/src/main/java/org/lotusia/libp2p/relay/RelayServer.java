package org.lotusia.libp2p.relay;

import com.google.protobuf.ByteString;
import io.netty.channel.EventLoop;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.codec.FrameTooLongException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.relay.pb.CircuitProto;
import org.lotusia.libp2p.relay.pb.CircuitProto.HopMessage;
import org.lotusia.libp2p.relay.pb.CircuitProto.Status;
import org.lotusia.libp2p.relay.pb.CircuitProto.StopMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A circuit relay v2 server on a host: serves {@code /libp2p/circuit/relay/0.2.0/hop}, grants
 * reservations (with an expiry and a signed voucher), and relays circuits to peers holding one over
 * {@code /libp2p/circuit/relay/0.2.0/stop}, within the limits of its {@link RelayServerConfig}.
 *
 * <p>Status codes as the spec gives them: a reservation beyond the limits gets
 * {@code RESERVATION_REFUSED}; a peer the filter rejects, or a request over a relayed connection,
 * {@code PERMISSION_DENIED}; a connect to a peer without reservation (or connection)
 * {@code NO_RESERVATION}; too many circuits {@code RESOURCE_LIMIT_EXCEEDED}; a target that does not
 * accept {@code CONNECTION_FAILED}; an undecodable message {@code MALFORMED_MESSAGE}, an unexpected one
 * {@code UNEXPECTED_MESSAGE}. The stream is closed after every answer but a successful connect.
 * A reservation ends at its expiry unless renewed, or when the peer disconnects from the relay.
 * Thread-safe.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);

    private final Host host;
    private final RelayServerConfig config;
    private final HostListener disconnects;
    // Guarded by this.
    private final Map<PeerId, ActiveReservation> reservations = new HashMap<>();
    private final Map<PeerId, ArrayDeque<Instant>> grants = new HashMap<>();
    private final Map<PeerId, Integer> circuitsPerPeer = new HashMap<>();
    private final List<StreamChannel> circuitStreams = new java.util.ArrayList<>();
    private int circuits;
    private boolean closed;

    /** One granted reservation. */
    private record ActiveReservation(PeerId peer, Instant expiry, String ip) {
    }

    private RelayServer(Host host, RelayServerConfig config) {
        this.host = host;
        this.config = config;
        this.disconnects = new HostListener() {
            @Override
            public void connectionClosed(Connection connection) {
                PeerId peer = connection.remotePeer();
                if (connection.isLimited() || host.connections().stream()
                        .anyMatch(c -> c.remotePeer().equals(peer) && !c.isLimited())) {
                    return;
                }
                synchronized (RelayServer.this) {
                    if (reservations.remove(peer) != null) {
                        LOG.debug("reservation of {} ended: disconnected", peer);
                    }
                }
            }
        };
    }

    /** Starts relaying on {@code host}: registers the hop protocol. Close to stop. */
    public static RelayServer start(Host host, RelayServerConfig config) {
        RelayServer server = new RelayServer(host, config);
        host.addListener(server.disconnects);
        // Allowed on limited connections only to answer PERMISSION_DENIED (no relaying over relays).
        host.handle(CircuitRelay.HOP_PROTOCOL, server::onHop,
                new ProtocolOptions(Math.max(32, config.maxCircuitsPerPeer() + 2), true));
        return server;
    }

    /** The host this relay runs on. */
    public Host host() {
        return host;
    }

    /** The configuration. */
    public RelayServerConfig config() {
        return config;
    }

    /** Whether {@code peer} holds an unexpired reservation. */
    public synchronized boolean hasReservation(PeerId peer) {
        removeExpired(Instant.now());
        return reservations.containsKey(peer);
    }

    /** When {@code peer}'s reservation expires, if it holds one. */
    public synchronized Optional<Instant> reservationExpiry(PeerId peer) {
        removeExpired(Instant.now());
        return Optional.ofNullable(reservations.get(peer)).map(ActiveReservation::expiry);
    }

    /** The peers holding unexpired reservations. */
    public synchronized List<PeerId> reservedPeers() {
        removeExpired(Instant.now());
        return List.copyOf(reservations.keySet());
    }

    /** Circuits being relayed now (counted from the target's acceptance until both streams close). */
    public synchronized int activeCircuits() {
        return circuits;
    }

    /** Stops relaying: unregisters the hop protocol, drops reservations and resets open circuits. */
    @Override
    public void close() {
        List<StreamChannel> open;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            reservations.clear();
            open = List.copyOf(circuitStreams);
        }
        host.removeStreamHandler(CircuitRelay.HOP_PROTOCOL);
        host.removeListener(disconnects);
        open.forEach(StreamChannel::reset);
    }

    private void onHop(Libp2pStream stream) {
        StreamChannel channel = stream.channel();
        RelayMessages.readOne(channel, HopMessage::parseFrom, config.hopTimeout(), new RelayMessages.Callback<>() {
            @Override
            public void onMessage(HopMessage message) {
                try {
                    handleHop(stream, message);
                } catch (RuntimeException e) {
                    LOG.debug("hop request from {} failed", stream.remotePeer(), e);
                    answerAndClose(channel, status(Status.CONNECTION_FAILED));
                }
            }

            @Override
            public void onFailure(Libp2pException error) {
                if (error instanceof InvalidRelayMessageException || error instanceof FrameTooLongException) {
                    LOG.debug("malformed hop message from {}: {}", stream.remotePeer(), error.getMessage());
                    answerAndClose(channel, status(Status.MALFORMED_MESSAGE));
                } else {
                    LOG.debug("no hop request from {}: {}", stream.remotePeer(), error.getMessage());
                    channel.reset();
                }
            }
        });
    }

    private void handleHop(Libp2pStream stream, HopMessage message) {
        if (!message.hasType()) {
            answerAndClose(stream.channel(), status(Status.MALFORMED_MESSAGE));
            return;
        }
        switch (message.getType()) {
            case RESERVE -> reserve(stream);
            case CONNECT -> connect(stream, message);
            default -> answerAndClose(stream.channel(), status(Status.UNEXPECTED_MESSAGE));
        }
    }

    private void reserve(Libp2pStream stream) {
        StreamChannel channel = stream.channel();
        PeerId peer = stream.remotePeer();
        if (stream.connection().isLimited() || !config.reservationFilter().test(peer)) {
            answerAndClose(channel, status(Status.PERMISSION_DENIED));
            return;
        }
        String ip = ipOf(stream.connection().remoteAddress());
        Instant now = Instant.now();
        Instant expiry = roundUpToSecond(now.plus(config.reservationTtl()));
        synchronized (this) {
            if (closed) {
                answerAndClose(channel, status(Status.RESERVATION_REFUSED));
                return;
            }
            removeExpired(now);
            ArrayDeque<Instant> peerGrants = grants.computeIfAbsent(peer, p -> new ArrayDeque<>());
            while (!peerGrants.isEmpty() && !peerGrants.peekFirst().isAfter(now.minus(config.reservationTtl()))) {
                peerGrants.pollFirst();
            }
            String refusal = null;
            if (peerGrants.size() >= config.maxReservationsPerPeer()) {
                refusal = "too many reservation requests";
            } else if (!reservations.containsKey(peer)) {
                if (reservations.size() >= config.maxReservations()) {
                    refusal = "reservation limit reached";
                } else if (reservations.values().stream().filter(r -> r.ip().equals(ip)).count() >= config.maxReservationsPerIp()) {
                    refusal = "per-IP reservation limit reached";
                }
            }
            if (refusal != null) {
                if (peerGrants.isEmpty()) {
                    grants.remove(peer);
                }
                LOG.debug("refusing reservation of {}: {}", peer, refusal);
                answerAndClose(channel, status(Status.RESERVATION_REFUSED));
                return;
            }
            peerGrants.addLast(now);
            reservations.put(peer, new ActiveReservation(peer, expiry, ip));
        }
        scheduleExpiryCheck(channel.eventLoop(), expiry);
        CircuitProto.Reservation.Builder reservation = CircuitProto.Reservation.newBuilder()
                .setExpire(expiry.getEpochSecond())
                .setVoucher(ByteString.copyFrom(new ReservationVoucher(host.peerId(), peer, expiry)
                        .seal(host.identity()).toBytes()));
        for (Multiaddr address : host.advertisedAddresses()) {
            if (!CircuitRelay.isCircuitAddress(address)) {
                reservation.addAddrs(ByteString.copyFrom(address.withPeerId(host.peerId()).toBytes()));
            }
        }
        HopMessage.Builder answer = HopMessage.newBuilder()
                .setType(HopMessage.Type.STATUS)
                .setStatus(Status.OK)
                .setReservation(reservation);
        if (config.circuitLimit().isLimited()) {
            answer.setLimit(config.circuitLimit().toProto());
        }
        LOG.debug("reservation of {} granted until {}", peer, expiry);
        answerAndClose(channel, answer.build());
    }

    private void connect(Libp2pStream stream, HopMessage message) {
        StreamChannel hop = stream.channel();
        if (stream.connection().isLimited()) {
            answerAndClose(hop, status(Status.PERMISSION_DENIED));
            return;
        }
        if (!message.hasPeer() || !message.getPeer().hasId()) {
            answerAndClose(hop, status(Status.MALFORMED_MESSAGE));
            return;
        }
        PeerId target;
        try {
            target = PeerId.fromBytes(message.getPeer().getId().toByteArray());
        } catch (Libp2pException e) {
            answerAndClose(hop, status(Status.MALFORMED_MESSAGE));
            return;
        }
        PeerId initiator = stream.remotePeer();
        CircuitSlot slot;
        synchronized (this) {
            removeExpired(Instant.now());
            if (closed || !reservations.containsKey(target) || target.equals(initiator)) {
                answerAndClose(hop, status(Status.NO_RESERVATION));
                return;
            }
            if (circuits >= config.maxCircuits()
                    || circuitsPerPeer.getOrDefault(initiator, 0) >= config.maxCircuitsPerPeer()
                    || circuitsPerPeer.getOrDefault(target, 0) >= config.maxCircuitsPerPeer()) {
                answerAndClose(hop, status(Status.RESOURCE_LIMIT_EXCEEDED));
                return;
            }
            slot = new CircuitSlot(initiator, target);
        }
        Optional<Connection> toTarget = host.connections().stream()
                .filter(c -> c.remotePeer().equals(target) && !c.isLimited()).findFirst();
        if (toTarget.isEmpty()) {
            slot.release();
            answerAndClose(hop, status(Status.NO_RESERVATION));
            return;
        }
        Limit limit = config.circuitLimit();
        toTarget.get().newStream(List.of(CircuitRelay.STOP_PROTOCOL), s -> { }).whenComplete((stop, error) -> {
            if (error != null) {
                LOG.debug("could not open stop stream to {}: {}", target, error.toString());
                slot.release();
                answerAndClose(hop, status(Status.CONNECTION_FAILED));
                return;
            }
            StopMessage.Builder request = StopMessage.newBuilder()
                    .setType(StopMessage.Type.CONNECT)
                    .setPeer(CircuitProto.Peer.newBuilder().setId(ByteString.copyFrom(initiator.toBytes())));
            if (limit.isLimited()) {
                request.setLimit(limit.toProto());
            }
            StreamChannel stopChannel = stop.channel();
            RelayMessages.readOne(stopChannel, StopMessage::parseFrom, config.hopTimeout(), new RelayMessages.Callback<>() {
                @Override
                public void onMessage(StopMessage answer) {
                    if (!answer.hasType() || answer.getType() != StopMessage.Type.STATUS || answer.getStatus() != Status.OK) {
                        LOG.debug("target {} declined the circuit from {}: {}", target, initiator, answer.getStatus());
                        slot.release();
                        stopChannel.close();
                        answerAndClose(hop, status(Status.CONNECTION_FAILED));
                        return;
                    }
                    if (!hop.isOpen()) {
                        slot.release();
                        stopChannel.reset();
                        return;
                    }
                    HopMessage.Builder ok = HopMessage.newBuilder().setType(HopMessage.Type.STATUS).setStatus(Status.OK);
                    if (limit.isLimited()) {
                        ok.setLimit(limit.toProto());
                    }
                    slot.track(hop, stopChannel);
                    LOG.debug("relaying {} -> {}", initiator, target);
                    CircuitSplice.start(hop, stopChannel, limit, () -> RelayMessages.send(hop, ok.build()))
                            .whenComplete((reason, e) -> {
                                LOG.debug("circuit {} -> {} ended: {}", initiator, target, reason);
                                slot.release();
                            });
                }

                @Override
                public void onFailure(Libp2pException failure) {
                    LOG.debug("no stop answer from {}: {}", target, failure.getMessage());
                    slot.release();
                    stopChannel.reset();
                    answerAndClose(hop, status(Status.CONNECTION_FAILED));
                }
            });
            RelayMessages.send(stopChannel, request.build());
        });
    }

    /** Counts one circuit against the limits from acceptance until released (once). */
    private final class CircuitSlot {
        private final PeerId initiator;
        private final PeerId target;
        private final AtomicBoolean released = new AtomicBoolean();
        private StreamChannel[] streams = new StreamChannel[0];

        /** Takes a slot; the caller holds the server's lock and has checked the limits. */
        CircuitSlot(PeerId initiator, PeerId target) {
            this.initiator = initiator;
            this.target = target;
            circuits++;
            circuitsPerPeer.merge(initiator, 1, Integer::sum);
            circuitsPerPeer.merge(target, 1, Integer::sum);
        }

        void track(StreamChannel... relayed) {
            synchronized (RelayServer.this) {
                streams = relayed;
                circuitStreams.addAll(List.of(relayed));
            }
        }

        void release() {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            synchronized (RelayServer.this) {
                circuits--;
                circuitsPerPeer.computeIfPresent(initiator, (p, n) -> n > 1 ? n - 1 : null);
                circuitsPerPeer.computeIfPresent(target, (p, n) -> n > 1 ? n - 1 : null);
                circuitStreams.removeAll(List.of(streams));
            }
        }
    }

    private void scheduleExpiryCheck(EventLoop loop, Instant expiry) {
        long delayNanos = Math.max(0, Duration.between(Instant.now(), expiry).toNanos()) + TimeUnit.MILLISECONDS.toNanos(10);
        loop.schedule(() -> {
            synchronized (RelayServer.this) {
                removeExpired(Instant.now());
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Drops expired reservations and grant records older than a reservation lifetime; caller holds the lock. */
    private void removeExpired(Instant now) {
        reservations.values().removeIf(r -> {
            boolean expired = !r.expiry().isAfter(now);
            if (expired) {
                LOG.debug("reservation of {} expired", r.peer());
            }
            return expired;
        });
        Instant horizon = now.minus(config.reservationTtl());
        grants.values().removeIf(q -> q.isEmpty() || !q.peekLast().isAfter(horizon));
    }

    private static Instant roundUpToSecond(Instant instant) {
        return instant.getNano() == 0 ? instant : Instant.ofEpochSecond(instant.getEpochSecond() + 1);
    }

    private static String ipOf(Multiaddr address) {
        return address.valueForProtocol("ip4").or(() -> address.valueForProtocol("ip6"))
                .orElse(address.toString());
    }

    private static HopMessage status(Status status) {
        return HopMessage.newBuilder().setType(HopMessage.Type.STATUS).setStatus(status).build();
    }

    /** Answers and ends the stream: FIN once the answer is out, then close. */
    private static void answerAndClose(StreamChannel channel, HopMessage answer) {
        if (!channel.isOpen()) {
            return;
        }
        RelayMessages.send(channel, answer).addListener(f -> channel.closeWrite().addListener(g -> channel.close()));
    }
}
