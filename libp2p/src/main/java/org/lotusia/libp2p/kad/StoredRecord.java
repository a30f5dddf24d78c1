package org.lotusia.libp2p.kad;

import java.time.Instant;

/** A value record as kept by a {@link RecordStore}: key, value and when it was received. */
public record StoredRecord(byte[] key, byte[] value, Instant timeReceived) {
    /** Copies the arrays. */
    public StoredRecord {
        key = key.clone();
        value = value.clone();
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] value() {
        return value.clone();
    }
}
