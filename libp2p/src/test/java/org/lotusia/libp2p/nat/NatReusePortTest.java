package org.lotusia.libp2p.nat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.lotusia.libp2p.host.Connection;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.testing.LeakDetectionExtension;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Dialling from the listen port (the transport's reuse-port option), which NAT traversal builds on. */
@ExtendWith(LeakDetectionExtension.class)
class NatReusePortTest {

    @Test
    void dialsLeaveFromTheListenPortAndFallBackWhenTheTupleIsTaken() throws Exception {
        try (Host a = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).reusePort(true).build();
             Host b = Host.builder().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).reusePort(true).build()) {
            a.start().join();
            b.start().join();
            Connection ab = a.connect(b.shareableAddresses().get(0)).get(10, TimeUnit.SECONDS);
            assertThat(ab.localAddress()).isEqualTo(a.listenAddresses().get(0));
            // b dialling a's listen port from its own listen port would reuse ab's 4-tuple: an ephemeral port is used
            Connection ba = b.dialNewConnection(a.shareableAddresses().get(0), false).get(10, TimeUnit.SECONDS);
            assertThat(ba.isOpen()).isTrue();
            assertThat(ba.localAddress()).isNotEqualTo(b.listenAddresses().get(0));
        }
    }
}
