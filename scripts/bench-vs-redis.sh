#!/usr/bin/env bash
# Compares embedis-server with redis-server on this machine:
#   - throughput (redis-benchmark) and server CPU time per request, per command and workload;
#   - resident memory after loading the same keys into each.
# Both servers run side by side on free loopback ports and are benchmarked alternately, ROUNDS times, with the
# same flags; the medians are compared. Ratios are embedis / redis: throughput higher is better, CPU per
# request and RSS lower is better.
#
# Usage: scripts/bench-vs-redis.sh            full run (about 5 minutes on 2 cores)
#        QUICK=1 scripts/bench-vs-redis.sh    10x fewer requests and keys (under a minute), to check it works
# Knobs: ROUNDS (3), RUN_TIMEOUT (seconds per redis-benchmark run, 300), MEM_KEYS (keys for the RSS test),
#        N_P1, N_P16, N_C500 (requests per run), SKIP_BUILD=1 (use the existing release binary).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${QUICK:-0}
ROUNDS=${ROUNDS:-3}
RUN_TIMEOUT=${RUN_TIMEOUT:-300}
if [[ $QUICK == 1 ]]; then scale=10; else scale=1; fi
# Sized for roughly 2-5 s per run on a 2-core machine.
N_P1=${N_P1:-$((200000 / scale))}
N_P16=${N_P16:-$((2000000 / scale))}
N_C500=${N_C500:-$((200000 / scale))}
MEM_KEYS=${MEM_KEYS:-$((1000000 / scale))}
KEYSPACE=100000
EMBEDIS_BIN=$PWD/target/release/embedis-server
CLK_TCK=$(getconf CLK_TCK)

for tool in redis-server redis-cli redis-benchmark python3 timeout; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

WORK=$(mktemp -d -t bench-vs-redis.XXXXXX)
declare -A PID=() PORT=()

# SIGTERM, then SIGKILL if the process is still there after 5 s, so stopping never hangs.
kill_wait() {
  local pid=$1 i
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# Stop both servers whatever happens (error, Ctrl-C, timeout); only the PIDs this script started.
cleanup() {
  local name
  for name in "${!PID[@]}"; do
    kill_wait "${PID[$name]}"
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "== $*" >&2; }

# A loopback port that is free right now (the kernel picks it; we release it for the server).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_server NAME: starts embedis or redis on a fresh free port, in its own directory, and waits for PONG.
start_server() {
  local name=$1 port dir
  port=$(free_port)
  dir=$WORK/$name
  mkdir -p "$dir"
  case $name in
    embedis) (cd "$dir" && exec "$EMBEDIS_BIN" --port "$port" --bind 127.0.0.1) >"$dir/log" 2>&1 &
             ;;
    redis) (cd "$dir" && exec redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no) \
             >"$dir/log" 2>&1 &
             ;;
  esac
  PID[$name]=$!
  PORT[$name]=$port
  local deadline=$((SECONDS + 10))
  until [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; do
    if ! kill -0 "${PID[$name]}" 2>/dev/null || ((SECONDS > deadline)); then
      echo "$name did not start on port $port; its log:" >&2
      cat "$dir/log" >&2
      exit 1
    fi
    sleep 0.05
  done
  log "$name: pid ${PID[$name]}, port $port"
}

stop_server() {
  kill_wait "${PID[$1]}"
  unset "PID[$1]"
}

