package org.lotusia.p2p.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs each example's main logic and checks what it reports. */
class ExamplesTest {
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);

    private String printed() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    @Test
    void requestResponse() {
        RequestResponseExample.Outcome o = RequestResponseExample.run(out);
        assertThat(o.price()).isEqualTo(42);
        assertThat(o.answeredBy()).isNotEmpty();
        assertThat(o.timedOut()).isTrue();
        assertThat(o.timeoutMessage()).startsWith("Request timeout: no response from");
        assertThat(printed()).contains("oracle: request", "client: quote", "(pending now 0)");
    }

    @Test
    void peerDiscovery() {
        PeerDiscoveryExample.Outcome o = PeerDiscoveryExample.run(out);
        assertThat(o.musig2()).isEqualTo(o.expectedMusig2());
        assertThat(o.coinjoin()).isEqualTo(o.expectedCoinjoin());
        assertThat(o.coinjoinAfterLeave()).hasSize(1).isSubsetOf(o.expectedCoinjoin());
        assertThat(printed()).contains("after carol left");
    }

    @Test
    void connectionPool() {
        ConnectionPoolExample.Outcome o = ConnectionPoolExample.run(out);
        assertThat(o.connectedAtFirst()).isEqualTo(o.target());
        assertThat(o.connectedAfterLoss()).isEqualTo(o.target());
        assertThat(o.dials()).isGreaterThan(o.target());
        assertThat(printed()).contains("pool: lost", "connected again");
    }

    @Test
    void messageDeduplication() {
        MessageDeduplicationExample.Outcome o = MessageDeduplicationExample.run(out);
        assertThat(o.copiesReceived()).isEqualTo(6);
        assertThat(o.delivered()).containsExactlyInAnyOrderElementsOf(List.of("block 1", "block 2", "block 3"));
        assertThat(o.duplicatesDropped()).isEqualTo(3);
        assertThat(printed()).contains("duplicate", "3 delivered, 3 duplicates dropped");
    }
}
