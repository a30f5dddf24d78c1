package org.lotusia.libp2p.kad;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import org.lotusia.libp2p.Libp2pException;
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

    /** Parses a message; an unknown message type is rejected (proto2 keeps it in the unknown fields). */
    static KadProto.Message parse(ByteBuf frame) {
        KadProto.Message message;
        try {
            message = KadProto.Message.parseFrom(ByteBufUtil.getBytes(frame));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new Libp2pException("malformed kad message: " + e.getMessage(), e);
        }
        if (message.getUnknownFields().hasField(KadProto.Message.TYPE_FIELD_NUMBER)) {
            throw new Libp2pException("unknown kad message type");
        }
        return message;
    }

    static ChannelFuture write(Channel channel, KadProto.Message message) {
        return channel.writeAndFlush(UvarintFrameEncoder.frame(channel.alloc(), Unpooled.wrappedBuffer(message.toByteArray())));
    }
}
