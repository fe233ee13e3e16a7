#!/usr/bin/env bash
# GET latency while the AOF is rewritten: loads KEYS keys (1,000,000 by default) into embedis-server with the AOF
# on, then measures GET p99 with redis-benchmark twice, without and with a BGREWRITEAOF running, and the same
# against redis-server. The issue's promise: p99 during a rewrite at most 2x its value without.
#
# Usage: scripts/rewrite-latency.sh        (KEYS, N (GETs per measurement, 300000), SKIP_BUILD=1)
set -euo pipefail
cd "$(dirname "$0")/.."

KEYS=${KEYS:-1000000}
N=${N:-300000}
EMBEDIS_BIN=$PWD/target/release/embedis-server
WORK=$(mktemp -d -t rewrite-latency.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

[[ ${SKIP_BUILD:-0} == 1 ]] || cargo build --release --bin embedis-server

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start() {
  local name=$1 port=$2 dir=$WORK/$1
  mkdir -p "$dir"
  case $name in
    embedis) (cd "$dir" && exec "$EMBEDIS_BIN" --port "$port" --bind 127.0.0.1 --appendonly yes) >"$dir/log" 2>&1 & ;;
    redis) (cd "$dir" && exec redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly yes \
      --aof-use-rdb-preamble no) >"$dir/log" 2>&1 & ;;
  esac
  PIDS+=($!)
  until [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; do sleep 0.05; done
}

load() {
  awk -v n="$KEYS" 'BEGIN { for (i = 0; i < n; i++) {
    k = sprintf("key:%012d", i); v = sprintf("val:%028d", i)
    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v } }' |
    redis-cli -p "$1" --pipe >/dev/null
}

# p99 of GETs (ms), as redis-benchmark's CSV reports it.
p99() {
  redis-benchmark -p "$1" -n "$N" -c 50 -r "$KEYS" --csv GET key:__rand_int__ 2>/dev/null |
    awk -F'"' 'NR == 2 { print $14 }'
}

measure() {
  local name=$1 port=$2 quiet during
  start "$name" "$port"
  load "$port"
  quiet=$(p99 "$port")
  redis-cli -p "$port" bgrewriteaof >/dev/null
  during=$(p99 "$port")
  local done_in
  done_in=$(redis-cli -p "$port" info persistence | tr -d '\r' | awk -F: '/aof_rewrite_in_progress/ { print $2 }')
  echo "$name: GET p99 ${quiet} ms without a rewrite, ${during} ms during one ($KEYS keys; rewrite still running at the end: $done_in)"
}

measure embedis "$(free_port)"
measure redis "$(free_port)"
