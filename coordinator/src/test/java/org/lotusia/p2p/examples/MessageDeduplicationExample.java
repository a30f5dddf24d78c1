package org.lotusia.p2p.examples;

import com.fasterxml.jackson.databind.JsonNode;
import org.lotusia.p2p.P2PCoordinator;
import org.lotusia.p2p.PeerInfo;
import org.lotusia.p2p.ProtocolHandler;
import org.lotusia.p2p.message.MessageOptions;
import org.lotusia.p2p.message.P2PMessage;
import org.lotusia.p2p.message.P2PProtocol;
import org.lotusia.p2p.patterns.MessageDeduplicator;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Guide "Pattern 4: Message Deduplication" with {@link MessageDeduplicator}. An origin sends each message
 * to two relays, both relays forward it (wrapped, since a direct message's {@code from} must be its
 * sender) to the same sink, and the sink unwraps and drops the second copy by the reference message hash.
 */
public final class MessageDeduplicationExample {
    /** What happened at the sink. */
    public record Outcome(List<String> delivered, int duplicatesDropped, int copiesReceived) {
    }

    static final String ORIGIN_PROTOCOL = "news";
    static final String RELAY_PROTOCOL = "news-relay";

    private MessageDeduplicationExample() {
    }

    public static void main(String[] args) {
        run(System.out);
        System.exit(0);
    }

    public static Outcome run(PrintStream out) {
        P2PProtocol protocol = new P2PProtocol();
        try (ExampleNodes nodes = new ExampleNodes(out)) {
            P2PCoordinator origin = nodes.start("origin");
            P2PCoordinator relay1 = nodes.start("relay1");
            P2PCoordinator relay2 = nodes.start("relay2");
            P2PCoordinator sink = nodes.start("sink");
            for (P2PCoordinator relay : List.of(relay1, relay2)) {
                ExampleNodes.connect(origin, relay);
                ExampleNodes.connect(relay, sink);
                // each relay forwards what the origin sends, wrapped in a message of its own
                relay.registerProtocol(handler(ORIGIN_PROTOCOL, (m, from) -> {
                    P2PMessage wrapped = protocol.createMessage("relayed", Map.of("original", m.toJson()),
                            relay.peerId().toString(), MessageOptions.protocol(RELAY_PROTOCOL));
                    relay.sendTo(sink.peerId(), wrapped);
                }));
            }

            MessageDeduplicator dedup = new MessageDeduplicator();
            List<String> delivered = new CopyOnWriteArrayList<>();
            AtomicInteger copies = new AtomicInteger();
            sink.registerProtocol(handler(RELAY_PROTOCOL, (m, from) -> {
                JsonNode original = m.payload().get("original");
                P2PMessage inner = protocol.deserialize(original.asText().getBytes(StandardCharsets.UTF_8));
                copies.incrementAndGet();
                if (dedup.isDuplicate(inner)) {
                    out.printf("sink: duplicate %s via %s dropped%n", inner.messageId(), from.peerId());
                } else {
                    out.printf("sink: delivered %s via %s: %s%n", inner.messageId(), from.peerId(), inner.payload());
                    delivered.add(inner.payload().asText());
                }
            }));

            for (String headline : List.of("block 1", "block 2", "block 3")) {
                P2PMessage m = protocol.createMessage("headline", headline, origin.peerId().toString(),
                        MessageOptions.protocol(ORIGIN_PROTOCOL));
                ExampleNodes.join(origin.sendTo(relay1.peerId(), m));
                ExampleNodes.join(origin.sendTo(relay2.peerId(), m));
            }
            ExampleNodes.await(() -> copies.get() == 6, "6 relayed copies at the sink");
            out.printf("sink: %d delivered, %d duplicates dropped%n", delivered.size(), dedup.duplicates());
            return new Outcome(List.copyOf(delivered), (int) dedup.duplicates(), copies.get());
        }
    }

    /** A message-only protocol handler. */
    static ProtocolHandler handler(String name, java.util.function.BiConsumer<P2PMessage, PeerInfo> onMessage) {
        return new ProtocolHandler() {
            @Override
            public String protocolName() {
                return name;
            }

            @Override
            public String protocolId() {
                return "/lotus/" + name + "/1.0.0";
            }

            @Override
            public void handleMessage(P2PMessage message, PeerInfo from) {
                onMessage.accept(message, from);
            }
        };
    }
}
