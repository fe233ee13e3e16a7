#!/usr/bin/env bash
# The maxmemory promise against embedis-server and redis-server, side by side: 1 GB of distinct keys (strings,
# hashes, sorted sets; values 10 B to 10 KB) written under `maxmemory 64mb` with `allkeys-lru`, while a hot set
# of 10,000 keys is read continuously by four connections. Reports writes refused, the hot set's hit ratio and
# the peak RSS. (SET throughput at the limit: SUITE=eviction scripts/bench-vs-redis.sh.)
#
# Usage: scripts/eviction-promise.sh     (BYTES, HOT, MAXMEMORY, SKIP_BUILD=1)
set -euo pipefail
cd "$(dirname "$0")/.."

BYTES=${BYTES:-1073741824}
HOT=${HOT:-10000}
MAXMEMORY=${MAXMEMORY:-64mb}
WORK=$(mktemp -d -t eviction-promise.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

[[ ${SKIP_BUILD:-0} == 1 ]] || cargo build --release --bin embedis-server --example eviction_bench
BENCH=$PWD/target/release/examples/eviction_bench
EMBEDIS_BIN=$PWD/target/release/embedis-server

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  local name=$1 port=$2 dir=$WORK/$1
  mkdir -p "$dir"
  local args=(--port "$port" --bind 127.0.0.1 --save "" --maxmemory "$MAXMEMORY" --maxmemory-policy allkeys-lru)
  case $name in
    embedis) (cd "$dir" && exec "$EMBEDIS_BIN" "${args[@]}") >"$dir/log" 2>&1 & ;;
    redis) (cd "$dir" && exec redis-server "${args[@]}") >"$dir/log" 2>&1 & ;;
  esac
  PID=$!
  PIDS+=("$PID")
  until [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; do sleep 0.05; done
}

for name in embedis redis; do
  port=$(free_port)
  start "$name" "$port"
  pid=$PID
  echo "== $name (maxmemory $MAXMEMORY, allkeys-lru, $BYTES bytes written, hot set $HOT)"
  "$BENCH" "$port" "$pid" "$BYTES" "$HOT"
  echo "evicted_keys $(redis-cli -p "$port" info stats | tr -d '\r' | awk -F: '/^evicted_keys/ { print $2 }')"
  kill "$pid"
done
