package org.lotusia.libp2p.kad;

import org.lotusia.libp2p.crypto.Keys;
import org.lotusia.libp2p.crypto.PeerId;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Key rules, validators and selectors per namespace. A namespaced key looks like
 * {@code /<namespace>/<rest>} (at least three {@code /}-separated parts); its validator and selector
 * are looked up by namespace, and a namespace without a validator is rejected. Keys without a
 * namespace (such as the Lotus reference's {@code resource:<type>:<id>}) are accepted unvalidated
 * and the first record wins, as kad-dht 16.1.0 does, unless {@linkplain #strict() strict} mode
 * (kad-dht 16.4) rejects them. The {@code pk} namespace is built in.
 */
public final class RecordValidation {
    private final Map<String, RecordValidator> validators = new ConcurrentHashMap<>();
    private final Map<String, RecordSelector> selectors = new ConcurrentHashMap<>();
    private final boolean strict;

    private RecordValidation(boolean strict) {
        this.strict = strict;
        validators.put("pk", RecordValidation::validatePublicKey);
        selectors.put("pk", (key, values) -> 0);
    }

    /** Accepts un-namespaced keys unvalidated (kad-dht 16.1.0 behaviour). */
    public static RecordValidation lenient() {
        return new RecordValidation(false);
    }

    /** Requires every key to be namespaced with a registered validator (kad-dht 16.4 behaviour). */
    public static RecordValidation strict() {
        return new RecordValidation(true);
    }

    /** Whether un-namespaced keys are rejected. */
    public boolean isStrict() {
        return strict;
    }

    /** Registers the validator and selector of {@code namespace}. */
    public RecordValidation register(String namespace, RecordValidator validator, RecordSelector selector) {
        validators.put(namespace, validator);
        selectors.put(namespace, selector);
        return this;
    }

    /** The namespace of {@code key}, if it has one. */
    public static Optional<String> namespace(byte[] key) {
        String text = new String(key, StandardCharsets.UTF_8);
        String[] parts = text.split("/", -1);
        if (parts.length < 3 || !parts[0].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parts[1]);
    }

    /** Validates a record; throws {@link InvalidRecordException} when it must be rejected. */
    public void validate(byte[] key, byte[] value) {
        Optional<String> namespace = namespace(key);
        if (namespace.isEmpty()) {
            if (strict) {
                throw new InvalidRecordException("Record key is missing a namespace");
            }
            return;
        }
        RecordValidator validator = validators.get(namespace.get());
        if (validator == null) {
            throw new InvalidRecordException("No validator available for key type " + namespace.get());
        }
        validator.validate(key, value);
    }

    /** Whether the record is valid. */
    public boolean isValid(byte[] key, byte[] value) {
        try {
            validate(key, value);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Index of the best of {@code values} for {@code key}: the selector's pick, else the first. */
    public int select(byte[] key, List<byte[]> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no values to select from");
        }
        RecordSelector selector = namespace(key).map(selectors::get).orElse(null);
        if (selector == null) {
            return 0;
        }
        int best = selector.select(key, values);
        return best < 0 || best >= values.size() ? 0 : best;
    }

    private static void validatePublicKey(byte[] key, byte[] value) {
        byte[] prefix = "/pk/".getBytes(StandardCharsets.UTF_8);
        byte[] hash = Arrays.copyOfRange(key, prefix.length, key.length);
        try {
            PeerId expected = PeerId.fromBytes(hash);
            if (!PeerId.fromPublicKey(Keys.unmarshalPublicKey(value)).equals(expected)) {
                throw new InvalidRecordException("public key does not match its /pk/ key");
            }
        } catch (InvalidRecordException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidRecordException("invalid /pk/ record: " + e.getMessage());
        }
    }
}
