package org.lotusia.libp2p.nat.upnp;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A UPnP Internet Gateway Device's WAN connection service (WANIPConnection or WANPPPConnection),
 * found by SSDP and spoken to with SOAP. Blocking, with every step bounded in time and size: call it
 * off event loops ({@link UpnpPortMapper} does). Thread-safe (no mutable state).
 */
public final class UpnpGateway {
    /** Largest device description or SOAP response read. */
    static final int MAX_HTTP_BYTES = 64 * 1024;
    /** Largest SSDP datagram read. */
    static final int MAX_SSDP_BYTES = 2048;
    /** SSDP responses looked at per discovery. */
    static final int MAX_SSDP_RESPONSES = 32;
    private static final InetSocketAddress SSDP = new InetSocketAddress("239.255.255.250", 1900);
    private static final List<String> SEARCH_TARGETS = List.of(
            "urn:schemas-upnp-org:device:InternetGatewayDevice:1",
            "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
            "urn:schemas-upnp-org:service:WANIPConnection:1");

    private final URI location;
    private final URI controlUrl;
    private final String serviceType;
    private final InetAddress localAddress;
    private final Duration timeout;

    private UpnpGateway(URI location, URI controlUrl, String serviceType, InetAddress localAddress, Duration timeout) {
        this.location = location;
        this.controlUrl = controlUrl;
        this.serviceType = serviceType;
        this.localAddress = localAddress;
        this.timeout = timeout;
    }

