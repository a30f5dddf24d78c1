#!/usr/bin/env bash
# Kademlia on an in-process network, Java vs js-libp2p kad-dht 16.1.0 (server mode, /lotus/kad/1.0.0, same
# topology and key plan): put/get success, latency p50/p95, messages and hops per lookup, with the target ratios.
# Prints a table and writes bench/target/kad-bench.json (org.lotusia.bench.KadNetworkBench; see bench/README.md).
#
#   bench/run-kad-bench.sh [--nodes 200] [--degree 3] [--puts 100] [--gets 100] [--seed 1] [--js-nodes 200,100,50]
#                          [--skip-js]
#
# Builds the bench jar when libp2p or bench sources are newer (own build folder, -Dlotus.buildDir=target-bench),
# prepares Node 22 and the js packages when missing, and runs on the NEWEST JDK under /usr/lib/jvm.
#
# Environment: BENCH_JAVA, BENCH_JAVA_OPTS, BENCH_BUILD_DIR, BENCH_SKIP_BUILD=1 (as run-connection-bench.sh).
set -euo pipefail

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
bench_prepare run-kad-bench 2g

cd "$root"
# shellcheck disable=SC2086
exec "$java_bin" "${jvm_flags[@]}" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jar" org.lotusia.bench.KadNetworkBench \
  --node "$node_bin" --js-script "$js_dir/bench/kad.mjs" \
  --out "$root/bench/target/kad-bench.json" "$@"
