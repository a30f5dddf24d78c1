package org.lotusia.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Keeps the Kademlia network benchmark runnable: a tiny network where every get finds every put. */
class KadNetworkBenchTest {

    @Test
    void tinyNetworkFindsEveryRecordAndReportsEveryFigure() throws Exception {
        KadNetworkBench.Settings settings = KadNetworkBench.Settings.defaults().withSize(12, 5, 5);
        KadNetworkBench.Result result = KadNetworkBench.runJava(KadNetworkBench.Plan.of(settings));

        assertThat(result.complete()).as("kad requests recorded at every server").isTrue();
        assertThat(result.puts().succeeded()).isEqualTo(5);
        assertThat(result.gets().succeeded()).isEqualTo(5);
        assertThat(result.puts().meanReplicas()).isGreaterThanOrEqualTo(1);
        assertThat(result.puts().latencyMs().count()).isEqualTo(5);
        assertThat(result.gets().latencyMs().percentile(95)).isGreaterThanOrEqualTo(result.gets().latencyMs().percentile(50));
        // a put is a FIND_NODE walk plus PUT_VALUE to the closest peers: at least one of each per put
        assertThat(result.puts().messages().percentile(1)).isGreaterThanOrEqualTo(2);
        assertThat(result.puts().hops().percentile(1)).isGreaterThanOrEqualTo(1);
        assertThat(result.bootstrapMessages()).isPositive();
        Map<String, Object> json = result.toJson();
        assertThat(json).containsKeys("put", "get", "meanRoutingTableSize");
        @SuppressWarnings("unchecked")
        Map<String, Object> get = (Map<String, Object>) json.get("get");
        assertThat(get).containsKeys("successPercent", "latencyP50Ms", "latencyP95Ms", "messagesMean", "hopsMean");
        assertThat(get.get("successPercent")).isEqualTo(100.0);
    }

    @Test
    void hopsFollowWhoNamedWhom() {
        // A (from the routing table) names B; B names C, which holds the record: C is two hops behind A.
        KadRpcRecorder.Rpc a = rpc("A", 1, 2, List.of("B"), false);
        KadRpcRecorder.Rpc b = rpc("B", 3, 4, List.of("C"), false);
        KadRpcRecorder.Rpc c = rpc("C", 5, 6, List.of(), true);
        KadRpcRecorder.Rpc d = rpc("D", 7, 8, List.of(), false);
        assertThat(KadRpcRecorder.hops(List.of(a, b, c, d), Set.of(), true)).isEqualTo(3);
        assertThat(KadRpcRecorder.hops(List.of(a, b, d), Set.of(), false)).isEqualTo(2);
        // C was in the requester's routing table: one hop, even though B named it first
        assertThat(KadRpcRecorder.hops(List.of(a, b, c, d), Set.of("A", "C"), true)).isEqualTo(1);
        assertThat(KadRpcRecorder.hops(List.of(), Set.of(), false)).isZero();
    }

    private static KadRpcRecorder.Rpc rpc(String server, long request, long response, List<String> closer, boolean record) {
        KadRpcRecorder.Rpc rpc = new KadRpcRecorder.Rpc("get", "GET_VALUE", "k", server, request);
        rpc.responseNanos = response;
        rpc.closer = closer;
        rpc.hasRecord = record;
        return rpc;
    }
}
