#!/usr/bin/env bash
# GossipSub dissemination on an in-process network, Java vs js-libp2p gossipsub 15, same topology and publish plan:
# delivery ratio, p50/p99 delivery latency, duplicates per delivered message, with the target ratios. Prints a table
# and writes bench/target/gossipsub-bench.json (org.lotusia.bench.GossipSubNetworkBench; see bench/README.md).
#
#   bench/run-gossipsub-bench.sh [--nodes 100] [--degree 4] [--messages 200] [--rate 5] [--bytes 1024] [--seed 1]
#                                [--js-nodes 100,50,30,20] [--skip-js] [--settle-ms 2000]
#
# Builds the bench jar when libp2p or bench sources are newer (own build folder, -Dlotus.buildDir=target-bench),
# prepares Node 22 and the js packages when missing, and runs on the NEWEST JDK under /usr/lib/jvm.
#
# Environment: BENCH_JAVA, BENCH_JAVA_OPTS, BENCH_BUILD_DIR, BENCH_SKIP_BUILD=1 (as run-connection-bench.sh).
set -euo pipefail

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
bench_prepare run-gossipsub-bench 2g

cd "$root"
# shellcheck disable=SC2086
exec "$java_bin" "${jvm_flags[@]}" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jar" org.lotusia.bench.GossipSubNetworkBench \
  --node "$node_bin" --js-script "$js_dir/bench/gossipsub.mjs" \
  --out "$root/bench/target/gossipsub-bench.json" "$@"
