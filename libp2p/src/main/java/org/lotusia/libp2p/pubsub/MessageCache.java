package org.lotusia.libp2p.pubsub;

import com.google.protobuf.ByteString;
import org.lotusia.libp2p.pubsub.pb.RpcProto;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The gossipsub message cache: messages of the last {@code length} heartbeats, served to IWANT; ids of
 * the last {@code gossip} heartbeats announced in IHAVE. Not thread-safe (router thread only).
 */
final class MessageCache {
    private record Entry(RpcProto.Message message, Map<Object, Integer> served) {
    }

    private final int gossip;
    private final ArrayDeque<List<ByteString>> windows = new ArrayDeque<>();
    private final Map<ByteString, Entry> messages = new HashMap<>();

    MessageCache(int length, int gossip) {
        this.gossip = gossip;
        for (int i = 0; i < length; i++) {
            windows.addLast(new ArrayList<>());
        }
    }

    /** Adds a message to the newest window; false if already cached. */
    boolean put(ByteString id, RpcProto.Message message) {
        if (messages.putIfAbsent(id, new Entry(message, new HashMap<>())) != null) {
            return false;
        }
        windows.peekFirst().add(id);
        return true;
    }

    Optional<RpcProto.Message> get(ByteString id) {
        Entry e = messages.get(id);
        return e == null ? Optional.empty() : Optional.of(e.message());
    }

    /** The message for an IWANT from {@code peer}, unless it was already served {@code max} times to it. */
    Optional<RpcProto.Message> getForPeer(ByteString id, Object peer, int max) {
        Entry e = messages.get(id);
        if (e == null) {
            return Optional.empty();
        }
        int count = e.served().merge(peer, 1, Integer::sum);
        return count > max ? Optional.empty() : Optional.of(e.message());
    }

    /** Ids of {@code topic} in the gossip windows, newest first. */
    List<ByteString> gossipIds(String topic) {
        LinkedHashSet<ByteString> ids = new LinkedHashSet<>();
        int i = 0;
        for (List<ByteString> window : windows) {
            if (i++ >= gossip) {
                break;
            }
            for (ByteString id : window) {
                Entry e = messages.get(id);
                if (e != null && e.message().getTopic().equals(topic)) {
                    ids.add(id);
                }
            }
        }
        return new ArrayList<>(ids);
    }

    /** Starts a new window, dropping the oldest. */
    void shift() {
        for (ByteString id : windows.removeLast()) {
            messages.remove(id);
        }
        windows.addFirst(new ArrayList<>());
    }

    int size() {
        return messages.size();
    }
}
