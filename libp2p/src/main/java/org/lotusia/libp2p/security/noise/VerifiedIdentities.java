package org.lotusia.libp2p.security.noise;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lotusia.libp2p.crypto.PublicKey;

/**
 * A small LRU of identity proofs that already verified: (marshalled identity key, signature, static key) →
 * decoded key. A node keeps its Noise static key for its lifetime (js does too), so reconnecting to the same
 * peer presents byte-identical proofs; signature verification is deterministic, so a byte-exact hit is as good as
 * verifying again and saves the ~100 µs Ed25519 verification on each reconnect. Only proofs that verified are
 * stored, so a remote cannot fill it without valid signatures. Small keys only (Ed25519, secp256k1); RSA proofs are
 * always verified. Thread-safe.
 */
final class VerifiedIdentities {
    static final int MAX_ENTRIES = 1024;
    private static final int MAX_CACHED_KEY_BYTES = 128;
    private static final int MAX_CACHED_SIG_BYTES = 128;

    private final Map<ByteBuffer, PublicKey> map = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, PublicKey> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    static final VerifiedIdentities SHARED = new VerifiedIdentities();

    /** The cache key, or null when the proof is too big to cache. */
    static ByteBuffer key(byte[] identityKey, byte[] signature, byte[] staticKey) {
        if (identityKey.length > MAX_CACHED_KEY_BYTES || signature.length > MAX_CACHED_SIG_BYTES) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(2 + identityKey.length + signature.length + staticKey.length);
        b.put((byte) identityKey.length).put((byte) signature.length).put(identityKey).put(signature).put(staticKey);
        return b.flip();
    }

    synchronized PublicKey get(ByteBuffer key) {
        return map.get(key);
    }

    synchronized void put(ByteBuffer key, PublicKey value) {
        map.put(key, value);
    }

    synchronized void clear() {
        map.clear();
    }

    synchronized int size() {
        return map.size();
    }
}
