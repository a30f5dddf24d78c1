package org.lotusia.libp2p.nat;

/** Whether other peers can dial us directly, as AutoNAT found out. */
public enum Reachability {
    /** Not enough answers yet. */
    UNKNOWN,
    /** Peers dialled us back: our address is publicly reachable. */
    PUBLIC,
    /** Dial-backs failed: we are behind a NAT or firewall. */
    PRIVATE
}
