package org.lotusia.libp2p.kad;

import java.util.List;

/** Picks the best of several valid values for one key. */
@FunctionalInterface
public interface RecordSelector {
    /** Index of the best value in {@code values} (never empty). */
    int select(byte[] key, List<byte[]> values);
}
