package org.lotusia.p2p.dht;

/**
 * DHT statistics (reference {@code getDHTStats()}), plus this implementation's counters.
 *
 * @param enabled          whether the DHT runs
 * @param mode             {@code disabled}, {@code client} or {@code server}
 * @param routingTableSize peers in the routing table
 * @param isReady          whether the routing table has at least one peer
 * @param localRecords     live resource records in the local cache (own and discovered)
 * @param ownRecords       live records announced by this node
 * @param queuedAnnouncements announcements waiting to be put into the network
 */
public record DhtStats(boolean enabled, String mode, int routingTableSize, boolean isReady, int localRecords,
                       int ownRecords, int queuedAnnouncements) {
    /** The statistics of a disabled (or not running) DHT. */
    public static DhtStats disabled() {
        return new DhtStats(false, "disabled", 0, false, 0, 0, 0);
    }
}
