package org.lotusia.libp2p.kad;

/** Checks a record's value for a namespace; throws {@link InvalidRecordException} when invalid. */
@FunctionalInterface
public interface RecordValidator {
    /** Validates {@code value} stored under {@code key}. */
    void validate(byte[] key, byte[] value);
}
