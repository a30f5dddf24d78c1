package org.lotusia.p2p.pubsub;

import org.lotusia.p2p.events.Subscription;

/**
 * One handler's registration on a topic. {@link #close()} removes that handler only; when the last
 * handler of a topic is removed, the node unsubscribes from the topic. Idempotent.
 */
public interface TopicSubscription extends Subscription {
    /** The topic. */
    String topic();
}
