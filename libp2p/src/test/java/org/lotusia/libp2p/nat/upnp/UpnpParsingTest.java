package org.lotusia.libp2p.nat.upnp;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The bounded parsers of the UPnP client: SSDP answers, HTTP responses, device descriptions. */
class UpnpParsingTest {

    @Test
    void ssdpLocationsAreTakenOnlyFromHttpOkAnswersWithHttpUrls() {
        assertThat(UpnpGateway.parseSsdpLocation("HTTP/1.1 200 OK\r\nST: x\r\nLOCATION: http://192.168.1.1:5555/rootDesc.xml\r\n\r\n"))
                .contains(URI.create("http://192.168.1.1:5555/rootDesc.xml"));
        assertThat(UpnpGateway.parseSsdpLocation("NOTIFY * HTTP/1.1\r\nLOCATION: http://192.168.1.1/\r\n\r\n")).isEmpty();
        assertThat(UpnpGateway.parseSsdpLocation("HTTP/1.1 200 OK\r\nLOCATION: file:///etc/passwd\r\n\r\n")).isEmpty();
        assertThat(UpnpGateway.parseSsdpLocation("HTTP/1.1 200 OK\r\nLOCATION: http://" + "a".repeat(600) + "/\r\n\r\n")).isEmpty();
        assertThat(UpnpGateway.parseSsdpLocation("garbage")).isEmpty();
    }

    @Test
    void httpResponsesAreParsedWithLengthAndChunkedBodies() {
        BoundedHttp.Response plain = BoundedHttp.parse(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello world".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(plain.status()).isEqualTo(200);
        assertThat(plain.bodyText()).isEqualTo("hello");
        BoundedHttp.Response chunked = BoundedHttp.parse(
                "HTTP/1.1 500 Internal\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(chunked.status()).isEqualTo(500);
        assertThat(chunked.bodyText()).isEqualTo("abcde");
        assertThatThrownBy(() -> BoundedHttp.parse("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(UpnpException.class);
        assertThatThrownBy(() -> BoundedHttp.parse("SSH-2.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(UpnpException.class);
        assertThatThrownBy(() -> BoundedHttp.parse(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffff\r\nabc".getBytes(StandardCharsets.ISO_8859_1)))
                .isInstanceOf(UpnpException.class);
    }

    @Test
    void descriptionsWithADoctypeAreRejectedAndOversizedOnesAreCutOff() throws Exception {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
                + "<root><URLBase>&x;</URLBase></root>";
        assertThatThrownBy(() -> describe(xxe.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UpnpException.class).hasMessageContaining("malformed XML");
        assertThatThrownBy(() -> describe(("<root>" + "x".repeat(UpnpGateway.MAX_HTTP_BYTES) + "</root>")
                .getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UpnpException.class).hasMessageContaining("larger than");
        String noWan = "<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><device><serviceList><service>"
                + "<serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType>"
                + "<controlURL>/ctl/L3F</controlURL></service></serviceList></device></root>";
        assertThatThrownBy(() -> describe(noWan.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(UpnpException.class).hasMessageContaining("no WANIPConnection");
        String wan = noWan.replace("Layer3Forwarding", "WANIPConnection").replace("/ctl/L3F", "/ctl/IPConn");
        UpnpGateway gateway = describe(wan.getBytes(StandardCharsets.UTF_8));
        assertThat(gateway.serviceType()).isEqualTo("urn:schemas-upnp-org:service:WANIPConnection:1");
        assertThat(gateway.controlUrl().getPath()).isEqualTo("/ctl/IPConn");
        assertThat(gateway.localAddress().isLoopbackAddress()).isTrue();
    }

    /** Serves {@code body} once on 127.0.0.1 and reads it as a device description. */
    private static UpnpGateway describe(byte[] body) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> served = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    s.getInputStream().read(new byte[4096]);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " + body.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(body);
                } catch (IOException ignored) {
                    // the client gave up (oversized body)
                }
            });
            try {
                return UpnpGateway.fromLocation(URI.create("http://127.0.0.1:" + server.getLocalPort() + "/rootDesc.xml"),
                        Duration.ofSeconds(5));
            } finally {
                served.join();
            }
        }
    }
}
