package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.crypto.PeerId;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-memory provider records: for each key, the peers that said they provide it, each expiring
 * {@code ttl} after its last announcement. Bounded in keys (oldest key dropped) and providers per key
 * (oldest announcement dropped). Thread-safe.
 */
public final class ProviderStore {
    private final Duration ttl;
    private final int maxKeys;
    private final int maxProvidersPerKey;
    private final Clock clock;
    private final LinkedHashMap<ByteBuffer, LinkedHashMap<PeerId, Instant>> providers = new LinkedHashMap<>();

    /** Creates a store. */
    public ProviderStore(Duration ttl, int maxKeys, int maxProvidersPerKey, Clock clock) {
        this.ttl = ttl;
        this.maxKeys = maxKeys;
        this.maxProvidersPerKey = maxProvidersPerKey;
        this.clock = clock;
    }

    /** Records (or refreshes) {@code provider} for {@code key}. */
    public synchronized void add(byte[] key, PeerId provider) {
        ByteBuffer mapKey = ByteBuffer.wrap(key.clone());
        LinkedHashMap<PeerId, Instant> set = providers.get(mapKey);
        if (set == null) {
            set = new LinkedHashMap<>();
            providers.put(mapKey, set);
            while (providers.size() > maxKeys) {
                Iterator<ByteBuffer> oldest = providers.keySet().iterator();
                oldest.next();
                oldest.remove();
            }
        }
        set.remove(provider);
        set.put(provider, clock.instant().plus(ttl));
        while (set.size() > maxProvidersPerKey) {
            Iterator<PeerId> oldest = set.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
    }

    /** The live providers of {@code key}, most recently announced last. */
    public synchronized List<PeerId> get(byte[] key) {
        ByteBuffer mapKey = ByteBuffer.wrap(key);
        LinkedHashMap<PeerId, Instant> set = providers.get(mapKey);
        if (set == null) {
            return List.of();
        }
        Instant now = clock.instant();
        set.values().removeIf(expiry -> !expiry.isAfter(now));
        if (set.isEmpty()) {
            providers.remove(mapKey);
            return List.of();
        }
        return new ArrayList<>(set.keySet());
    }

    /** Removes {@code provider} from {@code key}; returns whether it was there. */
    public synchronized boolean remove(byte[] key, PeerId provider) {
        ByteBuffer mapKey = ByteBuffer.wrap(key);
        LinkedHashMap<PeerId, Instant> set = providers.get(mapKey);
        if (set == null || set.remove(provider) == null) {
            return false;
        }
        if (set.isEmpty()) {
            providers.remove(mapKey);
        }
        return true;
    }

    /** Removes expired entries; returns how many provider entries went. */
    public synchronized int expire() {
        Instant now = clock.instant();
        int removed = 0;
        for (Iterator<Map.Entry<ByteBuffer, LinkedHashMap<PeerId, Instant>>> it = providers.entrySet().iterator(); it.hasNext(); ) {
            LinkedHashMap<PeerId, Instant> set = it.next().getValue();
            int before = set.size();
            set.values().removeIf(expiry -> !expiry.isAfter(now));
            removed += before - set.size();
            if (set.isEmpty()) {
                it.remove();
            }
        }
        return removed;
    }

    /** Number of keys with providers. */
    public synchronized int keyCount() {
        return providers.size();
    }
}
