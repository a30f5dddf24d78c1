package org.lotusia.libp2p.nat.upnp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client for talking to a LAN gateway: one request per connection, every read
 * bounded in size ({@code maxBytes} for the whole response) and time (connect and read timeout; an
 * overall deadline). Plain {@code http://} only, as UPnP IGDs serve.
 */
final class BoundedHttp {
    /** A response: status code, lower-cased headers, body. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private BoundedHttp() {
    }

    static Response request(String method, URI uri, Map<String, String> headers, byte[] body,
                            Duration timeout, int maxBytes) throws IOException {
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new UpnpException("only http:// URLs are supported: " + uri);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), (int) Math.max(1, timeout.toMillis()));
            StringBuilder head = new StringBuilder()
                    .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(uri.getHost()).append(':').append(port).append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            byte[] raw = readAll(socket, deadline, maxBytes);
            return parse(raw);
        }
    }

    private static byte[] readAll(Socket socket, long deadline, int maxBytes) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new SocketTimeoutException("HTTP response not complete in time");
            }
            socket.setSoTimeout((int) Math.max(1, left));
            int n = in.read(chunk);
            if (n < 0) {
                return buffer.toByteArray();
            }
            if (buffer.size() + n > maxBytes) {
                throw new UpnpException("HTTP response larger than " + maxBytes + " bytes");
            }
            buffer.write(chunk, 0, n);
        }
    }

    static Response parse(byte[] raw) {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        if (end < 0) {
            throw new UpnpException("malformed HTTP response: no end of headers");
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/")) {
            throw new UpnpException("malformed HTTP status line");
        }
        int code;
        try {
            code = Integer.parseInt(status[1]);
        } catch (NumberFormatException e) {
            throw new UpnpException("malformed HTTP status code");
        }
        Map<String, String> headers = parseHeaders(lines, 1);
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            body = dechunk(body);
        } else if (headers.containsKey("content-length")) {
            try {
                int length = Integer.parseInt(headers.get("content-length").trim());
                if (length >= 0 && length < body.length) {
                    body = java.util.Arrays.copyOf(body, length);
                }
            } catch (NumberFormatException ignored) {
                // read to end of stream instead
            }
        }
        return new Response(code, headers, body);
    }

    /** Header lines from {@code from} on, names lower-cased; at most 64 headers. */
    static Map<String, String> parseHeaders(String[] lines, int from) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = from; i < lines.length && headers.size() < 64; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        return headers;
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (pos < body.length) {
            int lineEnd = indexOf(body, pos, "\r\n".getBytes(StandardCharsets.ISO_8859_1));
            if (lineEnd < 0) {
                throw new UpnpException("malformed chunked body");
            }
            String sizeText = new String(body, pos, lineEnd - pos, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int size;
            try {
                size = Integer.parseInt(sizeText, 16);
            } catch (NumberFormatException e) {
                throw new UpnpException("malformed chunk size");
            }
            if (size == 0) {
                break;
            }
            int start = lineEnd + 2;
            if (size < 0 || start + size > body.length) {
                throw new UpnpException("truncated chunked body");
            }
            out.write(body, start, size);
            pos = start + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        return indexOf(data, 0, pattern);
    }

    private static int indexOf(byte[] data, int from, byte[] pattern) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
