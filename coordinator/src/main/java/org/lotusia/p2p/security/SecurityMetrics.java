package org.lotusia.p2p.security;

/**
 * Immutable snapshot of {@link CoreSecurityManager} counters and peer gauges.
 *
 * <p>Message and DHT counters are cumulative since construction or {@link CoreSecurityManager#resetMetrics()};
 * the peer gauges ({@code blockedPeers}, {@code permanentlyBannedPeers}, {@code warnedPeers}) are live values
 * that a reset does not affect. The first five names follow the SDK guide's {@code getMetrics()} example.
 *
 * @param totalMessages messages recorded with {@code recordMessage} (valid, invalid and oversized)
 * @param validMessages messages recorded as valid
 * @param invalidMessages messages recorded as invalid (the reference {@code messages.rejected})
 * @param oversizedMessages messages recorded as oversized (also counted as invalid when recorded so)
 * @param blockedPeers peers banned now, temporarily or permanently
 * @param permanentlyBannedPeers peers banned permanently (the reference {@code peers.banned})
 * @param warnedPeers distinct peers with at least one undecayed warning (the reference {@code peers.warnings})
 * @param rateLimitedMessages messages refused by {@link CoreSecurityManager#allowMessage} for rate
 * @param bannedMessages messages refused by {@link CoreSecurityManager#allowMessage} because the peer is banned
 * @param dhtAnnouncementsTotal calls to {@link CoreSecurityManager#canAnnounceToDHT}
 * @param dhtAnnouncementsRejected announcements refused for a ban, a quota or a validator verdict
 * @param dhtAnnouncementsRateLimited announcements refused by the announcement interval
 */
public record SecurityMetrics(
        long totalMessages,
        long validMessages,
        long invalidMessages,
        long oversizedMessages,
        int blockedPeers,
        int permanentlyBannedPeers,
        int warnedPeers,
        long rateLimitedMessages,
        long bannedMessages,
        long dhtAnnouncementsTotal,
        long dhtAnnouncementsRejected,
        long dhtAnnouncementsRateLimited) {
}
