package org.lotusia.libp2p.host;

/** Which side opened a connection. */
public enum Direction {
    /** We dialled the peer. */
    OUTBOUND,
    /** The peer dialled us. */
    INBOUND
}
