package org.lotusia.libp2p.relay;

import com.google.protobuf.ByteString;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.concurrent.ScheduledFuture;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.codec.FrameTooLongException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiaddrComponent;
import org.lotusia.libp2p.multiformats.MultiaddrProtocol;
import org.lotusia.libp2p.muxer.StreamChannel;
import org.lotusia.libp2p.relay.pb.CircuitProto;
import org.lotusia.libp2p.relay.pb.CircuitProto.HopMessage;
import org.lotusia.libp2p.relay.pb.CircuitProto.Status;
import org.lotusia.libp2p.relay.pb.CircuitProto.StopMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client side of circuit relay v2 on a host: reserves slots on relays (and renews them before
 * they expire), announces the resulting {@code …/p2p/<relay>/p2p-circuit} addresses, dials peers
 * through relays ({@code …/p2p/<relay>/p2p-circuit/p2p/<target>}) and accepts relayed connections a
 * relay hands over on {@code /libp2p/circuit/relay/0.2.0/stop}.
 *
 * <p>Relayed connections are ordinary host connections (Noise and Yamux over the relayed stream),
 * announced to host listeners; when the relay limits them they are
 * {@linkplain Connection#isLimited() limited}. While started, {@link Host#connect(Multiaddr)} dials
 * circuit addresses through this client, and the host advertises the circuit addresses of the
 * reservations held. Thread-safe; listener callbacks run on the host's event thread.
 */
public final class RelayClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayClient.class);
    private static final Multiaddr CIRCUIT = Multiaddr.of(MultiaddrComponent.of(MultiaddrProtocol.P2P_CIRCUIT));

    /** Hears about reservations and the relay addresses they give us. Every method has an empty default. */
    public interface Listener {
        /** A reservation was granted or renewed. */
        default void reservationUpdated(Reservation reservation) {
        }

        /** The reservation on {@code relay} ended (expired, relay disconnected, client closed). */
        default void reservationEnded(PeerId relay, String reason) {
        }

        /** The relay addresses we can be reached at changed (some appeared or disappeared). */
        default void relayAddressesChanged(List<Multiaddr> addresses) {
        }
    }

    private final Host host;
    private final RelayClientConfig config;
    private final Map<PeerId, Held> held = new ConcurrentHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Supplier<List<Multiaddr>> addressProvider = this::relayAddresses;
    private final Host.AddressDialer dialer;
    private final HostListener disconnects;
    private volatile List<Multiaddr> announced = List.of();
    private volatile boolean closed;

    /** A reservation we hold and keep renewing. */
    private static final class Held {
        final Multiaddr relayAddress;
        volatile Reservation reservation;
        volatile ScheduledFuture<?> renewal;
        volatile ScheduledFuture<?> expiry;

        Held(Multiaddr relayAddress, Reservation reservation) {
            this.relayAddress = relayAddress;
            this.reservation = reservation;
        }

        void cancelTimers() {
            ScheduledFuture<?> r = renewal;
            ScheduledFuture<?> e = expiry;
            if (r != null) {
                r.cancel(false);
            }
            if (e != null) {
                e.cancel(false);
            }
        }
    }

    private RelayClient(Host host, RelayClientConfig config) {
        this.host = host;
        this.config = config;
        this.dialer = new Host.AddressDialer() {
            @Override
            public boolean canDial(Multiaddr address) {
                return CircuitRelay.isCircuitAddress(address);
            }

            @Override
            public CompletableFuture<Connection> dial(Multiaddr address, PeerId expectedPeer) {
                return RelayClient.this.dial(address);
            }
        };
        this.disconnects = new HostListener() {
            @Override
            public void connectionClosed(Connection connection) {
                PeerId peer = connection.remotePeer();
                if (!connection.isLimited() && held.containsKey(peer) && host.connections().stream()
                        .noneMatch(c -> c.remotePeer().equals(peer) && !c.isLimited())) {
                    end(peer, null, "disconnected from the relay");
                }
            }
        };
    }

    /**
     * Starts the client on {@code host}: accepts relayed connections over the stop protocol, dials
     * circuit addresses for {@link Host#connect(Multiaddr)} and advertises reserved addresses.
     */
    public static RelayClient start(Host host, RelayClientConfig config) {
        RelayClient client = new RelayClient(Objects.requireNonNull(host, "host"), Objects.requireNonNull(config, "config"));
        host.handle(CircuitRelay.STOP_PROTOCOL, client::onStop, new ProtocolOptions(config.maxCircuitsPerRelay(), false));
        host.addDialer(client.dialer);
        host.addListener(client.disconnects);
        host.addAddressProvider(client.addressProvider);
        return client;
    }

    /** Adds a listener. */
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    /** The reservations held now. */
    public List<Reservation> reservations() {
        return held.values().stream().map(h -> h.reservation).toList();
    }

    /** Our circuit addresses through every relay we hold a reservation on. */
    public List<Multiaddr> relayAddresses() {
        Instant now = Instant.now();
        List<Multiaddr> all = new ArrayList<>();
        for (Held h : held.values()) {
            if (h.reservation.expiry().isAfter(now)) {
                all.addAll(h.reservation.addresses());
            }
        }
        return all;
    }

    /**
     * Reserves a slot on the relay at {@code relayAddress} (which must end in {@code /p2p/<relay>}),
     * connecting to it if needed. Renewed automatically before it expires until {@link #close()}.
     * Fails with {@link RelayStatusException} when the relay refuses.
     */
    public CompletableFuture<Reservation> reserve(Multiaddr relayAddress) {
        Objects.requireNonNull(relayAddress, "relayAddress");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("relay client is closed"));
        }
        Optional<PeerId> relay = relayAddress.getPeerId();
        if (relay.isEmpty() || CircuitRelay.isCircuitAddress(relayAddress)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "a relay address must end in /p2p/<relay> and not be a circuit address: " + relayAddress));
        }
        return requestReservation(relay.get(), relayAddress).thenApply(reservation -> {
            install(relayAddress, reservation);
            return reservation;
        });
    }

    /**
     * Opens a relayed connection to the target of {@code circuitAddress}
     * ({@code …/p2p/<relay>/p2p-circuit/p2p/<target>}), connecting to the relay if needed. Always a new
     * connection; {@link Host#connect(Multiaddr)} instead reuses an open one.
     */
    public CompletableFuture<Connection> dial(Multiaddr circuitAddress) {
        Objects.requireNonNull(circuitAddress, "circuitAddress");
        List<MultiaddrComponent> components = circuitAddress.components();
        int circuit = -1;
        for (int i = components.size() - 1; i >= 0; i--) {
            if (components.get(i).protocol() == MultiaddrProtocol.P2P_CIRCUIT) {
                circuit = i;
                break;
            }
        }
        Optional<PeerId> target = circuitAddress.getPeerId();
        Multiaddr relayAddress = circuit < 0 ? Multiaddr.empty() : Multiaddr.of(components.subList(0, circuit));
        Optional<PeerId> relay = relayAddress.getPeerId();
        if (circuit < 0 || target.isEmpty() || relay.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "expected …/p2p/<relay>/p2p-circuit/p2p/<target>, got " + circuitAddress));
        }
        if (target.get().equals(host.peerId()) || relay.get().equals(host.peerId())) {
            return CompletableFuture.failedFuture(new Libp2pException("cannot relay to or through ourselves: " + circuitAddress));
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("relay client is closed"));
        }
        Multiaddr remote = relayAddress.encapsulate(CIRCUIT);
        HopMessage request = HopMessage.newBuilder()
                .setType(HopMessage.Type.CONNECT)
                .setPeer(CircuitProto.Peer.newBuilder().setId(ByteString.copyFrom(target.get().toBytes())))
                .build();
        return openHop(relay.get(), relayAddress).thenCompose(stream -> {
            CompletableFuture<Connection> connection = new CompletableFuture<>();
            exchange(stream.channel(), request, new RelayMessages.Callback<HopMessage>() {
                @Override
                public void onMessage(HopMessage answer) {
                    if (answer.getType() != HopMessage.Type.STATUS || answer.getStatus() != Status.OK) {
                        stream.channel().close();
                        connection.completeExceptionally(new RelayStatusException(answer.getStatus(),
                                "relay " + relay.get() + " did not connect us to " + target.get()));
                        return;
                    }
                    Limit limit = answer.hasLimit() ? Limit.fromProto(answer.getLimit()) : Limit.NONE;
                    upgrade(stream.channel(), true, target.get(), CIRCUIT, remote, limit)
                            .whenComplete((c, e) -> complete(connection, c, e));
                }

                @Override
                public void onFailure(Libp2pException error) {
                    stream.channel().reset();
                    connection.completeExceptionally(error);
                }
            });
            return connection;
        });
    }

    /** Stops the client: no more renewals, relay addresses withdrawn, stop protocol and dialer removed. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        host.removeStreamHandler(CircuitRelay.STOP_PROTOCOL);
        host.removeDialer(dialer);
        host.removeListener(disconnects);
        for (PeerId relay : List.copyOf(held.keySet())) {
            end(relay, null, "relay client closed");
        }
        host.removeAddressProvider(addressProvider);
    }

    // ------------------------------------------------------------------------------------------ reserve

    private CompletableFuture<Reservation> requestReservation(PeerId relay, Multiaddr relayAddress) {
        HopMessage request = HopMessage.newBuilder().setType(HopMessage.Type.RESERVE).build();
        return openHop(relay, relayAddress).thenCompose(stream -> {
            CompletableFuture<Reservation> result = new CompletableFuture<>();
            exchange(stream.channel(), request, new RelayMessages.Callback<HopMessage>() {
                @Override
                public void onMessage(HopMessage answer) {
                    stream.channel().close();
                    try {
                        result.complete(reservationFrom(relay, stream.connection(), answer));
                    } catch (Libp2pException e) {
                        result.completeExceptionally(e);
                    }
                }

                @Override
                public void onFailure(Libp2pException error) {
                    stream.channel().reset();
                    result.completeExceptionally(error);
                }
            });
            return result;
        });
    }

    private Reservation reservationFrom(PeerId relay, Connection connection, HopMessage answer) {
        if (answer.getType() != HopMessage.Type.STATUS || answer.getStatus() != Status.OK) {
            throw new RelayStatusException(answer.getStatus(), "relay " + relay + " refused the reservation");
        }
        if (!answer.hasReservation() || !answer.getReservation().hasExpire()) {
            throw new InvalidRelayMessageException("relay " + relay + " accepted but sent no reservation expiry");
        }
        CircuitProto.Reservation pb = answer.getReservation();
        Instant expiry = Instant.ofEpochSecond(Math.min(pb.getExpire() < 0 ? Long.MAX_VALUE : pb.getExpire(),
                Instant.MAX.getEpochSecond()));
        if (!expiry.isAfter(Instant.now())) {
            throw new InvalidRelayMessageException("relay " + relay + " sent a reservation that already expired");
        }
        Optional<ReservationVoucher> voucher = Optional.empty();
        if (pb.hasVoucher()) {
            ReservationVoucher v = ReservationVoucher.open(pb.getVoucher().toByteArray());
            if (!v.relay().equals(relay) || !v.peer().equals(host.peerId())) {
                throw new InvalidRelayMessageException("reservation voucher is for " + v.peer() + " on " + v.relay());
            }
            voucher = Optional.of(v);
        }
        List<Multiaddr> addresses = new ArrayList<>();
        for (ByteString bytes : pb.getAddrsList().subList(0, Math.min(pb.getAddrsCount(), CircuitRelay.MAX_RESERVATION_ADDRESSES))) {
            try {
                Multiaddr address = Multiaddr.fromBytes(bytes.toByteArray());
                Optional<PeerId> named = address.getPeerId();
                if (CircuitRelay.isCircuitAddress(address) || named.isPresent() && !named.get().equals(relay)) {
                    continue;
                }
                Multiaddr circuit = address.withPeerId(relay).encapsulate(CIRCUIT);
                if (!addresses.contains(circuit)) {
                    addresses.add(circuit);
                }
            } catch (Libp2pException e) {
                LOG.debug("ignoring a malformed reservation address from {}: {}", relay, e.getMessage());
            }
        }
        if (addresses.isEmpty()) {
            addresses.add(connection.remoteAddress().withPeerId(relay).encapsulate(CIRCUIT));
        }
        Limit limit = answer.hasLimit() ? Limit.fromProto(answer.getLimit()) : Limit.NONE;
        return new Reservation(relay, expiry, addresses, limit, voucher);
    }

    private void install(Multiaddr relayAddress, Reservation reservation) {
        if (closed) {
            return;
        }
        Held h = held.compute(reservation.relay(), (relay, previous) -> {
            if (previous == null) {
                return new Held(relayAddress, reservation);
            }
            previous.cancelTimers();
            previous.reservation = reservation;
            return previous;
        });
        scheduleRenewal(h, reservation);
        notifyListeners(l -> l.reservationUpdated(reservation));
        addressesMayHaveChanged();
    }

    private void scheduleRenewal(Held h, Reservation reservation) {
        Duration remaining = Duration.between(Instant.now(), reservation.expiry());
        Duration delay = remaining.minus(config.renewBefore());
        Duration half = remaining.dividedBy(2);
        if (delay.compareTo(half) < 0) {
            delay = half;
        }
        h.renewal = schedule(() -> renew(h, reservation), delay);
        h.expiry = schedule(() -> {
            if (held.get(reservation.relay()) == h && h.reservation == reservation) {
                end(reservation.relay(), h, "reservation expired");
            }
        }, remaining);
    }

    private void renew(Held h, Reservation current) {
        if (closed || held.get(current.relay()) != h || h.reservation != current) {
            return;
        }
        requestReservation(current.relay(), h.relayAddress).whenComplete((renewed, error) -> {
            if (closed || held.get(current.relay()) != h || h.reservation != current) {
                return;
            }
            if (error == null) {
                LOG.debug("reservation on {} renewed until {}", current.relay(), renewed.expiry());
                install(h.relayAddress, renewed);
                return;
            }
            Duration left = Duration.between(Instant.now(), current.expiry());
            LOG.debug("renewing the reservation on {} failed ({} left): {}", current.relay(), left, error.toString());
            if (left.compareTo(config.renewRetryDelay()) > 0) {
                h.renewal = schedule(() -> renew(h, current), config.renewRetryDelay());
            }
        });
    }

    /** Drops the reservation on {@code relay} (only if it is still {@code expected}, when given). */
    private void end(PeerId relay, Held expected, String reason) {
        Held removed = expected == null ? held.remove(relay) : (held.remove(relay, expected) ? expected : null);
        if (removed == null) {
            return;
        }
        removed.cancelTimers();
        LOG.debug("reservation on {} ended: {}", relay, reason);
        notifyListeners(l -> l.reservationEnded(relay, reason));
        addressesMayHaveChanged();
    }

    private void addressesMayHaveChanged() {
        List<Multiaddr> now = relayAddresses();
        synchronized (this) {
            if (now.equals(announced)) {
                return;
            }
            announced = now;
        }
        host.identifyService().localAddressesChanged();
        notifyListeners(l -> l.relayAddressesChanged(now));
    }

    private void notifyListeners(java.util.function.Consumer<Listener> event) {
        host.runOnEventThread(() -> {
            for (Listener listener : listeners) {
                try {
                    event.accept(listener);
                } catch (RuntimeException e) {
                    LOG.warn("relay client listener {} failed", listener, e);
                }
            }
        });
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        return host.transportResources().workerGroup().next()
                .schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------------------------------ streams

    private CompletableFuture<Libp2pStream> openHop(PeerId relay, Multiaddr relayAddress) {
        return host.connect(relayAddress.withPeerId(relay)).thenCompose(connection -> {
            if (connection.isLimited()) {
                return CompletableFuture.failedFuture(new Libp2pException(
                        "only relayed connections to relay " + relay + ": relaying over relays is not supported"));
            }
            return connection.newStream(List.of(CircuitRelay.HOP_PROTOCOL), stream -> { });
        });
    }

    /** Sends {@code request} and reads one answer, both on the stream's event loop. */
    private void exchange(StreamChannel channel, HopMessage request, RelayMessages.Callback<HopMessage> callback) {
        channel.eventLoop().execute(() -> {
            RelayMessages.readOne(channel, HopMessage::parseFrom, config.requestTimeout(), new RelayMessages.Callback<>() {
                @Override
                public void onMessage(HopMessage answer) {
                    if (!answer.hasType()) {
                        callback.onFailure(new InvalidRelayMessageException("hop answer without type"));
                    } else {
                        callback.onMessage(answer);
                    }
                }

                @Override
                public void onFailure(Libp2pException error) {
                    callback.onFailure(error);
                }
            });
            RelayMessages.send(channel, request);
        });
    }

    private void onStop(Libp2pStream stream) {
        StreamChannel channel = stream.channel();
        PeerId relay = stream.remotePeer();
        if (stream.connection().isLimited() || config.acceptOnlyFromReservedRelays() && !held.containsKey(relay)) {
            LOG.debug("refusing a relayed connection from {}: no reservation there", relay);
            answerAndClose(channel, Status.PERMISSION_DENIED);
            return;
        }
        RelayMessages.readOne(channel, StopMessage::parseFrom, config.requestTimeout(), new RelayMessages.Callback<>() {
            @Override
            public void onMessage(StopMessage request) {
                if (!request.hasType() || request.getType() != StopMessage.Type.CONNECT
                        || !request.hasPeer() || !request.getPeer().hasId()) {
                    answerAndClose(channel, request.hasType() && request.getType() != StopMessage.Type.CONNECT
                            ? Status.UNEXPECTED_MESSAGE : Status.MALFORMED_MESSAGE);
                    return;
                }
                PeerId initiator;
                try {
                    initiator = PeerId.fromBytes(request.getPeer().getId().toByteArray());
                } catch (Libp2pException e) {
                    answerAndClose(channel, Status.MALFORMED_MESSAGE);
                    return;
                }
                Limit limit = request.hasLimit() ? Limit.fromProto(request.getLimit()) : Limit.NONE;
                RelayMessages.send(channel, StopMessage.newBuilder()
                        .setType(StopMessage.Type.STATUS).setStatus(Status.OK).build());
                Multiaddr circuit = stream.connection().remoteAddress().withPeerId(relay).encapsulate(CIRCUIT);
                upgrade(channel, false, initiator, circuit, circuit, limit).whenComplete((connection, error) -> {
                    if (error != null) {
                        LOG.debug("relayed connection from {} via {} failed: {}", initiator, relay, error.toString());
                    } else {
                        LOG.debug("accepted relayed connection {}", connection);
                    }
                });
            }

            @Override
            public void onFailure(Libp2pException error) {
                if (error instanceof InvalidRelayMessageException || error instanceof FrameTooLongException) {
                    answerAndClose(channel, Status.MALFORMED_MESSAGE);
                } else {
                    channel.reset();
                }
            }
        });
    }

    /** Runs the connection upgrade over a relayed stream; the stream closes when the peer ends it. */
    private CompletableFuture<Connection> upgrade(StreamChannel channel, boolean initiator, PeerId peer,
                                                  Multiaddr local, Multiaddr remote, Limit limit) {
        channel.pipeline().addLast("relay-end", new CloseOnRemoteEnd());
        return host.upgradeRelayedStream(channel, initiator, peer, local, remote, limit.isLimited());
    }

    /** A relayed connection whose stream the far end half-closed is over: close our side too. */
    private static final class CloseOnRemoteEnd extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ctx.fireUserEventTriggered(evt);
            if (evt instanceof ChannelInputShutdownReadComplete) {
                ctx.close();
            }
        }
    }

    private static void answerAndClose(StreamChannel channel, Status status) {
        RelayMessages.send(channel, StopMessage.newBuilder().setType(StopMessage.Type.STATUS).setStatus(status).build())
                .addListener(f -> channel.closeWrite().addListener(g -> channel.close()));
    }

    private static <T> void complete(CompletableFuture<T> future, T value, Throwable error) {
        if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(value);
        }
    }
}
