package org.lotusia.libp2p.host;

import org.lotusia.libp2p.crypto.PeerId;

/**
 * Receives the host's events. Called one at a time, in order, on the host's event thread (never on
 * an I/O thread), so a listener may take its time but delays the events after it. Exceptions a
 * listener throws are logged and do not stop delivery to others.
 */
public interface HostListener {
    /** A connection finished its upgrade and can carry streams. */
    default void connectionOpened(Connection connection) {
    }

    /** A connection closed. */
    default void connectionClosed(Connection connection) {
    }

    /** Identify finished for a peer: the peer store now holds what it told us. */
    default void peerIdentified(PeerId peer, PeerRecordView info) {
    }
}