# Server CPU time so far (user + system, all threads), in clock ticks.
cpu_ticks() {
  local stat rest
  stat=$(<"/proc/$1/stat")
  rest=${stat##*) }  # fields after "(comm)", which may contain spaces; index 0 is field 3
  read -ra f <<<"$rest"
  echo $((f[11] + f[12]))
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# median of the numbers on stdin (the middle one; the mean of the two middle ones for an even count)
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run_one SERVER TEST N ARGS...: one redis-benchmark run; appends "rps cpu_us_per_request" to a results file.
run_one() {
  local name=$1 test=$2 n=$3 label=$4
  shift 4
  local pid=${PID[$name]} before after csv rps
  before=$(cpu_ticks "$pid")
  csv=$(timeout "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "${PORT[$name]}" -t "$test" -n "$n" \
    -r "$KEYSPACE" --csv "$@" 2>"$WORK/bench.err") || {
    echo "redis-benchmark failed against $name ($label $test):" >&2
    cat "$WORK/bench.err" >&2
    exit 1
  }
  after=$(cpu_ticks "$pid")
  # CSV: a header line, then "TEST","rps",... per test.
  rps=$(echo "$csv" | awk -F'"' 'NR == 2 { print $4 }')
  [[ -n $rps ]] || { echo "no result from redis-benchmark: $csv" >&2; exit 1; }
  if grep -qi error "$WORK/bench.err"; then
    echo "redis-benchmark reported errors against $name ($label $test):" >&2
    head -5 "$WORK/bench.err" >&2
    exit 1
  fi
  awk -v r="$rps" -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" \
    'BEGIN { printf "%s %.4f\n", r, t / hz / n * 1e6 }' >>"$WORK/$label.$test.$name"
}

# workload LABEL N TESTS ARGS...: every test, every round, each server in turn (the order flips each round).
workload() {
  local label=$1 n=$2 tests=$3
  shift 3
  local test round order name
  for test in ${tests//,/ }; do
    for ((round = 1; round <= ROUNDS; round++)); do
      if ((round % 2)); then order="embedis redis"; else order="redis embedis"; fi
      for name in $order; do
        run_one "$name" "$test" "$n" "$label" "$@"
      done
    done
    report_row "$label" "$test"
  done
}

ROWS=()
# Medians of both servers' runs and their ratios, kept for the summary.
report_row() {
  local label=$1 test=$2 e_rps r_rps e_cpu r_cpu row
  e_rps=$(cut -d' ' -f1 "$WORK/$label.$test.embedis" | median)
  r_rps=$(cut -d' ' -f1 "$WORK/$label.$test.redis" | median)
  e_cpu=$(cut -d' ' -f2 "$WORK/$label.$test.embedis" | median)
  r_cpu=$(cut -d' ' -f2 "$WORK/$label.$test.redis" | median)
  row=$(awk -v l="$label" -v t="$test" -v er="$e_rps" -v rr="$r_rps" -v ec="$e_cpu" -v rc="$r_cpu" 'BEGIN {
    printf "%-14s %-5s %12.0f %12.0f %8.2f %10.3f %10.3f %8.2f", l, t, er, rr, er / rr, ec, rc, (rc > 0 ? ec / rc : 0)
  }')
  ROWS+=("$row")
  echo "$row" >&2
}

# load_keys SERVER: MEM_KEYS distinct keys with 32-byte values, through redis-cli --pipe; prints RSS before/after.
load_keys() {
  local name=$1 port=${PORT[$1]} out before after
  before=$(rss_kb "${PID[$name]}")
  out=$(awk -v n="$MEM_KEYS" 'BEGIN {
    for (i = 0; i < n; i++) {
      k = sprintf("key:%09d", i); v = sprintf("val:%028d", i)
      printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v
    }
  }' | timeout "$RUN_TIMEOUT" redis-cli -p "$port" --pipe 2>&1)
  grep -q "errors: 0, replies: $MEM_KEYS" <<<"$out" || { echo "loading $name failed: $out" >&2; exit 1; }
  [[ $(redis-cli -p "$port" dbsize) == "$MEM_KEYS" ]] || { echo "$name: wrong DBSIZE after load" >&2; exit 1; }
  sleep 1 # let the allocator settle (background frees)
  after=$(rss_kb "${PID[$name]}")
  echo "$before $after"
}

main() {
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building $EMBEDIS_BIN"
    cargo build --release --bin embedis-server
  fi
  [[ -x $EMBEDIS_BIN ]] || { echo "no $EMBEDIS_BIN" >&2; exit 1; }
  log "QUICK=$QUICK rounds=$ROUNDS n: P1=$N_P1 P16=$N_P16 c500=$N_C500, memory keys=$MEM_KEYS, CLK_TCK=$CLK_TCK"
  redis-server --version >&2

  start_server embedis
  start_server redis
  local header
  header=$(printf "%-14s %-5s %12s %12s %8s %10s %10s %8s" workload test "embedis_rps" "redis_rps" "rps_x" \
    "e_us/req" "r_us/req" "cpu_x")
  echo "$header" >&2
  workload "c50-P1" "$N_P1" get,set,incr,mset -c 50 -P 1
  workload "c50-P16" "$N_P16" get,set,incr,mset -c 50 -P 16
  workload "c500-P1" "$N_C500" get -c 500 -P 1
  # Sanity: the same commands must have built keyspaces of about the same size.
  log "DBSIZE after the workloads: embedis $(redis-cli -p "${PORT[embedis]}" dbsize)," \
    "redis $(redis-cli -p "${PORT[redis]}" dbsize)"
  stop_server embedis
  stop_server redis

  # Fresh servers, so the benchmarks' keys and allocator history do not count.
  log "memory: loading $MEM_KEYS keys with 32-byte values into each server"
  start_server embedis
  start_server redis
  local e r
  e=$(load_keys embedis)
  r=$(load_keys redis)
  stop_server embedis
  stop_server redis

  echo
  echo "Summary (medians of $ROUNDS alternating runs; ratios are embedis/redis; -r $KEYSPACE; QUICK=$QUICK)"
  echo "rps_x: throughput ratio (higher is better). cpu_x: server CPU per request ratio (target <= 1.0)."
  echo "$header"
  printf '%s\n' "${ROWS[@]}"
  echo
  read -r e0 e1 <<<"$e"
  read -r r0 r1 <<<"$r"
  awk -v k="$MEM_KEYS" -v e0="$e0" -v e1="$e1" -v r0="$r0" -v r1="$r1" 'BEGIN {
    printf "memory, %d keys x 32-byte values: RSS embedis %.1f MiB, redis %.1f MiB, ratio %.2f (target <= 1.2)\n",
      k, e1 / 1024, r1 / 1024, e1 / r1
    printf "  (idle RSS before loading: embedis %.1f MiB, redis %.1f MiB; growth ratio %.2f, %.0f vs %.0f bytes/key)\n",
      e0 / 1024, r0 / 1024, (e1 - e0) / (r1 - r0), (e1 - e0) * 1024 / k, (r1 - r0) * 1024 / k
  }'
}

main "$@"
