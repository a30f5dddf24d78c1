package org.lotusia.libp2p.nat;

import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.transport.TransportException;
import org.lotusia.libp2p.transport.tcp.TcpAddresses;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/** Address checks shared by AutoNAT, DCUtR and UPnP: IPs of TCP multiaddrs, relayed and private addresses. */
public final class NatAddresses {
    private NatAddresses() {
    }

    /** Whether {@code address} goes through a relay ({@code /p2p-circuit}). */
    public static boolean isRelayed(Multiaddr address) {
        return address != null && address.hasProtocol("p2p-circuit");
    }

    /** The IP and port of a direct TCP address, if it is one. */
    public static Optional<InetSocketAddress> tcpSocket(Multiaddr address) {
        if (address == null || isRelayed(address) || !TcpAddresses.isTcp(address)) {
            return Optional.empty();
        }
        try {
            return Optional.of(TcpAddresses.toSocketAddress(address.withoutPeerId()));
        } catch (TransportException e) {
            return Optional.empty();
        }
    }

    /** The IP of a direct TCP address, if it is one. */
    public static Optional<InetAddress> ip(Multiaddr address) {
        return tcpSocket(address).map(InetSocketAddress::getAddress);
    }

    /**
     * Whether {@code ip} is not globally routable: loopback, link-local, site-local (10/8, 172.16/12,
     * 192.168/16), carrier-grade NAT (100.64/10), unique-local IPv6 (fc00::/7), or unspecified.
     */
    public static boolean isPrivate(InetAddress ip) {
        if (ip.isLoopbackAddress() || ip.isLinkLocalAddress() || ip.isSiteLocalAddress() || ip.isAnyLocalAddress()
                || ip.isMulticastAddress()) {
            return true;
        }
        byte[] b = ip.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xFF) == 100 && (b[1] & 0xC0) == 64;
        }
        return (b[0] & 0xFE) == 0xFC;
    }

    /** The TCP address with {@code ip} and {@code port}. */
    public static Multiaddr tcp(InetAddress ip, int port) {
        return TcpAddresses.toMultiaddr(new InetSocketAddress(ip, port));
    }
}
