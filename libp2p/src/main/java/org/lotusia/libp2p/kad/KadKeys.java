package org.lotusia.libp2p.kad;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * Record keys in the two forms Lotus networks use.
 *
 * <ul>
 *   <li><b>Raw</b> ({@link #raw}): the reference's {@code resource:<type>:<id>} bytes as they are. kad-dht 16.1.0
 *   (what Lotus nodes run) stores and serves such keys unvalidated, and so does {@link RecordValidation#lenient()}.
 *   This is the default, for wire compatibility with existing Lotus nodes.</li>
 *   <li><b>Namespaced</b> ({@link #namespaced}): {@code /<namespace>/<key>}, for networks of newer js kad-dht
 *   releases, which reject keys without a namespace. Every node of such a network must register a validator
 *   and a selector for the namespace (in Java {@link #acceptingNamespace}; in js
 *   {@code validators: {lotus: async () => {}}, selectors: {lotus: () => 0}}).</li>
 * </ul>
 * A network uses one form; nodes of both forms do not find each other's records.
 */
public final class KadKeys {
    /** The namespace of Lotus records in namespaced mode. */
    public static final String LOTUS_NAMESPACE = "lotus";

    private KadKeys() {
    }

    /** The raw key: the UTF-8 bytes of {@code key}. */
    public static byte[] raw(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code /<namespace>/<key>} as UTF-8 bytes, e.g. {@code namespaced("lotus", "resource:peer:x")}. */
    public static byte[] namespaced(String namespace, String key) {
        if (namespace.isEmpty() || namespace.contains("/")) {
            throw new IllegalArgumentException("a namespace is non-empty and has no '/': " + namespace);
        }
        return ("/" + namespace + "/" + key).getBytes(StandardCharsets.UTF_8);
    }

    /** The key inside a {@code /<namespace>/<key>} key of {@code namespace}; empty for other keys. */
    public static Optional<String> unwrap(String namespace, byte[] key) {
        String text = new String(key, StandardCharsets.UTF_8);
        String prefix = "/" + namespace + "/";
        return text.startsWith(prefix) ? Optional.of(text.substring(prefix.length())) : Optional.empty();
    }

    /**
     * Registers {@code namespace} on {@code validation} with a validator that accepts every value and a selector
     * that picks the first candidate (so a newer put replaces a stored record) — the behaviour raw keys get in
     * lenient mode. Returns {@code validation}.
     */
    public static RecordValidation acceptingNamespace(RecordValidation validation, String namespace) {
        return validation.register(namespace, (key, value) -> { }, KadKeys::first);
    }

    private static int first(byte[] key, List<byte[]> values) {
        return 0;
    }
}
