package org.lotusia.p2p.coordinator;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ListenAddressesTest {
    @Test
    void keepsSpecificAddressesAndExpandsWildcards() {
        Multiaddr specific = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
        List<Multiaddr> expanded = ListenAddresses.expandWildcards(
                List.of(specific, Multiaddr.parse("/ip4/0.0.0.0/tcp/4002")));
        assertThat(expanded.get(0)).isEqualTo(specific);
        assertThat(expanded).contains(Multiaddr.parse("/ip4/127.0.0.1/tcp/4002"))
                .allSatisfy(a -> assertThat(a.toString()).doesNotContain("0.0.0.0"));
    }
}
