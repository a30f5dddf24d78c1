/**
 * Coordinator events: the sealed {@link org.lotusia.p2p.events.P2PEvent} records, their
 * {@link org.lotusia.p2p.events.EventType}s (named like the reference's event strings), typed
 * listener registration returning a {@link org.lotusia.p2p.events.Subscription}, and
 * {@link org.lotusia.p2p.events.Events#waitForEvent}.
 */
package org.lotusia.p2p.events;
