package org.lotusia.libp2p.nat.upnp;

import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.multiformats.Multiaddr;
import org.lotusia.libp2p.nat.NatAddresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Opt-in UPnP IGD port mapping for a host's TCP listen port: discovers the gateway, maps the same
 * external port to the listen port (lease renewed at half its duration), advertises the external
 * address through the host, and removes the mapping on {@link #close()}. All gateway work runs on
 * the mapper's own thread.
 */
public final class UpnpPortMapper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UpnpPortMapper.class);

    private final Host host;
    private final UpnpConfig config;
    private final ScheduledExecutorService worker;
    private final CompletableFuture<Multiaddr> mapped = new CompletableFuture<>();
    private final Supplier<List<Multiaddr>> advertised = this::externalAddresses;
    private volatile UpnpGateway gateway;
    private volatile int externalPort;
    private volatile int internalPort;
    private volatile Multiaddr externalAddress;
    private volatile ScheduledFuture<?> renewal;
    private volatile boolean closed;

    private UpnpPortMapper(Host host, UpnpConfig config) {
        this.host = Objects.requireNonNull(host, "host");
        this.config = Objects.requireNonNull(config, "config");
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "lotus-upnp");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts mapping the host's first IPv4 TCP listen port; see {@link #mapped()}. */
    public static UpnpPortMapper start(Host host, UpnpConfig config) {
        UpnpPortMapper mapper = new UpnpPortMapper(host, config);
        mapper.worker.execute(mapper::map);
        return mapper;
    }

    /** Completes with the external address ({@code /ip4/<wan ip>/tcp/<port>}) once mapped, or fails. */
    public CompletableFuture<Multiaddr> mapped() {
        return mapped;
    }

    /** The external address while mapped. */
    public Optional<Multiaddr> externalAddress() {
        return Optional.ofNullable(externalAddress);
    }

    /** The gateway's service and control URL (for diagnostics), or empty before discovery. */
    public String gatewayDescription() {
        UpnpGateway g = gateway;
        return g == null ? "" : g.toString();
    }

    private List<Multiaddr> externalAddresses() {
        Multiaddr a = externalAddress;
        return a == null ? List.of() : List.of(a);
    }

    private void map() {
        try {
            internalPort = host.listenAddresses().stream()
                    .map(NatAddresses::tcpSocket).flatMap(Optional::stream)
                    .filter(s -> s.getAddress() instanceof Inet4Address && !s.getAddress().isLoopbackAddress())
                    .map(InetSocketAddress::getPort).findFirst()
                    .orElseThrow(() -> new UpnpException("the host has no IPv4 TCP listen address to map"));
            gateway = UpnpGateway.discover(config.discoveryTimeout(), config.requestTimeout());
            externalPort = internalPort;
            try {
                gateway.addPortMapping(externalPort, internalPort, config.description(), config.leaseDuration().toSeconds());
            } catch (UpnpException e) {
                if (e.errorCode() != 718 && e.errorCode() != 724) {
                    throw e;
                }
                // 718 ConflictInMappingEntry / 724 SamePortValuesRequired: try another external port
                externalPort = 20000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(40000);
                gateway.addPortMapping(externalPort, internalPort, config.description(), config.leaseDuration().toSeconds());
            }
            InetAddress external = gateway.externalIpAddress();
            externalAddress = NatAddresses.tcp(external, externalPort);
            host.addAddressProvider(advertised);
            host.identifyService().localAddressesChanged();
            long lease = config.leaseDuration().toSeconds();
            if (lease > 0) {
                long every = Math.max(1, lease / 2);
                renewal = worker.scheduleWithFixedDelay(this::renew, every, every, TimeUnit.SECONDS);
            }
            LOG.info("UPnP: mapped {} on {} to local port {}", externalAddress, gateway, internalPort);
            mapped.complete(externalAddress);
        } catch (RuntimeException e) {
            LOG.debug("UPnP mapping failed: {}", e.toString());
            mapped.completeExceptionally(e);
        }
    }

    private void renew() {
        if (closed) {
            return;
        }
        try {
            gateway.addPortMapping(externalPort, internalPort, config.description(), config.leaseDuration().toSeconds());
            LOG.debug("UPnP: renewed the mapping of port {}", externalPort);
        } catch (RuntimeException e) {
            LOG.warn("UPnP: renewing the mapping of port {} failed: {}", externalPort, e.toString());
        }
    }

    /** Removes the mapping (bounded by the request timeout) and stops renewing. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ScheduledFuture<?> r = renewal;
        if (r != null) {
            r.cancel(false);
        }
        host.removeAddressProvider(advertised);
        CompletableFuture<Void> removed = CompletableFuture.runAsync(() -> {
            if (externalAddress != null) {
                try {
                    gateway.deletePortMapping(externalPort);
                    LOG.info("UPnP: removed the mapping of port {}", externalPort);
                } catch (RuntimeException e) {
                    LOG.warn("UPnP: removing the mapping of port {} failed: {}", externalPort, e.toString());
                }
            }
        }, worker);
        try {
            removed.get(config.requestTimeout().toMillis() + config.discoveryTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warn("UPnP: closing did not finish: {}", e.toString());
        }
        externalAddress = null;
        worker.shutdownNow();
        mapped.completeExceptionally(new IllegalStateException("UPnP port mapper closed"));
    }
}
