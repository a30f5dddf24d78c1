package org.lotusia.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import org.lotusia.libp2p.codec.UvarintFrameDecoder;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.host.Host;
import org.lotusia.libp2p.host.ProtocolRegistry;
import org.lotusia.libp2p.kad.pb.KadProto;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Records every kad request the benchmark's servers receive, with the response they send back (closer peers,
 * whether it carried a record), by wrapping the DHT's registered stream handler and placing a duplex handler right
 * after its frame decoder. {@code KadDht} exposes no per-lookup statistics, so this server-side view is how the
 * benchmark counts messages per lookup and reconstructs hops ({@link #hops}).
 */
final class KadRpcRecorder {
    /** One request as a server saw it. */
    static final class Rpc {
        final String phase;
        final String type;
        final String key;
        final String server;
        final long requestNanos;
        volatile long responseNanos;
        volatile List<String> closer = List.of();
        volatile boolean hasRecord;

        Rpc(String phase, String type, String key, String server, long requestNanos) {
            this.phase = phase;
            this.type = type;
            this.key = key;
            this.server = server;
            this.requestNanos = requestNanos;
        }
    }

    private final ConcurrentLinkedQueue<Rpc> rpcs = new ConcurrentLinkedQueue<>();
    private volatile String phase = "setup";
    private volatile boolean missing;

    /** Tags requests received from now on. */
    void phase(String name) {
        phase = name;
    }

    /** Whether some host's kad handler could not be wrapped (then counts are incomplete). */
    boolean incomplete() {
        return missing;
    }

    /** Wraps the kad handler of {@code host}. Call after the DHT registered it (server mode). */
    void attach(Host host, String protocol) {
        Optional<ProtocolRegistry.Registration> registration = host.protocols().find(protocol);
        if (registration.isEmpty()) {
            missing = true;
            return;
        }
        ProtocolRegistry.Registration reg = registration.get();
        String server = id(host.peerId().toBytes());
        host.setStreamHandler(protocol, stream -> {
            reg.handler().handle(stream);
            ChannelPipeline pipeline = stream.channel().pipeline();
            ChannelHandlerContext decoder = pipeline.context(UvarintFrameDecoder.class);
            if (decoder == null) {
                missing = true;
            } else {
                pipeline.addAfter(decoder.name(), "bench-kad-recorder", new Tap(server));
            }
        }, reg.maxInboundStreamsPerConnection());
    }

    static String id(byte[] peerId) {
        return Base64.getEncoder().encodeToString(peerId);
    }

    /** Sees request frames going in and response frames going out of one inbound kad stream. */
    private final class Tap extends ChannelDuplexHandler {
        private final String server;
        private Rpc current;

        Tap(String server) {
            this.server = server;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf frame) {
                try {
                    KadProto.Message request = KadProto.Message.parseFrom(ByteBufUtil.getBytes(frame));
                    current = new Rpc(phase, request.getType().name(),
                            request.getKey().toString(StandardCharsets.UTF_8), server, System.nanoTime());
                    rpcs.add(current);
                } catch (InvalidProtocolBufferException e) {
                    current = null;
                }
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            Rpc rpc = current;
            if (rpc != null && msg instanceof ByteBuf out) {
                byte[] bytes = ByteBufUtil.getBytes(out);
                int length = 0;
                int i = 0;
                for (int shift = 0; i < bytes.length && shift < 35; shift += 7) {
                    byte b = bytes[i++];
                    length |= (b & 0x7f) << shift;
                    if (b >= 0) {
                        break;
                    }
                }
                if (i + length <= bytes.length) {
                    try {
                        KadProto.Message response = KadProto.Message.parseFrom(
                                java.nio.ByteBuffer.wrap(bytes, i, length));
                        List<String> closer = new ArrayList<>();
                        for (KadProto.Message.Peer peer : response.getCloserPeersList()) {
                            closer.add(id(peer.getId().toByteArray()));
                        }
                        rpc.closer = closer;
                        rpc.hasRecord = response.hasRecord();
                        rpc.responseNanos = System.nanoTime();
                    } catch (InvalidProtocolBufferException e) {
                        // not a response we can read; the request still counts
                    }
                }
            }
            ctx.write(msg, promise);
        }
    }

    /** The recorded requests of {@code phase} for {@code key}, by time of arrival. */
    List<Rpc> of(String phaseName, String key) {
        List<Rpc> out = new ArrayList<>();
        for (Rpc rpc : rpcs) {
            if (rpc.phase.equals(phaseName) && rpc.key.equals(key)) {
                out.add(rpc);
            }
        }
        out.sort((a, b) -> Long.compare(a.requestNanos, b.requestNanos));
        return out;
    }

    /** Requests of one phase (all keys). */
    long count(String phaseName) {
        return rpcs.stream().filter(r -> r.phase.equals(phaseName)).count();
    }

    /**
     * Hops of one lookup: a peer in the requester's routing table when the lookup started ({@code seeds}), or queried
     * before any response named it, is at depth 1; any other is at 1 + the smallest depth among the peers whose
     * earlier responses named it. For a value lookup the result is the depth of the first peer that answered
     * with the record, otherwise the deepest peer the walk queried. {@code 0} when nothing was queried.
     */
    static int hops(List<Rpc> lookupRpcs, java.util.Set<String> seeds, boolean toRecord) {
        Map<String, Integer> depth = new HashMap<>();
        int deepest = 0;
        int toValue = -1;
        long firstRecord = Long.MAX_VALUE;
        for (Rpc rpc : lookupRpcs) {
            int best = Integer.MAX_VALUE;
            for (Rpc earlier : lookupRpcs) {
                if (earlier.responseNanos != 0 && earlier.responseNanos <= rpc.requestNanos
                        && earlier.closer.contains(rpc.server)) {
                    Integer de = depth.get(earlier.server);
                    if (de != null) {
                        best = Math.min(best, de + 1);
                    }
                }
            }
            int d = best == Integer.MAX_VALUE || seeds.contains(rpc.server) ? 1 : best;
            depth.putIfAbsent(rpc.server, d);
            deepest = Math.max(deepest, depth.get(rpc.server));
            if (rpc.hasRecord && rpc.responseNanos != 0 && rpc.responseNanos < firstRecord) {
                firstRecord = rpc.responseNanos;
                toValue = depth.get(rpc.server);
            }
        }
        return toRecord && toValue > 0 ? toValue : deepest;
    }

    static String keyOf(PeerId peer) {
        return id(peer.toBytes());
    }
}
