package org.lotusia.libp2p.kad;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * In-memory value records with a time to live (counted from when a record was received) and bounds
 * on the number of records, key length and value size. When full, the oldest record makes room.
 * A new record for a key replaces the stored one unless the namespace's selector prefers the stored
 * one. Thread-safe.
 */
public final class RecordStore {
    private final RecordValidation validation;
    private final Duration ttl;
    private final int maxRecords;
    private final int maxKeyBytes;
    private final int maxValueBytes;
    private final Clock clock;
    private final LinkedHashMap<ByteBuffer, StoredRecord> records = new LinkedHashMap<>();

    /** Creates a store. */
    public RecordStore(RecordValidation validation, Duration ttl, int maxRecords, int maxKeyBytes, int maxValueBytes, Clock clock) {
        this.validation = validation;
        this.ttl = ttl;
        this.maxRecords = maxRecords;
        this.maxKeyBytes = maxKeyBytes;
        this.maxValueBytes = maxValueBytes;
        this.clock = clock;
    }

    /**
     * Validates and stores a record received now; throws {@link InvalidRecordException} when it is
     * rejected. Returns the record kept for the key afterwards (the new one or a better stored one).
     */
    public synchronized StoredRecord put(byte[] key, byte[] value) {
        if (key.length == 0 || key.length > maxKeyBytes) {
            throw new InvalidRecordException("record key length " + key.length + " outside 1.." + maxKeyBytes);
        }
        if (value.length > maxValueBytes) {
            throw new InvalidRecordException("record value of " + value.length + " bytes exceeds " + maxValueBytes);
        }
        validation.validate(key, value);
        ByteBuffer mapKey = ByteBuffer.wrap(key.clone());
        StoredRecord existing = live(mapKey);
        if (existing != null && RecordValidation.namespace(key).isPresent()
                && validation.select(key, List.of(value, existing.value())) == 1) {
            return existing;
        }
        StoredRecord fresh = new StoredRecord(key, value, clock.instant());
        records.remove(mapKey);
        records.put(mapKey, fresh);
        while (records.size() > maxRecords) {
            Iterator<Map.Entry<ByteBuffer, StoredRecord>> oldest = records.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
        return fresh;
    }

    /** The live record stored under {@code key}. */
    public synchronized Optional<StoredRecord> get(byte[] key) {
        return Optional.ofNullable(live(ByteBuffer.wrap(key)));
    }

    /** Removes the record of {@code key}; returns whether there was one. */
    public synchronized boolean remove(byte[] key) {
        return records.remove(ByteBuffer.wrap(key)) != null;
    }

    /** Removes expired records; returns how many. */
    public synchronized int expire() {
        Instant cutoff = clock.instant().minus(ttl);
        int before = records.size();
        records.values().removeIf(r -> r.timeReceived().isBefore(cutoff));
        return before - records.size();
    }

    /** Number of records held (expired ones included until {@link #expire()}). */
    public synchronized int size() {
        return records.size();
    }

    /** Largest accepted value. */
    public int maxValueBytes() {
        return maxValueBytes;
    }

    private StoredRecord live(ByteBuffer key) {
        StoredRecord record = records.get(key);
        if (record != null && record.timeReceived().isBefore(clock.instant().minus(ttl))) {
            records.remove(key);
            return null;
        }
        return record;
    }
}
