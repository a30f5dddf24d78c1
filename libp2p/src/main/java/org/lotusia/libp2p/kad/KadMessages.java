package org.lotusia.libp2p.kad;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import org.lotusia.libp2p.codec.UvarintFrameEncoder;
import org.lotusia.libp2p.crypto.PeerId;
import org.lotusia.libp2p.kad.pb.KadProto;
import org.lotusia.libp2p.multiformats.Multiaddr;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Encoding helpers for kad messages. */
final class KadMessages {
    /** js's timeReceived format: RFC 3339 with a 9-digit fraction. */
    static final DateTimeFormatter TIME_RECEIVED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private KadMessages() {
    }

    /** A peer entry as parsed from a message: id and addresses (possibly empty). */
    record PeerEntry(PeerId peer, List<Multiaddr> addresses) {
    }

    static KadProto.Message.Peer peer(PeerId peer, List<Multiaddr> addresses, int maxAddresses) {
        KadProto.Message.Peer.Builder builder = KadProto.Message.Peer.newBuilder()
                .setId(ByteString.copyFrom(peer.toBytes()));
        for (int i = 0; i < addresses.size() && i < maxAddresses; i++) {
            builder.addAddrs(ByteString.copyFrom(addresses.get(i).withoutPeerId().toBytes()));
        }
        return builder.build();
    }

    /** Parses a peer entry; empty if its id is malformed. Malformed addresses are skipped. */
    static Optional<PeerEntry> parsePeer(KadProto.Message.Peer peer, int maxAddresses) {
        PeerId id;
        try {
            id = PeerId.fromBytes(peer.getId().toByteArray());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        List<Multiaddr> addresses = new ArrayList<>();
        for (ByteString bytes : peer.getAddrsList()) {
            if (addresses.size() >= maxAddresses) {
                break;
            }
            try {
                Multiaddr address = Multiaddr.fromBytes(bytes.toByteArray());
                Optional<PeerId> suffix = address.getPeerId();
                if (suffix.isEmpty() || suffix.get().equals(id)) {
                    addresses.add(address.withoutPeerId());
                }
            } catch (RuntimeException e) {
                // skip a malformed address
            }
        }
        return Optional.of(new PeerEntry(id, addresses));
    }

    static KadProto.Record record(byte[] key, byte[] value, Instant received) {
        return KadProto.Record.newBuilder()
                .setKey(ByteString.copyFrom(key))
                .setValue(ByteString.copyFrom(value))
                .setTimeReceived(TIME_RECEIVED.format(received))
                .build();
    }

    /**
     * Parses a message (its size is already bounded by the frame decoder) and checks its shape: an unknown
     * message type, more than {@code maxPeers} closer or provider entries, or an entry with more than
     * {@link #MAX_WIRE_ADDRESSES} addresses, an id over {@link #MAX_PEER_ID_BYTES} or an address over
     * {@link #MAX_ADDRESS_BYTES} bytes is rejected with a {@link KadMessageException}.
     */
    static KadProto.Message parse(ByteBuf frame, int maxPeers) {
        KadProto.Message message;
        try {
            message = KadProto.Message.parseFrom(ByteBufUtil.getBytes(frame));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new KadMessageException("malformed kad message: " + e.getMessage(), e);
        }
        if (message.getUnknownFields().hasField(KadProto.Message.TYPE_FIELD_NUMBER)) {
            throw new KadMessageException("unknown kad message type");
        }
        if (message.getCloserPeersCount() > maxPeers || message.getProviderPeersCount() > maxPeers) {
            throw new KadMessageException("kad message with " + message.getCloserPeersCount() + " closer and "
                    + message.getProviderPeersCount() + " provider entries (limit " + maxPeers + ")");
        }
        checkEntries(message.getCloserPeersList());
        checkEntries(message.getProviderPeersList());
        return message;
    }

    /** Addresses one peer entry may carry on the wire (js sends all of a peer's addresses; a few dozen at most). */
    static final int MAX_WIRE_ADDRESSES = 64;
    /** Longest peer id accepted in an entry (an inlined RSA key is ~300 bytes; ed25519/secp ids are 38-39). */
    static final int MAX_PEER_ID_BYTES = 512;
    /** Longest multiaddr accepted in an entry. */
    static final int MAX_ADDRESS_BYTES = 1024;

    private static void checkEntries(List<KadProto.Message.Peer> entries) {
        for (KadProto.Message.Peer entry : entries) {
            if (entry.getId().size() > MAX_PEER_ID_BYTES || entry.getAddrsCount() > MAX_WIRE_ADDRESSES) {
                throw new KadMessageException("kad peer entry with a " + entry.getId().size() + "-byte id and "
                        + entry.getAddrsCount() + " addresses");
            }
            for (ByteString address : entry.getAddrsList()) {
                if (address.size() > MAX_ADDRESS_BYTES) {
                    throw new KadMessageException("kad peer address of " + address.size() + " bytes");
                }
            }
        }
    }

    static ChannelFuture write(Channel channel, KadProto.Message message) {
        return channel.writeAndFlush(UvarintFrameEncoder.frame(channel.alloc(), Unpooled.wrappedBuffer(message.toByteArray())));
    }
}
