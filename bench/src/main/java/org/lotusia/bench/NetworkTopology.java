package org.lotusia.bench;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A seeded random sparse graph for the network benchmarks: every node dials {@code degree} distinct random others
 * (so nodes end up with {@code degree} to about {@code 2 × degree} neighbours), then components are joined by one
 * extra dial each until the graph is connected. The same dial list is handed to the js side, so Java and js run on
 * identical topologies.
 */
public final class NetworkTopology {
    private final int nodes;
    private final List<int[]> dials;

    private NetworkTopology(int nodes, List<int[]> dials) {
        this.nodes = nodes;
        this.dials = List.copyOf(dials);
    }

    /** A connected random graph on {@code nodes} nodes where each node dials {@code degree} others. */
    public static NetworkTopology random(int nodes, int degree, long seed) {
        if (nodes < 2 || degree < 1) {
            throw new IllegalArgumentException("need at least 2 nodes and degree 1");
        }
        Random random = new Random(seed);
        Set<Long> edges = new HashSet<>();
        List<int[]> dials = new ArrayList<>();
        int perNode = Math.min(degree, nodes - 1);
        for (int from = 0; from < nodes; from++) {
            int made = 0;
            int attempts = 0;
            while (made < perNode && attempts++ < 50 * nodes) {
                int to = random.nextInt(nodes);
                if (to != from && edges.add(key(from, to))) {
                    dials.add(new int[] {from, to});
                    made++;
                }
            }
        }
        // Join components (rare for degree >= 2): one dial from a random member of each component to component 0.
        int[] component = components(nodes, dials);
        for (int c = 1; ; c++) {
            List<Integer> members = new ArrayList<>();
            List<Integer> first = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                if (component[i] == c) {
                    members.add(i);
                } else if (component[i] == 0) {
                    first.add(i);
                }
            }
            if (members.isEmpty()) {
                break;
            }
            int from = members.get(random.nextInt(members.size()));
            int to = first.get(random.nextInt(first.size()));
            edges.add(key(from, to));
            dials.add(new int[] {from, to});
        }
        return new NetworkTopology(nodes, dials);
    }

    private static long key(int a, int b) {
        return ((long) Math.min(a, b) << 32) | Math.max(a, b);
    }

    /** Component index per node (0 = the component of node 0, numbered in order of first member). */
    private static int[] components(int nodes, List<int[]> dials) {
        int[] parent = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            parent[i] = i;
        }
        for (int[] d : dials) {
            parent[find(parent, d[0])] = find(parent, d[1]);
        }
        int[] component = new int[nodes];
        Map<Integer, Integer> numbers = new java.util.HashMap<>();
        for (int i = 0; i < nodes; i++) {
            component[i] = numbers.computeIfAbsent(find(parent, i), r -> numbers.size());
        }
        return component;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    /** Number of nodes. */
    public int nodes() {
        return nodes;
    }

    /** The dials, each {@code {from, to}}; no pair appears twice in either direction. */
    public List<int[]> dials() {
        return dials;
    }

    /** Neighbour count per node. */
    public int[] degrees() {
        int[] degrees = new int[nodes];
        for (int[] d : dials) {
            degrees[d[0]]++;
            degrees[d[1]]++;
        }
        return degrees;
    }

    /** Whether every node is reachable from node 0. */
    public boolean isConnected() {
        int[] component = components(nodes, dials);
        for (int c : component) {
            if (c != 0) {
                return false;
            }
        }
        return true;
    }

    /** The dial list as JSON-ready lists of two numbers. */
    public List<List<Integer>> dialsAsLists() {
        List<List<Integer>> out = new ArrayList<>();
        for (int[] d : dials) {
            out.add(List.of(d[0], d[1]));
        }
        return out;
    }
}
