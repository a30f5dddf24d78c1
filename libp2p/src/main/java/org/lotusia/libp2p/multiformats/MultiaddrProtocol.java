package org.lotusia.libp2p.multiformats;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of multiaddr protocols this implementation understands: name, code and value size.
 *
 * <p>This is a final class with one constant per protocol rather than a Java {@code enum}, so
 * that {@link #name()} returns the multiaddr name ({@code "quic-v1"}) instead of a Java constant
 * name. Instances are singletons and may be compared with {@code ==}.
 *
 * <p>Size is in bits: {@code 0} for protocols without a value ({@code /tls}), a fixed positive
 * size ({@code ip4} 32, {@code tcp} 16, {@code ip6} 128), or {@link #VARIABLE_SIZE} for values
 * encoded as {@code varint(length) || bytes}.
 */
public final class MultiaddrProtocol {

    /** The {@link #size()} of protocols whose value is length-prefixed. */
    public static final int VARIABLE_SIZE = -1;

    /** Maximum value length of DNS-style names (DNS caps names at 253 bytes). */
    static final int MAX_NAME_LENGTH = 255;

    /** Maximum value length of paths ({@code unix}, {@code http-path}). */
    static final int MAX_PATH_LENGTH = 1024;

    /** Maximum value length of multihash values ({@code p2p}, {@code certhash}). */
    static final int MAX_MULTIHASH_LENGTH = Multihash.MAX_DIGEST_LENGTH + 16;

    /** IPv4 address, 4 bytes, dotted quad. */
    public static final MultiaddrProtocol IP4 = fixed("ip4", 0x04, 32, Ip4Codec.INSTANCE);
    /** TCP port, 2 bytes big-endian, decimal. */
    public static final MultiaddrProtocol TCP = fixed("tcp", 0x06, 16, PortCodec.INSTANCE);
    /** DCCP port. */
    public static final MultiaddrProtocol DCCP = fixed("dccp", 0x21, 16, PortCodec.INSTANCE);
    /** IPv6 address, 16 bytes, RFC 5952 compressed lower case. */
    public static final MultiaddrProtocol IP6 = fixed("ip6", 0x29, 128, Ip6Codec.INSTANCE);
    /** IPv6 zone id (UTF-8), placed before {@code /ip6}. */
    public static final MultiaddrProtocol IP6ZONE = variable("ip6zone", 0x2a, MAX_NAME_LENGTH,
            TextCodec.INSTANCE);
    /** DNS name resolving to IPv4 or IPv6 addresses. */
    public static final MultiaddrProtocol DNS = variable("dns", 0x35, MAX_NAME_LENGTH,
            TextCodec.INSTANCE);
    /** DNS name resolving to IPv4 addresses. */
    public static final MultiaddrProtocol DNS4 = variable("dns4", 0x36, MAX_NAME_LENGTH,
            TextCodec.INSTANCE);
    /** DNS name resolving to IPv6 addresses. */
    public static final MultiaddrProtocol DNS6 = variable("dns6", 0x37, MAX_NAME_LENGTH,
            TextCodec.INSTANCE);
    /** DNS name whose {@code _dnsaddr} TXT records hold multiaddrs. */
    public static final MultiaddrProtocol DNSADDR = variable("dnsaddr", 0x38, MAX_NAME_LENGTH,
            TextCodec.INSTANCE);
    /** SCTP port. */
    public static final MultiaddrProtocol SCTP = fixed("sctp", 0x84, 16, PortCodec.INSTANCE);
    /** UDP port, 2 bytes big-endian, decimal. */
    public static final MultiaddrProtocol UDP = fixed("udp", 0x0111, 16, PortCodec.INSTANCE);
    /** WebRTC direct (browser-to-server). */
    public static final MultiaddrProtocol WEBRTC_DIRECT = flag("webrtc-direct", 0x0118);
    /** WebRTC (browser-to-browser via relay). */
    public static final MultiaddrProtocol WEBRTC = flag("webrtc", 0x0119);
    /** Circuit relay v2 hop. */
    public static final MultiaddrProtocol P2P_CIRCUIT = flag("p2p-circuit", 0x0122);
    /** UDT. */
    public static final MultiaddrProtocol UDT = flag("udt", 0x012d);
    /** uTP. */
    public static final MultiaddrProtocol UTP = flag("utp", 0x012e);
    /** Unix domain socket path (UTF-8), URI-encoded in the string form. */
    public static final MultiaddrProtocol UNIX = variable("unix", 0x0190, MAX_PATH_LENGTH,
            UriComponentCodec.PLAIN);
    /** Peer id (multihash bytes), base58btc in the string form; {@code ipfs} is an alias. */
    public static final MultiaddrProtocol P2P = variable("p2p", 0x01a5, MAX_MULTIHASH_LENGTH,
            PeerIdValueCodec.INSTANCE);
    /** HTTPS. */
    public static final MultiaddrProtocol HTTPS = flag("https", 0x01bb);
    /** TLS. */
    public static final MultiaddrProtocol TLS = flag("tls", 0x01c0);
    /** TLS server name indication (UTF-8 host name). */
    public static final MultiaddrProtocol SNI = variable("sni", 0x01c1, MAX_NAME_LENGTH,
            TextCodec.INSTANCE);
    /** Noise. */
    public static final MultiaddrProtocol NOISE = flag("noise", 0x01c6);
    /** QUIC draft-29. */
    public static final MultiaddrProtocol QUIC = flag("quic", 0x01cc);
    /** QUIC version 1 (RFC 9000). */
    public static final MultiaddrProtocol QUIC_V1 = flag("quic-v1", 0x01cd);
    /** WebTransport. */
    public static final MultiaddrProtocol WEBTRANSPORT = flag("webtransport", 0x01d1);
    /** Certificate hash (multihash bytes), multibase base64url in the string form. */
    public static final MultiaddrProtocol CERTHASH = variable("certhash", 0x01d2,
            MAX_MULTIHASH_LENGTH, CerthashCodec.INSTANCE);
    /** WebSocket. */
    public static final MultiaddrProtocol WS = flag("ws", 0x01dd);
    /** Secure WebSocket. */
    public static final MultiaddrProtocol WSS = flag("wss", 0x01de);
    /** HTTP. */
    public static final MultiaddrProtocol HTTP = flag("http", 0x01e0);
    /** HTTP path: binary {@code "/" + path} (as js-multiaddr 13), URI-encoded without the slash. */
    public static final MultiaddrProtocol HTTP_PATH = variable("http-path", 0x01e1, MAX_PATH_LENGTH,
            UriComponentCodec.HTTP_PATH);
    /** In-memory transport address (UTF-8). */
    public static final MultiaddrProtocol MEMORY = variable("memory", 0x0309, MAX_NAME_LENGTH,
            TextCodec.INSTANCE);

    private static final List<MultiaddrProtocol> ALL = List.of(IP4, TCP, DCCP, IP6, IP6ZONE, DNS,
            DNS4, DNS6, DNSADDR, SCTP, UDP, WEBRTC_DIRECT, WEBRTC, P2P_CIRCUIT, UDT, UTP, UNIX, P2P,
            HTTPS, TLS, SNI, NOISE, QUIC, QUIC_V1, WEBTRANSPORT, CERTHASH, WS, WSS, HTTP, HTTP_PATH,
            MEMORY);
    private static final Map<Integer, MultiaddrProtocol> BY_CODE;
    private static final Map<String, MultiaddrProtocol> BY_NAME;

    static {
        Map<Integer, MultiaddrProtocol> byCode = new HashMap<>();
        Map<String, MultiaddrProtocol> byName = new HashMap<>();
        for (MultiaddrProtocol protocol : ALL) {
            if (byCode.put(protocol.code, protocol) != null || byName.put(protocol.name, protocol) != null) {
                throw new ExceptionInInitializerError("duplicate multiaddr protocol " + protocol.name);
            }
        }
        byName.put("ipfs", P2P);
        BY_CODE = Collections.unmodifiableMap(byCode);
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    private final String name;
    private final int code;
    private final int size;
    private final int maxValueLength;
    private final ValueCodec codec;

    private MultiaddrProtocol(String name, int code, int size, int maxValueLength, ValueCodec codec) {
        this.name = name;
        this.code = code;
        this.size = size;
        this.maxValueLength = maxValueLength;
        this.codec = codec;
    }

    private static MultiaddrProtocol flag(String name, int code) {
        return new MultiaddrProtocol(name, code, 0, 0, null);
    }

    private static MultiaddrProtocol fixed(String name, int code, int bits, ValueCodec codec) {
        return new MultiaddrProtocol(name, code, bits, bits / 8, codec);
    }

    private static MultiaddrProtocol variable(String name, int code, int maxLength, ValueCodec codec) {
        return new MultiaddrProtocol(name, code, VARIABLE_SIZE, maxLength, codec);
    }

    /** Looks a protocol up by its code. */
    public static Optional<MultiaddrProtocol> forCode(int code) {
        return Optional.ofNullable(BY_CODE.get(code));
    }

    /** Looks a protocol up by its name or alias ({@code ipfs} → {@link #P2P}); case-sensitive. */
    public static Optional<MultiaddrProtocol> forName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Returns every supported protocol, in code order. */
    public static List<MultiaddrProtocol> all() {
        return ALL;
    }

    /** Returns the multiaddr name, e.g. {@code "ip4"}, {@code "quic-v1"}. */
    public String name() {
        return name;
    }

    /** Returns the protocol code (written as a varint in the binary form). */
    public int code() {
        return code;
    }

    /** Returns the value size in bits: 0 (no value), a fixed size, or {@link #VARIABLE_SIZE}. */
    public int size() {
        return size;
    }

    /** Returns whether components of this protocol carry a value. */
    public boolean hasValue() {
        return size != 0;
    }

    /** Returns whether the value is length-prefixed. */
    public boolean isVariableSize() {
        return size == VARIABLE_SIZE;
    }

    /**
     * Returns the largest value accepted in bytes: the fixed size, or this implementation's cap
     * for a variable-size value (255 for names, 1024 for paths, 1040 for multihashes).
     */
    public int maxValueLength() {
        return maxValueLength;
    }

    ValueCodec codec() {
        return codec;
    }

    /** Returns {@link #name()}. */
    @Override
    public String toString() {
        return name;
    }
}
