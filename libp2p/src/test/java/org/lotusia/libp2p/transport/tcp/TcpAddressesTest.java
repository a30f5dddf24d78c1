package org.lotusia.libp2p.transport.tcp;

import org.junit.jupiter.api.Test;
import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.transport.UnsupportedAddressException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TcpAddressesTest {

    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal); // literals only: no lookup happens
    }

    @Test
    void ip4RoundTrip() throws Exception {
        Multiaddr ma = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
        assertThat(TcpAddresses.isTcp(ma)).isTrue();
        InetSocketAddress isa = TcpAddresses.toSocketAddress(ma);
        assertThat(isa.getAddress()).isEqualTo(ip("127.0.0.1"));
        assertThat(isa.getPort()).isEqualTo(4001);
        assertThat(isa.isUnresolved()).isFalse();
        assertThat(TcpAddresses.toMultiaddr(isa)).isEqualTo(ma);
    }

    @Test
    void ip6RoundTrip() throws Exception {
        Multiaddr ma = Multiaddr.parse("/ip6/::1/tcp/65535");
        InetSocketAddress isa = TcpAddresses.toSocketAddress(ma);
        assertThat(isa.getAddress()).isInstanceOf(Inet6Address.class).isEqualTo(ip("::1"));
        assertThat(isa.getPort()).isEqualTo(65535);
        assertThat(TcpAddresses.toMultiaddr(isa)).isEqualTo(ma);
        assertThat(TcpAddresses.toMultiaddr(new InetSocketAddress(ip("2001:db8::7"), 0)).toString())
                .isEqualTo("/ip6/2001:db8::7/tcp/0");
    }

    @Test
    void trailingPeerIdIsAllowedAndIgnored() {
        PeerId peer = Keys.generateEd25519().publicKey().peerId();
        Multiaddr ma = Multiaddr.parse("/ip4/10.0.0.1/tcp/1234/p2p/" + peer);
        assertThat(TcpAddresses.isTcp(ma)).isTrue();
        assertThat(TcpAddresses.toSocketAddress(ma)).isEqualTo(new InetSocketAddress("10.0.0.1", 1234));
    }

    @Test
    void ipv4MappedIpv6BecomesIp4() throws Exception {
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        mapped[12] = (byte) 192;
        mapped[13] = (byte) 168;
        mapped[14] = 1;
        mapped[15] = 2;
        InetAddress v6 = Inet6Address.getByAddress(null, mapped, -1);
        assertThat(v6).isInstanceOf(Inet6Address.class);
        assertThat(TcpAddresses.toMultiaddr(new InetSocketAddress(v6, 80)).toString()).isEqualTo("/ip4/192.168.1.2/tcp/80");
    }

    @Test
    void scopedIpv6UsesIp6zone() throws Exception {
        byte[] linkLocal = ip("fe80::1").getAddress();
        Inet6Address scoped = Inet6Address.getByAddress(null, linkLocal, 3);
        Multiaddr ma = TcpAddresses.toMultiaddr(new InetSocketAddress(scoped, 9));
        assertThat(ma.toString()).isEqualTo("/ip6zone/3/ip6/fe80::1/tcp/9");
        assertThat(TcpAddresses.isTcp(ma)).isTrue();
        InetSocketAddress back = TcpAddresses.toSocketAddress(ma);
        assertThat(((Inet6Address) back.getAddress()).getScopeId()).isEqualTo(3);
        assertThatThrownBy(() -> TcpAddresses.toSocketAddress(
                Multiaddr.parse("/ip6zone/no-such-if0/ip6/fe80::1/tcp/9")))
                .isInstanceOf(UnsupportedAddressException.class).hasMessageContaining("no-such-if0");
    }

    @Test
    void dnsAddressesAreRejectedWithAClearMessage() {
        for (String s : new String[] {"/dns4/example.com/tcp/443", "/dns6/example.com/tcp/443",
                "/dns/example.com/tcp/443", "/dnsaddr/bootstrap.libp2p.io"}) {
            Multiaddr ma = Multiaddr.parse(s);
            assertThat(TcpAddresses.isTcp(ma)).as(s).isFalse();
            assertThat(TcpAddresses.isDnsTcp(ma)).as(s).isTrue();
            assertThatThrownBy(() -> TcpAddresses.toSocketAddress(ma)).as(s)
                    .isInstanceOf(UnsupportedAddressException.class)
                    .hasMessageContaining("DNS").hasMessageContaining(s);
        }
    }

    @Test
    void otherShapesAreRejected() {
        for (String s : new String[] {"/ip4/1.2.3.4/udp/53", "/ip4/1.2.3.4", "/ip4/1.2.3.4/tcp/1/ws",
                "/ip4/1.2.3.4/udp/1/quic-v1", "/tcp/1", "/ip4/1.2.3.4/tcp/1/p2p-circuit"}) {
            Multiaddr ma = Multiaddr.parse(s);
            assertThat(TcpAddresses.isTcp(ma)).as(s).isFalse();
            assertThatThrownBy(() -> TcpAddresses.toSocketAddress(ma)).as(s)
                    .isInstanceOf(UnsupportedAddressException.class)
                    .hasMessageContaining("/ip4|ip6/<address>/tcp/<port>");
        }
        assertThat(TcpAddresses.isTcp(Multiaddr.empty())).isFalse();
    }

    @Test
    void unresolvedSocketAddressesAreRefusedWithoutLookup() {
        assertThatThrownBy(() -> TcpAddresses.toMultiaddr(InetSocketAddress.createUnresolved("example.com", 80)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unresolved");
        assertThat(TcpAddresses.toMultiaddr(new InetSocketAddress(Inet4Address.getLoopbackAddress(), 1)).toString())
                .isEqualTo("/ip4/127.0.0.1/tcp/1");
    }
}
