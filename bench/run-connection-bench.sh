#!/usr/bin/env bash
# Java vs js-libp2p on loopback in one run: /perf/1.0.0 throughput and connection establishment latency for
# Java->Java, Java->js, js->Java and js->js, next to this JVM's single-core ChaCha20-Poly1305 rate, with the target
# ratios. Prints a table and writes bench/target/connection-bench.json (org.lotusia.bench.ConnectionBenchmark).
#
#   bench/run-connection-bench.sh [ConnectionBenchmark options, e.g. --size-mib 64 --runs 1 --connections 20]
#
# Builds what it needs first (the bench jar, in its own build folder so parallel builds of this checkout are left
# alone; the Node 22 runtime and js packages through interop/js/setup.sh when missing), then runs on the NEWEST JDK
# under /usr/lib/jvm (or $JAVA_HOME if newer) and prints which JDK and which ChaCha20-Poly1305 implementation it uses.
#
# Environment:
#   BENCH_JAVA=/path/to/java        use this java instead of the newest one
#   BENCH_JAVA_OPTS="..."           extra options for the client JVM (e.g. -XX:StartFlightRecording=...)
#   BENCH_SERVER_JAVA_OPTS="..."    extra options for the Java server JVM
#   BENCH_BUILD_DIR=target-bench    Maven build folder (-Dlotus.buildDir) for the build this script runs
#   BENCH_SKIP_BUILD=1              use the existing jar even if sources are newer
set -euo pipefail

# shellcheck source=bench-common.sh
source "$(dirname "${BASH_SOURCE[0]}")/bench-common.sh"
bench_prepare run-connection-bench 1g

cd "$root"
# shellcheck disable=SC2086
exec "$java_bin" "${jvm_flags[@]}" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jar" org.lotusia.bench.ConnectionBenchmark \
  --node "$node_bin" --js-script "$js_dir/bench/perf.mjs" \
  --out "$root/bench/target/connection-bench.json" "$@"
