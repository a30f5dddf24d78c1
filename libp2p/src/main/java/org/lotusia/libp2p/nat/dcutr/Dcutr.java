package org.lotusia.libp2p.nat.dcutr;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import org.lotusia.libp2p.Libp2pException;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Direction;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.HostListener;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.libp2p.host.PeerRecordView;
import org.lotusia.libp2p.host.ProtocolOptions;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiformatException;
import org.lotusia.libp2p.nat.FramedStream;
import org.lotusia.libp2p.nat.NatAddresses;
import org.lotusia.libp2p.nat.ObservedAddresses;
import org.lotusia.libp2p.nat.dcutr.pb.DcutrProto.HolePunch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * DCUtR ({@code /libp2p/dcutr}): upgrades a relayed connection to a direct one by coordinated TCP
 * simultaneous open, then closes the relayed connection.
 *
 * <p>Roles as in the spec: A dialled through the relay, B received the relayed connection (inbound)
 * and initiates. B opens the stream on the relayed connection, sends {@code CONNECT} with its
 * addresses, measures the round trip until A's {@code CONNECT} with A's addresses, sends
 * {@code SYNC}, waits half the round trip and dials A; A dials B as soon as {@code SYNC} arrives.
 * Both dial from their listen port (the host must be built with {@code reusePort}) so the NATs'
 * mappings line up. On the resulting connection A is the client for every protocol and B the server
 * (multistream listener, Noise responder, Yamux server), as the spec prescribes for TCP
 * simultaneous connect. An attempt also succeeds when any direct connection to the peer appears
 * meanwhile (without NATs one side's dial simply lands on the other's listener). B tries up to
 * {@link DcutrConfig#maxAttempts()} times.
 */
public final class Dcutr implements AutoCloseable {
    /** The protocol id. */
    public static final String PROTOCOL = "/libp2p/dcutr";
    /** Largest message accepted (js: 4 KiB). */
    public static final int MAX_MESSAGE_SIZE = 4096;
    /** Addresses of one CONNECT looked at. */
    static final int MAX_ADDRESSES = 16;
    private static final Logger LOG = LoggerFactory.getLogger(Dcutr.class);

    /** Hears about upgrades. Called on the host's event thread. */
    public interface Listener {
        /** The relayed connection to {@code peer} was replaced by {@code direct}. */
        default void upgraded(PeerId peer, Connection direct) {
        }

        /** Every attempt to upgrade the relayed connection to {@code peer} failed. */
        default void failed(PeerId peer, Throwable cause) {
        }
    }

    private final Host host;
    private final DcutrConfig config;
    private final ObservedAddresses observed;
    private final boolean ownsObserved;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<PeerId, CompletableFuture<Connection>> running = new ConcurrentHashMap<>();
    private final HostListener hostListener;
    private volatile boolean closed;

    private Dcutr(Host host, DcutrConfig config, ObservedAddresses observed) {
        this.host = Objects.requireNonNull(host, "host");
        this.config = Objects.requireNonNull(config, "config");
        this.ownsObserved = observed == null;
        this.observed = observed != null ? observed : new ObservedAddresses(host, 1);
        this.hostListener = new HostListener() {
            @Override
            public void peerIdentified(PeerId peer, PeerRecordView info) {
                if (!config.autoUpgrade() || !info.protocols().contains(PROTOCOL) || hasDirect(peer)) {
                    return;
                }
                host.connections().stream()
                        .filter(c -> c.remotePeer().equals(peer) && isRelayed(c) && c.direction() == Direction.INBOUND)
                        .findFirst()
                        .ifPresent(Dcutr.this::upgrade);
            }
        };
    }

    /** Serves DCUtR on {@code host} and (with {@link DcutrConfig#autoUpgrade()}) initiates upgrades. */
    public static Dcutr start(Host host, DcutrConfig config) {
        return start(host, config, null);
    }

    /** Like {@link #start(Host, DcutrConfig)}, taking our observed addresses from {@code observed} (may be null). */
    public static Dcutr start(Host host, DcutrConfig config, ObservedAddresses observed) {
        Dcutr dcutr = new Dcutr(host, config, observed);
        host.protocols().register(PROTOCOL, dcutr::answer, new ProtocolOptions(1, true));
        host.protocols().allowOutboundOnLimitedConnections(PROTOCOL);
        host.addListener(dcutr.hostListener);
        return dcutr;
    }

    /** Adds a listener. */
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes a listener. */
    public void removeListener(Listener listener) {
        listeners.remove(listener);
    }

    private static boolean isRelayed(Connection c) {
        return c.isLimited() || NatAddresses.isRelayed(c.remoteAddress());
    }

    private boolean hasDirect(PeerId peer) {
        return host.connections().stream().anyMatch(c -> c.remotePeer().equals(peer) && !isRelayed(c));
    }

    private Optional<Connection> direct(PeerId peer) {
        return host.connections().stream().filter(c -> c.remotePeer().equals(peer) && !isRelayed(c)).findFirst();
    }

    /** The addresses we tell the peer to dial: observed ones first, then specific listen addresses. */
    List<Multiaddr> ownAddresses() {
        Set<Multiaddr> out = new LinkedHashSet<>(observed.all());
        out.addAll(host.listenAddresses());
        return out.stream().filter(this::dialable).limit(MAX_ADDRESSES).toList();
    }

    private boolean dialable(Multiaddr address) {
        Optional<InetSocketAddress> socket = NatAddresses.tcpSocket(address);
        return socket.isPresent() && socket.get().getPort() != 0 && !socket.get().getAddress().isAnyLocalAddress()
                && (config.allowPrivateAddresses() || !NatAddresses.isPrivate(socket.get().getAddress()));
    }

    /**
     * As B: upgrades the relayed connection {@code relayed} (retrying per config). Completes with the
     * direct connection once the relayed one is closed. Concurrent calls for one peer share a run.
     */
    public CompletableFuture<Connection> upgrade(Connection relayed) {
        PeerId peer = relayed.remotePeer();
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("DCUtR is closed"));
        }
        CompletableFuture<Connection> mine = new CompletableFuture<>();
        CompletableFuture<Connection> existing = running.putIfAbsent(peer, mine);
        if (existing != null) {
            return existing;
        }
        attempt(relayed, 1, null).whenComplete((direct, error) -> {
            running.remove(peer, mine);
            if (error != null) {
                LOG.debug("DCUtR with {} failed: {}", peer, error.toString());
                host.runOnEventThread(() -> listeners.forEach(l -> l.failed(peer, error)));
                mine.completeExceptionally(error);
            } else {
                finish(relayed, direct);
                mine.complete(direct);
            }
        });
        return mine;
    }

    private CompletableFuture<Connection> attempt(Connection relayed, int number, Throwable previous) {
        if (number > config.maxAttempts() || closed || !relayed.isOpen()) {
            return CompletableFuture.failedFuture(new Libp2pException("DCUtR with " + relayed.remotePeer()
                    + " failed after " + (number - 1) + " attempt(s)", previous));
        }
        return initiateOnce(relayed)
                .handle((direct, error) -> error == null
                        ? CompletableFuture.completedFuture(direct)
                        : attempt(relayed, number + 1, error))
                .thenCompose(f -> f);
    }

    /** One exchange and punch as B. */
    private CompletableFuture<Connection> initiateOnce(Connection relayed) {
        PeerId peer = relayed.remotePeer();
        AtomicReference<FramedStream> framed = new AtomicReference<>();
        AtomicReference<Long> sentAt = new AtomicReference<>();
        CompletableFuture<List<Multiaddr>> exchanged = relayed
                .newStream(List.of(PROTOCOL), s -> framed.set(FramedStream.install(s, MAX_MESSAGE_SIZE)), true)
                .thenCompose(s -> {
                    sentAt.set(System.nanoTime());
                    return framed.get().write(connectMessage());
                })
                .thenCompose(v -> framed.get().read())
                .thenApply(bytes -> {
                    long rttNanos = System.nanoTime() - sentAt.get();
                    List<Multiaddr> theirs = parseConnect(bytes);
                    framed.get().write(HolePunch.newBuilder().setType(HolePunch.Type.SYNC).build().toByteArray())
                            .whenComplete((v, e) -> framed.get().closeWrite());
                    LOG.debug("DCUtR with {}: rtt {} us, their addresses {}", peer, rttNanos / 1000, theirs);
                    sentAt.set(rttNanos);
                    return theirs;
                })
                .orTimeout(config.exchangeTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((a, e) -> {
                    if (e != null && framed.get() != null) {
                        framed.get().reset();
                    }
                });
        return exchanged.thenCompose(theirs -> {
            CompletableFuture<Void> halfRtt = new CompletableFuture<>();
            relayed.channel().eventLoop().schedule(() -> halfRtt.complete(null),
                    Math.max(0, sentAt.get() / 2), TimeUnit.NANOSECONDS);
            return halfRtt.thenCompose(v -> punch(peer, theirs, true));
        });
    }

    /** As A: answers B's CONNECT, waits for SYNC, dials at once. */
    private void answer(Libp2pStream stream) {
        Connection relayed = stream.connection();
        PeerId peer = relayed.remotePeer();
        FramedStream framed = FramedStream.install(stream, MAX_MESSAGE_SIZE);
        if (!isRelayed(relayed)) {
            framed.reset(); // nothing to upgrade
            return;
        }
        CompletableFuture<List<Multiaddr>> exchanged = framed.read()
                .thenCompose(bytes -> {
                    List<Multiaddr> theirs = parseConnect(bytes);
                    return framed.write(connectMessage()).thenApply(v -> theirs);
                })
                .thenCompose(theirs -> framed.read().thenApply(bytes -> {
                    parseSync(bytes);
                    return theirs;
                }))
                .orTimeout(config.exchangeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        exchanged.thenCompose(theirs -> {
                    framed.closeWrite();
                    return punch(peer, theirs, false);
                })
                .whenComplete((direct, error) -> {
                    if (error != null) {
                        LOG.debug("DCUtR answer to {} failed: {}", peer, error.toString());
                        framed.reset();
                    } else {
                        finish(relayed, direct);
                    }
                });
    }

    private byte[] connectMessage() {
        HolePunch.Builder m = HolePunch.newBuilder().setType(HolePunch.Type.CONNECT);
        for (Multiaddr a : ownAddresses()) {
            m.addObsAddrs(ByteString.copyFrom(a.withPeerId(host.peerId()).toBytes()));
        }
        return m.build().toByteArray();
    }

    private List<Multiaddr> parseConnect(byte[] bytes) {
        HolePunch message = parse(bytes);
        if (message.getType() != HolePunch.Type.CONNECT) {
            throw new Libp2pException("expected a DCUtR CONNECT, got " + message.getType());
        }
        List<Multiaddr> out = new ArrayList<>();
        int looked = 0;
        for (ByteString raw : message.getObsAddrsList()) {
            if (looked++ >= MAX_ADDRESSES) {
                break;
            }
            try {
                Multiaddr a = Multiaddr.fromBytes(raw.toByteArray()).withoutPeerId();
                if (dialable(a) && !out.contains(a)) {
                    out.add(a);
                }
            } catch (MultiformatException | IllegalArgumentException e) {
                // skip unreadable addresses
            }
        }
        if (out.isEmpty()) {
            throw new Libp2pException("DCUtR CONNECT carried no dialable address");
        }
        return out;
    }

    private static void parseSync(byte[] bytes) {
        if (parse(bytes).getType() != HolePunch.Type.SYNC) {
            throw new Libp2pException("expected a DCUtR SYNC");
        }
    }

    private static HolePunch parse(byte[] bytes) {
        try {
            HolePunch message = HolePunch.parseFrom(bytes);
            if (!message.hasType()) {
                throw new Libp2pException("DCUtR message without a type");
            }
            return message;
        } catch (InvalidProtocolBufferException e) {
            throw new Libp2pException("malformed DCUtR message: " + e.getMessage(), e);
        }
    }

    /**
     * Dials every address of the peer at once from our listen port; completes with the first direct
     * connection to the peer — ours, or one the peer's dial created meanwhile.
     */
    private CompletableFuture<Connection> punch(PeerId peer, List<Multiaddr> addresses, boolean asResponder) {
        CompletableFuture<Connection> first = new CompletableFuture<>();
        HostListener watcher = new HostListener() {
            @Override
            public void connectionOpened(Connection connection) {
                if (connection.remotePeer().equals(peer) && !isRelayed(connection)) {
                    first.complete(connection);
                }
            }
        };
        host.addListener(watcher);
        direct(peer).ifPresent(first::complete);
        List<CompletableFuture<Connection>> dials = new ArrayList<>();
        for (Multiaddr address : addresses) {
            CompletableFuture<Connection> dial = host.dialNewConnection(address.withPeerId(peer), asResponder);
            dials.add(dial);
            dial.whenComplete((c, e) -> {
                if (c != null && !first.complete(c) && !c.equals(first.getNow(null))) {
                    c.close(); // a second direct connection is not needed
                }
            });
        }
        CompletableFuture.allOf(dials.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (e != null && !first.isDone()) {
                // every dial failed; a connection the peer made may still be on its way
                host.runOnEventThread(() -> direct(peer).ifPresentOrElse(first::complete,
                        () -> first.completeExceptionally(new Libp2pException("DCUtR: no direct connection to " + peer, e))));
            }
        });
        return first.orTimeout(config.punchTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((c, e) -> host.removeListener(watcher));
    }

    private void finish(Connection relayed, Connection direct) {
        LOG.debug("DCUtR: direct connection to {} at {}; closing the relayed one", relayed.remotePeer(), direct.remoteAddress());
        relayed.close();
        host.runOnEventThread(() -> listeners.forEach(l -> l.upgraded(relayed.remotePeer(), direct)));
    }

    /** Stops serving and initiating upgrades. */
    @Override
    public void close() {
        closed = true;
        host.removeStreamHandler(PROTOCOL);
        host.removeListener(hostListener);
        if (ownsObserved) {
            observed.close();
        }
    }
}
