package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Libp2pStream;
import org.lotusia.p2p.events.RelayAddressesChangedEvent;
import org.lotusia.p2p.message.P2PMessage;

/**
 * An application protocol on top of the coordinator (the reference {@code IProtocolHandler}).
 * Register it with {@link P2PCoordinator#registerProtocol(ProtocolHandler)}.
 *
 * <p>{@link #handleMessage} receives the direct messages whose {@link P2PMessage#protocol()} equals
 * {@link #protocolName()}. Every callback except {@link #handleStream} runs on the coordinator's
 * event executor, one at a time and in order with the events; a callback that throws is reported as
 * an {@link org.lotusia.p2p.events.EventType#ERROR} event and does not affect other handlers.
 * Callbacks should not block for long: they delay every later event.
 *
 * <p>Handlers stay registered across {@link P2PCoordinator#stop()} and a later
 * {@link P2PCoordinator#start()}.
 */
public interface ProtocolHandler {
    /** The routing key matched against {@link P2PMessage#protocol()}, e.g. {@code my-protocol}. */
    String protocolName();

    /**
     * The libp2p stream protocol id, e.g. {@code /lotus/my-protocol/1.0.0}. Used only when this
     * handler overrides {@link #handleStream(Libp2pStream)}: the coordinator then serves this id.
     */
    String protocolId();

    /**
     * Handles a direct message for this protocol.
     *
     * @param message the message (validated, deduplicated, {@code from} checked against the sender)
     * @param from    the authenticated sender (ourselves for a broadcast's self-delivery)
     */
    void handleMessage(P2PMessage message, PeerInfo from);

    /**
     * Takes over an inbound stream for {@link #protocolId()}. Called on the stream's network I/O
     * thread as soon as the protocol is agreed (so bytes sent right after negotiation are not
     * missed): install handlers in {@code stream.channel().pipeline()} and return; never block.
     * Override it to have {@link #protocolId()} served; the default is never called.
     */
    default void handleStream(Libp2pStream stream) {
        stream.channel().close();
    }

    /** A peer got its first connection. */
    default void onPeerConnected(PeerId peerId) {
    }

    /** A peer lost its last connection. */
    default void onPeerDisconnected(PeerId peerId) {
    }

    /** A peer became known. */
    default void onPeerDiscovered(PeerInfo peerInfo) {
    }

    /** What is known about a peer changed. */
    default void onPeerUpdated(PeerInfo peerInfo) {
    }

    /** Our relay addresses changed (relay support is planned; not called in this version). */
    default void onRelayAddressesChanged(RelayAddressesChangedEvent event) {
    }
}
