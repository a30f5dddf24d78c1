package org.lotusia.libp2p.transport.tcp;

import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.multiformats.MultiaddrComponent;
import org.lotusia.libp2p.multiformats.MultiaddrProtocol;
import org.lotusia.libp2p.transport.UnsupportedAddressException;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Converts between TCP multiaddrs and {@link InetSocketAddress}es. Never resolves names: only IP
 * literals are accepted and produced.
 *
 * <p>Accepted multiaddr shapes: {@code /ip4/<a>/tcp/<port>}, {@code /ip6/<a>/tcp/<port>} and
 * {@code /ip6zone/<zone>/ip6/<a>/tcp/<port>}, each optionally followed by {@code /p2p/<peer-id>}
 * (ignored here). IPv4-mapped IPv6 socket addresses ({@code ::ffff:a.b.c.d}) become {@code /ip4}.
 */
public final class TcpAddresses {
    private TcpAddresses() {
    }

    /** Whether {@code address} is an IP + TCP multiaddr this class can convert (optionally with /p2p). */
    public static boolean isTcp(Multiaddr address) {
        List<MultiaddrComponent> c = significant(address);
        if (c.size() == 2) {
            return (c.get(0).protocol() == MultiaddrProtocol.IP4 || c.get(0).protocol() == MultiaddrProtocol.IP6)
                    && c.get(1).protocol() == MultiaddrProtocol.TCP;
        }
        return c.size() == 3 && c.get(0).protocol() == MultiaddrProtocol.IP6ZONE
                && c.get(1).protocol() == MultiaddrProtocol.IP6 && c.get(2).protocol() == MultiaddrProtocol.TCP;
    }

    /** Whether {@code address} is a DNS name + TCP multiaddr ({@code /dns|dns4|dns6|dnsaddr/<name>/tcp/<port>}). */
    public static boolean isDnsTcp(Multiaddr address) {
        List<MultiaddrComponent> c = significant(address);
        if (c.isEmpty() || !isDns(c.get(0).protocol())) {
            return false;
        }
        return c.size() == 1 && c.get(0).protocol() == MultiaddrProtocol.DNSADDR
                || c.size() == 2 && c.get(1).protocol() == MultiaddrProtocol.TCP;
    }

    /**
     * The socket address of an IP + TCP multiaddr.
     *
     * @throws UnsupportedAddressException if the multiaddr has another shape (the message says why,
     *                                     e.g. that DNS names are not resolved), or names an IPv6 zone
     *                                     that does not exist on this machine
     */
    public static InetSocketAddress toSocketAddress(Multiaddr address) {
        Objects.requireNonNull(address, "address");
        if (!isTcp(address)) {
            if (isDnsTcp(address)) {
                throw new UnsupportedAddressException("DNS multiaddrs are not supported by the TCP transport yet"
                        + " (names are never resolved): " + address);
            }
            throw new UnsupportedAddressException("not an /ip4|ip6/<address>/tcp/<port> multiaddr: " + address);
        }
        List<MultiaddrComponent> c = significant(address);
        String zone = null;
        if (c.get(0).protocol() == MultiaddrProtocol.IP6ZONE) {
            zone = c.get(0).value();
            c = c.subList(1, c.size());
        }
        byte[] ip = c.get(0).valueBytes();
        byte[] portBytes = c.get(1).valueBytes();
        int port = ((portBytes[0] & 0xFF) << 8) | (portBytes[1] & 0xFF);
        try {
            InetAddress inet;
            if (zone == null) {
                inet = InetAddress.getByAddress(ip);
            } else {
                inet = scoped(ip, zone, address);
            }
            return new InetSocketAddress(inet, port);
        } catch (UnknownHostException e) {
            // Only thrown for a wrong address length, which the multiaddr codec already excludes.
            throw new UnsupportedAddressException("invalid IP address in " + address + ": " + e.getMessage());
        }
    }

    /**
     * The multiaddr of a socket address: {@code /ip4/…/tcp/…}, {@code /ip6/…/tcp/…}, or
     * {@code /ip6zone/<zone>/ip6/…/tcp/…} for scoped IPv6 addresses.
     *
     * @throws IllegalArgumentException if {@code address} is not an {@link InetSocketAddress} or is
     *                                  unresolved (no IP literal)
     */
    public static Multiaddr toMultiaddr(SocketAddress address) {
        if (!(address instanceof InetSocketAddress isa)) {
            throw new IllegalArgumentException("not an IP socket address: " + address);
        }
        InetAddress inet = isa.getAddress();
        if (inet == null) {
            throw new IllegalArgumentException("unresolved socket address (names are not resolved): " + address);
        }
        List<MultiaddrComponent> out = new ArrayList<>(3);
        byte[] raw = inet.getAddress();
        if (inet instanceof Inet4Address) {
            out.add(MultiaddrComponent.fromValueBytes(MultiaddrProtocol.IP4, raw));
        } else if (isIpv4Mapped(raw)) {
            byte[] v4 = new byte[] {raw[12], raw[13], raw[14], raw[15]};
            out.add(MultiaddrComponent.fromValueBytes(MultiaddrProtocol.IP4, v4));
        } else {
            String zone = zoneOf((Inet6Address) inet);
            if (zone != null) {
                out.add(MultiaddrComponent.parse(MultiaddrProtocol.IP6ZONE, zone));
            }
            out.add(MultiaddrComponent.fromValueBytes(MultiaddrProtocol.IP6, raw));
        }
        int port = isa.getPort();
        out.add(MultiaddrComponent.fromValueBytes(MultiaddrProtocol.TCP, new byte[] {(byte) (port >>> 8), (byte) port}));
        return Multiaddr.of(out);
    }

    /** The components that matter for the transport: everything but a trailing /p2p. */
    private static List<MultiaddrComponent> significant(Multiaddr address) {
        return address.withoutPeerId().components();
    }

    private static boolean isDns(MultiaddrProtocol p) {
        return p == MultiaddrProtocol.DNS || p == MultiaddrProtocol.DNS4 || p == MultiaddrProtocol.DNS6
                || p == MultiaddrProtocol.DNSADDR;
    }

    private static boolean isIpv4Mapped(byte[] raw) {
        if (raw.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return raw[10] == (byte) 0xFF && raw[11] == (byte) 0xFF;
    }

    private static String zoneOf(Inet6Address inet) {
        if (inet.getScopedInterface() != null) {
            return inet.getScopedInterface().getName();
        }
        return inet.getScopeId() != 0 ? Integer.toString(inet.getScopeId()) : null;
    }

    private static Inet6Address scoped(byte[] ip, String zone, Multiaddr address) throws UnknownHostException {
        if (ip.length != 16) {
            throw new UnsupportedAddressException("/ip6zone must precede an /ip6 address: " + address);
        }
        if (zone.chars().allMatch(Character::isDigit) && zone.length() <= 9) {
            return Inet6Address.getByAddress(null, ip, Integer.parseInt(zone));
        }
        NetworkInterface nif;
        try {
            nif = NetworkInterface.getByName(zone);
        } catch (SocketException e) {
            nif = null;
        }
        if (nif == null) {
            throw new UnsupportedAddressException("unknown IPv6 zone '" + zone + "' in " + address);
        }
        return Inet6Address.getByAddress(null, ip, nif);
    }
}
