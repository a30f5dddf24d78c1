package org.lotusia.p2p.coordinator;

import org.lotusia.libp2p.multiformats.Multiaddr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns wildcard listen addresses ({@code /ip4/0.0.0.0/...}, {@code /ip6/::/...}) into the addresses
 * of the machine's up interfaces, as js-libp2p does for the addresses it reports: a wildcard is
 * not dialable. Link-local addresses are left out.
 */
public final class ListenAddresses {
    private static final Logger LOG = LoggerFactory.getLogger(ListenAddresses.class);

    private ListenAddresses() {
    }

    /** {@code addresses} with every wildcard replaced by the matching interface addresses (order kept, no duplicates). */
    public static List<Multiaddr> expandWildcards(List<Multiaddr> addresses) {
        Set<Multiaddr> result = new LinkedHashSet<>();
        for (Multiaddr address : addresses) {
            String text = address.toString();
            if (text.startsWith("/ip4/0.0.0.0/")) {
                expand(result, text.substring("/ip4/0.0.0.0".length()), false);
            } else if (text.startsWith("/ip6/::/")) {
                expand(result, text.substring("/ip6/::".length()), true);
            } else {
                result.add(address);
            }
        }
        return List.copyOf(result);
    }

    private static void expand(Set<Multiaddr> result, String rest, boolean ipv6) {
        for (InetAddress ip : interfaceAddresses()) {
            if (ip.isLinkLocalAddress() || ip.isAnyLocalAddress()) {
                continue;
            }
            if (!ipv6 && ip instanceof Inet4Address) {
                result.add(Multiaddr.parse("/ip4/" + ip.getHostAddress() + rest));
            } else if (ipv6 && ip instanceof Inet6Address v6) {
                String host = v6.getHostAddress();
                int zone = host.indexOf('%');
                result.add(Multiaddr.parse("/ip6/" + (zone >= 0 ? host.substring(0, zone) : host) + rest));
            }
        }
    }

    private static List<InetAddress> interfaceAddresses() {
        List<InetAddress> addresses = new ArrayList<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp()) {
                    addresses.addAll(Collections.list(nic.getInetAddresses()));
                }
            }
        } catch (SocketException | RuntimeException e) {
            LOG.debug("cannot list network interfaces: {}", e.toString());
        }
        return addresses;
    }
}
