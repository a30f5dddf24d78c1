package org.lotusia.p2p;

import org.lotusia.libp2p.crypto.PeerId;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which connected peers {@link P2PCoordinator#broadcast(org.lotusia.p2p.message.P2PMessage, BroadcastOptions)}
 * sends to (reference {@code {exclude, includedOnly}}): every connected peer, minus {@code exclude},
 * intersected with {@code includedOnly} when present.
 *
 * @param exclude      peers not to send to
 * @param includedOnly when present, the only peers to send to
 */
public record BroadcastOptions(Set<PeerId> exclude, Optional<Set<PeerId>> includedOnly) {
    /** Validates and copies. */
    public BroadcastOptions {
        exclude = Set.copyOf(exclude);
        includedOnly = Objects.requireNonNull(includedOnly, "includedOnly").map(Set::copyOf);
    }

    /** Every connected peer. */
    public static BroadcastOptions all() {
        return new BroadcastOptions(Set.of(), Optional.empty());
    }

    /** Every connected peer except {@code peers}. */
    public static BroadcastOptions excluding(PeerId... peers) {
        return new BroadcastOptions(Set.of(peers), Optional.empty());
    }

    /** Only those of {@code peers} that are connected. */
    public static BroadcastOptions only(PeerId... peers) {
        return new BroadcastOptions(Set.of(), Optional.of(Set.of(peers)));
    }

    /** Every connected peer except the peers with these ids (parsed; malformed ids throw). */
    public static BroadcastOptions excluding(String... peerIds) {
        return new BroadcastOptions(parse(peerIds), Optional.empty());
    }

    /** Only the connected peers with these ids (parsed; malformed ids throw). */
    public static BroadcastOptions only(String... peerIds) {
        return new BroadcastOptions(Set.of(), Optional.of(parse(peerIds)));
    }

    /** Whether {@code peer} is a target. */
    public boolean includes(PeerId peer) {
        return !exclude.contains(peer) && includedOnly.map(s -> s.contains(peer)).orElse(true);
    }

    private static Set<PeerId> parse(String... ids) {
        return Arrays.stream(ids).map(P2PCoordinator::parsePeerId).collect(Collectors.toUnmodifiableSet());
    }
}
