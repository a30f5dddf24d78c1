package org.lotusia.p2p.pubsub;

/**
 * Receives the messages of a subscribed topic. Called on the coordinator's event thread (never on a
 * network thread), one message at a time; an exception it throws is reported as an
 * {@link org.lotusia.p2p.events.EventType#ERROR} event and does not affect other handlers.
 */
@FunctionalInterface
public interface TopicHandler {
    /** Handles one message of the topic. */
    void onMessage(TopicMessage message);
}
