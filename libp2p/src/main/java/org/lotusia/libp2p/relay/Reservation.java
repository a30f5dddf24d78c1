package org.lotusia.libp2p.relay;

import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A slot a relay holds for us: peers reach us at {@code addresses} until {@code expiry} (the client
 * renews it before then).
 *
 * @param relay     the relay
 * @param expiry    when the relay drops the reservation unless renewed
 * @param addresses our circuit addresses through this relay, {@code …/p2p/<relay>/p2p-circuit}
 * @param limit     what the relay grants each relayed connection ({@link Limit#NONE} if nothing)
 * @param voucher   the relay's verified voucher, if it sent one
 */
public record Reservation(PeerId relay, Instant expiry, List<Multiaddr> addresses, Limit limit,
                          Optional<ReservationVoucher> voucher) {

    /** Validates and copies. */
    public Reservation {
        Objects.requireNonNull(relay, "relay");
        Objects.requireNonNull(expiry, "expiry");
        addresses = List.copyOf(addresses);
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(voucher, "voucher");
    }
}
