package org.lotusia.libp2p.testing.netns;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A small internet inside network namespaces, built by a test and torn down by {@link #close()}:
 * a "public" segment {@code 10.99.0.0/24} (a bridge in a switch namespace), hosts attached to it
 * directly ({@link #addPublicHost}), and private networks {@code 192.168.N.0/24} each behind its own
 * NAT router ({@link #addNatNetwork}). A router masquerades (iptables MASQUERADE) what leaves its
 * WAN side and, like a home router, silently drops unsolicited TCP connections arriving there.
 *
 * <p>Namespace names carry a random per-topology prefix, so concurrent runs never collide; every
 * interface is created inside the test's own namespaces (never in the root namespace), and public
 * hosts have no route beyond the public segment, so all traffic stays inside.
 *
 * <pre>{@code
 * try (NatTopology net = NatTopology.create()) {
 *     NetNs relay = net.addPublicHost("relay");          // 10.99.0.10
 *     NatTopology.NatNetwork a = net.addNatNetwork("a"); // router 10.99.0.2 / 192.168.1.1, host 192.168.1.2
 * }
 * }</pre>
 */
public final class NatTopology implements AutoCloseable {
    /** The public segment's first three octets. */
    public static final String PUBLIC_PREFIX = "10.99.0.";

    private final String prefix;
    private final String publicPrefix;
    private final NetNs switchNs;
    private final List<NetNs> namespaces = Collections.synchronizedList(new ArrayList<>());
    private int publicHosts;
    private int natNetworks;
    private int switchPorts;

    private NatTopology(String publicPrefix) {
        if (!publicPrefix.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.")) {
            throw new IllegalArgumentException("public prefix must look like 10.99.0.: " + publicPrefix);
        }
        this.publicPrefix = publicPrefix;
        this.prefix = "lp" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        this.switchNs = track(NetNs.create(prefix + "-sw"));
        try {
            switchNs.exec("ip", "link", "add", "br0", "type", "bridge");
            switchNs.exec("ip", "link", "set", "br0", "up");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Creates the public segment. Call {@link NetNs#assumeAvailable()} first so machines without
     * namespace support skip instead of failing.
     */
    public static NatTopology create() {
        return create(PUBLIC_PREFIX);
    }

    /**
     * Like {@link #create()} with another public /24 ({@code "a.b.c."}). Tools that refuse private
     * WAN addresses (miniupnpd) need a globally routable-looking one; packets still never leave the
     * topology's namespaces, which have no link to the machine's own network.
     */
    public static NatTopology create(String publicPrefix) {
        NetNs.assumeAvailable();
        return new NatTopology(publicPrefix);
    }

    /** The public segment's first three octets, e.g. {@code "10.99.0."}. */
    public String publicPrefix() {
        return publicPrefix;
    }

    /** The random prefix of this topology's namespace names. */
    public String prefix() {
        return prefix;
    }

    /** Adds a host on the public segment at {@code 10.99.0.(10+n)}, interface {@code eth0}. */
    public synchronized NetNs addPublicHost(String role) {
        NetNs ns = track(NetNs.create(prefix + "-" + role));
        String address = publicPrefix + (10 + publicHosts++);
        attachToSwitch(ns, "eth0", address);
        return ns;
    }

    /**
     * Adds a private network {@code 192.168.N.0/24} behind a NAT router whose WAN address is
     * {@code 10.99.0.(2+n)}; the host behind it has {@code 192.168.N.2} and its default route via
     * the router ({@code 192.168.N.1}).
     */
    public synchronized NatNetwork addNatNetwork(String role) {
        int n = ++natNetworks;
        NetNs router = track(NetNs.create(prefix + "-" + role + "r"));
        NetNs host = track(NetNs.create(prefix + "-" + role));
        String wan = publicPrefix + (1 + n);
        String lanNet = "192.168." + n + ".";
        attachToSwitch(router, "wan0", wan);
        router.exec("ip", "link", "add", "lan0", "type", "veth", "peer", "name", "eth0", "netns", host.name());
        router.exec("ip", "addr", "add", lanNet + "1/24", "dev", "lan0");
        router.exec("ip", "link", "set", "lan0", "up");
        host.exec("ip", "addr", "add", lanNet + "2/24", "dev", "eth0");
        host.exec("ip", "link", "set", "eth0", "up");
        host.exec("ip", "route", "add", "default", "via", lanNet + "1");
        router.exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        router.exec("iptables", "-t", "nat", "-A", "POSTROUTING", "-o", "wan0", "-j", "MASQUERADE");
        // A home router drops unsolicited inbound connections instead of answering RST; hole
        // punching relies on that (an early SYN is dropped and retransmitted, not refused).
        router.exec("iptables", "-A", "INPUT", "-i", "wan0", "-p", "tcp", "-m", "conntrack",
                "--ctstate", "NEW,INVALID", "-j", "DROP");
        return new NatNetwork(router, host, wan, lanNet + "1", lanNet + "2");
    }

    private void attachToSwitch(NetNs ns, String ifname, String address) {
        String port = "p" + (switchPorts++);
        switchNs.exec("ip", "link", "add", port, "type", "veth", "peer", "name", ifname, "netns", ns.name());
        switchNs.exec("ip", "link", "set", port, "master", "br0");
        switchNs.exec("ip", "link", "set", port, "up");
        ns.exec("ip", "addr", "add", address + "/24", "dev", ifname);
        ns.exec("ip", "link", "set", ifname, "up");
    }

    private NetNs track(NetNs ns) {
        namespaces.add(ns);
        return ns;
    }

    /** Deletes every namespace of the topology (killing what runs in them). Idempotent; never throws. */
    @Override
    public void close() {
        List<NetNs> all;
        synchronized (namespaces) {
            all = new ArrayList<>(namespaces);
            namespaces.clear();
        }
        Collections.reverse(all);
        all.forEach(NetNs::close);
    }

    /**
     * A private network behind a NAT router.
     *
     * @param router         the router's namespace ({@code wan0} public side, {@code lan0} private side)
     * @param host           the namespace of the host behind it ({@code eth0})
     * @param publicAddress  the router's WAN address: what public peers see as the host's address
     * @param gatewayAddress the router's LAN address
     * @param privateAddress the host's address
     */
    public record NatNetwork(NetNs router, NetNs host, String publicAddress, String gatewayAddress, String privateAddress) {
    }
}
