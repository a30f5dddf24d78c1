package org.lotusia.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the GossipSub network benchmark runnable: a tiny network, full delivery, a complete report. */
class GossipSubNetworkBenchTest {

    @Test
    void tinyNetworkDeliversEveryMessageAndReportsEveryFigure() throws Exception {
        GossipSubNetworkBench.Settings settings = GossipSubNetworkBench.Settings.defaults().withNodes(10)
                .withMessages(20, 50).withSettle(Duration.ofMillis(300));
        GossipSubNetworkBench.Plan plan = GossipSubNetworkBench.Plan.of(settings);
        assertThat(plan.topology().isConnected()).isTrue();

        GossipSubNetworkBench.Result result = GossipSubNetworkBench.runJava(plan);

        assertThat(result.expected()).isEqualTo(20 * 9);
        assertThat(result.delivered()).isEqualTo(result.expected());
        assertThat(result.deliveryRatio()).isEqualTo(1.0);
        assertThat(result.latencyMs().count()).isEqualTo(20 * 9);
        assertThat(result.latencyMs().percentile(50)).isPositive();
        assertThat(result.latencyMs().percentile(99)).isGreaterThanOrEqualTo(result.latencyMs().percentile(50));
        assertThat(result.duplicatesMeasured()).as("inbound message counter installed").isTrue();
        assertThat(result.receivedEntries()).isGreaterThanOrEqualTo(result.delivered());
        assertThat(result.duplicatesPerMessage()).isBetween(0.0, 10.0);
        assertThat(result.publishFailures()).isZero();
        Map<String, Object> json = result.toJson();
        assertThat(json).containsKeys("deliveryPercent", "latencyP50Ms", "latencyP99Ms", "duplicatesPerMessage");
        assertThat(json.get("deliveryPercent")).isEqualTo(100.0);
    }

    @Test
    void topologyIsSeededSparseAndConnected() {
        NetworkTopology a = NetworkTopology.random(50, 3, 7);
        NetworkTopology b = NetworkTopology.random(50, 3, 7);
        assertThat(a.dialsAsLists()).isEqualTo(b.dialsAsLists());
        assertThat(a.isConnected()).isTrue();
        assertThat(a.dials()).hasSizeBetween(150, 160);
        for (int degree : a.degrees()) {
            assertThat(degree).isBetween(3, 49);
        }
    }

    @Test
    void messageEntriesAreCountedFromTheRpcFrame() {
        // RPC{subscriptions(1): {}, messages(2): "ab", messages(2): "", control(3): {}} plus a varint field 5 = 300
        byte[] rpc = {0x0a, 0x00, 0x12, 0x02, 'a', 'b', 0x12, 0x00, 0x1a, 0x00, 0x28, (byte) 0xac, 0x02};
        ByteBuf frame = Unpooled.wrappedBuffer(rpc);
        try {
            assertThat(GossipSubNetworkBench.countMessageEntries(frame)).isEqualTo(2);
            assertThat(frame.readerIndex()).isZero();
        } finally {
            frame.release();
        }
    }
}