    /**
     * Finds a gateway: multicasts SSDP M-SEARCH, waits up to {@code discoveryTimeout} for answers,
     * and takes the first whose description offers a WAN connection service.
     */
    public static UpnpGateway discover(Duration discoveryTimeout, Duration requestTimeout) throws UpnpException {
        Set<URI> locations = new LinkedHashSet<>();
        try (DatagramSocket socket = new DatagramSocket(0)) {
            for (String target : SEARCH_TARGETS) {
                byte[] search = ("M-SEARCH * HTTP/1.1\r\n"
                        + "HOST: 239.255.255.250:1900\r\n"
                        + "MAN: \"ssdp:discover\"\r\n"
                        + "MX: 2\r\n"
                        + "ST: " + target + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(search, search.length, SSDP));
            }
            long deadline = System.nanoTime() + discoveryTimeout.toNanos();
            byte[] buffer = new byte[MAX_SSDP_BYTES];
            for (int received = 0; received < MAX_SSDP_RESPONSES; received++) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    break;
                }
                parseSsdpLocation(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.ISO_8859_1))
                        .ifPresent(locations::add);
                if (!locations.isEmpty() && locations.size() >= 1 && received >= SEARCH_TARGETS.size() - 1) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UpnpException("SSDP discovery failed: " + e.getMessage(), e);
        }
        UpnpException last = null;
        for (URI location : locations) {
            try {
                return fromLocation(location, requestTimeout);
            } catch (UpnpException e) {
                last = e;
            }
        }
        throw last != null ? last : new UpnpException("no UPnP gateway answered within " + discoveryTimeout.toMillis() + " ms");
    }

    /** The {@code LOCATION} of an SSDP answer, when it is an HTTP 200 with an http:// location. */
    static Optional<URI> parseSsdpLocation(String datagram) {
        String[] lines = datagram.split("\r\n");
        if (lines.length == 0 || !lines[0].startsWith("HTTP/1.1 200")) {
            return Optional.empty();
        }
        String location = BoundedHttp.parseHeaders(lines, 1).get("location");
        if (location == null || location.length() > 512) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(location.trim());
            return "http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null ? Optional.of(uri) : Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
    }

    /** Reads the device description at {@code location} and picks its WAN connection service. */
    public static UpnpGateway fromLocation(URI location, Duration requestTimeout) throws UpnpException {
        BoundedHttp.Response response;
        try {
            response = BoundedHttp.request("GET", location, Map.of(), null, requestTimeout, MAX_HTTP_BYTES);
        } catch (IOException e) {
            throw new UpnpException("cannot read the gateway description at " + location + ": " + e.getMessage(), e);
        }
        if (response.status() != 200) {
            throw new UpnpException("gateway description at " + location + " answered HTTP " + response.status());
        }
        Document description = parseXml(response.body());
        URI base = location;
        NodeList urlBase = description.getElementsByTagNameNS("*", "URLBase");
        if (urlBase.getLength() > 0 && !urlBase.item(0).getTextContent().isBlank()) {
            try {
                base = new URI(urlBase.item(0).getTextContent().trim());
            } catch (URISyntaxException ignored) {
                // keep the location as base
            }
        }
        NodeList services = description.getElementsByTagNameNS("*", "service");
        for (String wanted : List.of("WANIPConnection", "WANPPPConnection")) {
            for (int i = 0; i < services.getLength(); i++) {
                Element service = (Element) services.item(i);
                String type = childText(service, "serviceType");
                String control = childText(service, "controlURL");
                if (type != null && control != null && type.contains(":service:" + wanted + ":")) {
                    try {
                        URI controlUrl = base.resolve(control.trim());
                        InetAddress local = localAddressTowards(controlUrl);
                        return new UpnpGateway(location, controlUrl, type.trim(), local, requestTimeout);
                    } catch (IllegalArgumentException e) {
                        throw new UpnpException("gateway control URL is malformed: " + control);
                    }
                }
            }
        }
        throw new UpnpException("gateway at " + location + " offers no WANIPConnection or WANPPPConnection service");
    }

    private static InetAddress localAddressTowards(URI uri) throws UpnpException {
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(new InetSocketAddress(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : 80));
            return probe.getLocalAddress();
        } catch (IOException e) {
            throw new UpnpException("no route to the gateway " + uri.getHost(), e);
        }
    }

    /** Where the description was read. */
    public URI location() {
        return location;
    }

    /** The SOAP control URL of the WAN connection service. */
    public URI controlUrl() {
        return controlUrl;
    }

    /** The service type, e.g. {@code urn:schemas-upnp-org:service:WANIPConnection:1}. */
    public String serviceType() {
        return serviceType;
    }

    /** Our address on the gateway's LAN (the internal client of mappings). */
    public InetAddress localAddress() {
        return localAddress;
    }

    /** The gateway's external (WAN) IPv4 address. */
    public InetAddress externalIpAddress() throws UpnpException {
        Document answer = soap("GetExternalIPAddress", "");
        String ip = text(answer, "NewExternalIPAddress");
        if (ip == null || ip.isBlank()) {
            throw new UpnpException("gateway reported no external IP address");
        }
        try {
            InetAddress address = InetAddress.getByName(ip.trim());
            if (!ip.trim().matches("[0-9.]{7,15}")) {
                throw new UpnpException("gateway reported a malformed external IP address");
            }
            return address;
        } catch (IOException e) {
            throw new UpnpException("gateway reported a malformed external IP address", e);
        }
    }

    /**
     * Maps TCP {@code externalPort} on the gateway to {@code internalPort} on our LAN address for
     * {@code leaseSeconds} (0 = until removed).
     */
    public void addPortMapping(int externalPort, int internalPort, String description, long leaseSeconds) throws UpnpException {
        soap("AddPortMapping",
                "<NewRemoteHost></NewRemoteHost>"
                        + "<NewExternalPort>" + externalPort + "</NewExternalPort>"
                        + "<NewProtocol>TCP</NewProtocol>"
                        + "<NewInternalPort>" + internalPort + "</NewInternalPort>"
                        + "<NewInternalClient>" + localAddress.getHostAddress() + "</NewInternalClient>"
                        + "<NewEnabled>1</NewEnabled>"
                        + "<NewPortMappingDescription>" + escape(description) + "</NewPortMappingDescription>"
                        + "<NewLeaseDuration>" + leaseSeconds + "</NewLeaseDuration>");
    }

    /** Removes the TCP mapping of {@code externalPort}. */
    public void deletePortMapping(int externalPort) throws UpnpException {
        soap("DeletePortMapping",
                "<NewRemoteHost></NewRemoteHost>"
                        + "<NewExternalPort>" + externalPort + "</NewExternalPort>"
                        + "<NewProtocol>TCP</NewProtocol>");
    }

    /** The internal port a TCP mapping of {@code externalPort} points at, if one exists. */
    public Optional<Integer> mappedInternalPort(int externalPort) throws UpnpException {
        try {
            Document answer = soap("GetSpecificPortMappingEntry",
                    "<NewRemoteHost></NewRemoteHost>"
                            + "<NewExternalPort>" + externalPort + "</NewExternalPort>"
                            + "<NewProtocol>TCP</NewProtocol>");
            String port = text(answer, "NewInternalPort");
            return port == null ? Optional.empty() : Optional.of(Integer.parseInt(port.trim()));
        } catch (UpnpException e) {
            if (e.errorCode() == 714) { // NoSuchEntryInArray
                return Optional.empty();
            }
            throw e;
        } catch (NumberFormatException e) {
            throw new UpnpException("gateway reported a malformed internal port");
        }
    }

    private Document soap(String action, String arguments) throws UpnpException {
        String envelope = "<?xml version=\"1.0\"?>\r\n"
                + "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\""
                + " s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>"
                + "<u:" + action + " xmlns:u=\"" + serviceType + "\">" + arguments + "</u:" + action + ">"
                + "</s:Body></s:Envelope>\r\n";
        BoundedHttp.Response response;
        try {
            response = BoundedHttp.request("POST", controlUrl, Map.of(
                            "Content-Type", "text/xml; charset=\"utf-8\"",
                            "SOAPAction", "\"" + serviceType + "#" + action + "\""),
                    envelope.getBytes(StandardCharsets.UTF_8), timeout, MAX_HTTP_BYTES);
        } catch (IOException e) {
            throw new UpnpException(action + " failed: " + e.getMessage(), e);
        }
        Document answer = response.body().length == 0 ? null : parseXml(response.body());
        if (response.status() != 200) {
            String code = answer == null ? null : text(answer, "errorCode");
            String description = answer == null ? null : text(answer, "errorDescription");
            int errorCode = -1;
            try {
                errorCode = code == null ? -1 : Integer.parseInt(code.trim());
            } catch (NumberFormatException ignored) {
                // keep -1
            }
            throw new UpnpException(action + " refused by the gateway: HTTP " + response.status()
                    + (errorCode >= 0 ? ", UPnP error " + errorCode : "") + (description != null ? " " + description.trim() : ""),
                    errorCode, null);
        }
        if (answer == null) {
            throw new UpnpException(action + ": empty answer");
        }
        return answer;
    }

    private static Document parseXml(byte[] xml) throws UpnpException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            builder.setErrorHandler(null);
            return builder.parse(new ByteArrayInputStream(xml));
        } catch (ParserConfigurationException | SAXException | IOException e) {
            throw new UpnpException("malformed XML from the gateway: " + e.getMessage(), e);
        }
    }

    private static String text(Document document, String localName) {
        NodeList nodes = document.getElementsByTagNameNS("*", localName);
        if (nodes.getLength() == 0) {
            nodes = document.getElementsByTagName(localName);
        }
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent();
    }

    private static String childText(Element parent, String localName) {
        for (Node child = parent.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e && localName.equals(e.getLocalName() != null ? e.getLocalName() : e.getTagName())) {
                return e.getTextContent();
            }
        }
        return null;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public String toString() {
        return "UpnpGateway[" + serviceType + " at " + controlUrl + "]";
    }
}
