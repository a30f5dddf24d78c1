package org.lotusia.libp2p.multistream;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What a {@link MultistreamListener} accepts: answers whether a proposed protocol id is served and,
 * for {@code ls}, lists the served ids. Called on the channel's event loop; must not block.
 *
 * <p>A host registry plugs in with {@code ProtocolSelector.of(registry::supports, registry::protocols)}.
 */
@FunctionalInterface
public interface ProtocolSelector {

    /** Whether {@code protocolId} (as received, trailing whitespace removed) is served. */
    boolean supports(String protocolId);

    /** The ids announced in reply to {@code ls}, in the order they are listed; empty by default. */
    default List<String> protocols() {
        return List.of();
    }

    /** A fixed set of protocol ids; {@code ls} lists them in the given order. */
    static ProtocolSelector of(String... protocolIds) {
        return of(List.of(protocolIds));
    }

    /** A fixed set of protocol ids (copied); {@code ls} lists them in iteration order. */
    static ProtocolSelector of(Collection<String> protocolIds) {
        Set<String> ids = new LinkedHashSet<>();
        for (String id : protocolIds) {
            MultistreamCodec.checkProtocolId(id);
            ids.add(id);
        }
        List<String> listed = List.copyOf(ids);
        return new ProtocolSelector() {
            @Override
            public boolean supports(String protocolId) {
                return ids.contains(protocolId);
            }

            @Override
            public List<String> protocols() {
                return listed;
            }

            @Override
            public String toString() {
                return "ProtocolSelector" + listed;
            }
        };
    }

    /**
     * A live view of a registry: {@code matcher} decides each proposal and {@code lister} is asked for
     * the current list on every {@code ls}.
     */
    static ProtocolSelector of(Predicate<String> matcher, Supplier<? extends List<String>> lister) {
        Objects.requireNonNull(matcher, "matcher");
        Objects.requireNonNull(lister, "lister");
        return new ProtocolSelector() {
            @Override
            public boolean supports(String protocolId) {
                return matcher.test(protocolId);
            }

            @Override
            public List<String> protocols() {
                return List.copyOf(lister.get());
            }
        };
    }
}
