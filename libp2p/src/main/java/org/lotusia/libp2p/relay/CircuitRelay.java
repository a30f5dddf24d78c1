package org.lotusia.libp2p.relay;

import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiaddrComponent;
import org.lotusia.libp2p.multiformats.MultiaddrProtocol;

/** Protocol ids and wire constants of circuit relay v2. */
public final class CircuitRelay {
    /** The protocol between clients and the relay (reserve, connect). */
    public static final String HOP_PROTOCOL = "/libp2p/circuit/relay/0.2.0/hop";
    /** The protocol the relay uses to hand a circuit to its target. */
    public static final String STOP_PROTOCOL = "/libp2p/circuit/relay/0.2.0/stop";
    /** Signature domain of reservation vouchers. */
    public static final String VOUCHER_DOMAIN = "libp2p-relay-rsvp";
    /** Envelope payload type of reservation vouchers (multicodec 0x0302). */
    static final byte[] VOUCHER_PAYLOAD_TYPE = {0x03, 0x02};
    /** Largest hop or stop message accepted (js and go use 4 KiB). */
    public static final int MAX_MESSAGE_SIZE = 4096;
    /** Most relay addresses taken from one reservation. */
    static final int MAX_RESERVATION_ADDRESSES = 32;

    private CircuitRelay() {
    }

    /** Whether {@code address} goes through a relay (contains {@code /p2p-circuit}). */
    public static boolean isCircuitAddress(Multiaddr address) {
        return address.hasProtocol(MultiaddrProtocol.P2P_CIRCUIT.code());
    }

    /** The address with {@code /p2p-circuit} appended. */
    static Multiaddr withCircuit(Multiaddr address) {
        return address.encapsulate(Multiaddr.of(MultiaddrComponent.of(MultiaddrProtocol.P2P_CIRCUIT)));
    }
}
