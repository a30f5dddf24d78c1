package org.lotusia.libp2p.kad;

/**
 * A snapshot of a {@link KadDht}'s state and counters since it started.
 *
 * @param serverMode        whether requests are answered
 * @param routingTableSize  peers in the routing table
 * @param records           value records held (expired ones included until the next sweep)
 * @param providerKeys      keys with live provider records
 * @param originatedRecords records this node put and republishes
 * @param providedKeys      keys this node provides and re-announces
 * @param lookups           iterative lookups started
 * @param requests          requests sent to peers
 * @param failedRequests    requests that failed (refused, timed out, malformed answer)
 * @param peersDropped      peers removed from the routing table after repeated failures
 * @param refreshes         routing-table refresh rounds run
 * @param republishes       republish rounds run
 * @param corrections       correction PUT_VALUEs sent to stale holders after a GET_VALUE lookup
 */
public record KadStats(
        boolean serverMode,
        int routingTableSize,
        int records,
        int providerKeys,
        int originatedRecords,
        int providedKeys,
        long lookups,
        long requests,
        long failedRequests,
        long peersDropped,
        long refreshes,
        long republishes,
        long corrections) {
}
