#!/usr/bin/env bash
# Compares embedis-server with redis-server on this machine:
#   - throughput (redis-benchmark) and server CPU time per request, per command and workload;
#   - resident memory after loading the same keys into each.
# Both servers run side by side on free loopback ports and are benchmarked alternately, ROUNDS times, with the
# same flags; the medians are compared. Ratios are embedis / redis: throughput higher is better, CPU per
# request and RSS lower is better.
#
# Usage: scripts/bench-vs-redis.sh            full run (about 12 minutes on 2 cores)
#        QUICK=1 scripts/bench-vs-redis.sh    10x fewer requests and keys (a few minutes), to check it works
# Knobs: ROUNDS (3), RUN_TIMEOUT (seconds per redis-benchmark run, 300), MEM_KEYS (keys for the RSS test),
#        N_P1, N_P16, N_C500 (requests per run), SKIP_BUILD=1 (use the existing release binary),
#        SUITE=strings|types|lists|scripting|pubsub|aof|eviction|rdb|all (all): the string workloads, the
#        hash/set/sorted-set workloads, the list workloads (redis-benchmark's), the transaction and scripting workloads, the Pub/Sub workloads, SET/HSET
#        with the AOF on (everysec, always), SET at the maxmemory limit, RDB snapshots (BGSAVE time and file
#        size, loading time, GET p99 during a BGSAVE, DUMP+RESTORE CPU), or everything.
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
SUITE=${SUITE:-all}
EMBEDIS_BIN=${EMBEDIS_BIN:-$PWD/target/release/embedis-server}
TX_BENCH=$PWD/target/release/examples/tx_bench
PUBSUB_BENCH=$PWD/target/release/examples/pubsub_bench
CLK_TCK=$(getconf CLK_TCK)

for tool in redis-server redis-cli redis-benchmark python3 timeout; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

WORK=$(mktemp -d -t bench-vs-redis.XXXXXX)
# Extra arguments for both servers (the AOF suite sets them).
SERVER_ARGS=()
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
    embedis) (cd "$dir" && exec "$EMBEDIS_BIN" --port "$port" --bind 127.0.0.1 "${SERVER_ARGS[@]}") >"$dir/log" 2>&1 &
             ;;
    redis) (cd "$dir" && exec redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
             "${SERVER_ARGS[@]}") >"$dir/log" 2>&1 &
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

# run_one SERVER TEST N LABEL ARGS...: one redis-benchmark run; appends "rps cpu_us_per_request" to a results
# file. TEST is a built-in test name (-t), or, when COMMAND is set, a label for that command line.
run_one() {
  local name=$1 test=$2 n=$3 label=$4
  shift 4
  local pid=${PID[$name]} before after csv rps what
  if [[ -n ${COMMAND:-} ]]; then what=(-r "${RANGE:-$KEYSPACE}" "$@" $COMMAND); else what=(-t "$test" -r "$KEYSPACE" "$@"); fi
  before=$(cpu_ticks "$pid")
  csv=$(timeout "$RUN_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "${PORT[$name]}" -n "$n" \
    --csv "${what[@]}" 2>"$WORK/bench.err") || {
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
RDB_ROWS=()
# Medians of both servers' runs and their ratios, kept for the summary.
report_row() {
  local label=$1 test=$2 e_rps r_rps e_cpu r_cpu row
  e_rps=$(cut -d' ' -f1 "$WORK/$label.$test.embedis" | median)
  r_rps=$(cut -d' ' -f1 "$WORK/$label.$test.redis" | median)
  e_cpu=$(cut -d' ' -f2 "$WORK/$label.$test.embedis" | median)
  r_cpu=$(cut -d' ' -f2 "$WORK/$label.$test.redis" | median)
  row=$(awk -v l="$label" -v t="$test" -v er="$e_rps" -v rr="$r_rps" -v ec="$e_cpu" -v rc="$r_cpu" 'BEGIN {
    printf "%-14s %-16s %12.0f %12.0f %8.2f %10.3f %10.3f %8.2f", l, t, er, rr, er / rr, ec, rc, (rc > 0 ? ec / rc : 0)
  }')
  ROWS+=("$row")
  echo "$row" >&2
}

# Generators of RESP for redis-cli --pipe: NAME COUNT prints the commands that load COUNT items.
string_keys() {
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
    k = sprintf("key:%09d", i); v = sprintf("val:%028d", i)
    printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(v), v } }'
}
# COUNT hashes of 10 fields, named like redis-benchmark's __rand_int__ keys (12 digits).
hashes() {
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
    k = sprintf("hash:%012d", i); printf "*22\r\n$4\r\nHSET\r\n$%d\r\n%s\r\n", length(k), k
    for (j = 1; j <= 10; j++) { f = "field:" j; v = sprintf("value-%d-%d", i, j)
      printf "$%d\r\n%s\r\n$%d\r\n%s\r\n", length(f), f, length(v), v } } }'
}
sets() {
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
    k = sprintf("set:%012d", i); printf "*12\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n", length(k), k
    for (j = 1; j <= 10; j++) { m = sprintf("member:%012d", j); printf "$%d\r\n%s\r\n", length(m), m } } }'
}
# COUNT lists of 100 small elements.
lists() {
  awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) {
    k = sprintf("list:%012d", i); printf "*102\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n", length(k), k
    for (j = 0; j < 100; j++) { e = sprintf("e%d", j); printf "$%d\r\n%s\r\n", length(e), e } } }'
}
# One sorted set (key lb) of COUNT members member:NNNNNNNNNNNN with scores from a fixed-seed generator.
one_zset() {
  awk -v n="$1" 'BEGIN { srand(42); for (i = 0; i < n; i++) {
    m = sprintf("member:%012d", i); s = sprintf("%d", int(rand() * 1000000))
    printf "*4\r\n$4\r\nZADD\r\n$2\r\nlb\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(s), s, length(m), m } }'
}

# load SERVER GENERATOR COUNT: pipes the generated commands into the server; fails unless every reply came back.
load() {
  local name=$1 gen=$2 count=$3 out
  out=$("$gen" "$count" | timeout "$RUN_TIMEOUT" redis-cli -p "${PORT[$name]}" --pipe 2>&1)
  grep -q "errors: 0, replies: $count" <<<"$out" || { echo "loading $gen into $name failed: $out" >&2; exit 1; }
}

# memory_test DESCRIPTION GENERATOR COUNT: RSS of fresh servers before and after loading the same data.
memory_test() {
  local what=$1 gen=$2 count=$3 e0 e1 r0 r1
  log "memory: $what"
  start_server embedis
  start_server redis
  e0=$(rss_kb "${PID[embedis]}")
  r0=$(rss_kb "${PID[redis]}")
  load embedis "$gen" "$count"
  load redis "$gen" "$count"
  sleep 1 # let the allocators settle (background frees)
  e1=$(rss_kb "${PID[embedis]}")
  r1=$(rss_kb "${PID[redis]}")
  stop_server embedis
  stop_server redis
  MEMORY+=("$(awk -v w="$what" -v e0="$e0" -v e1="$e1" -v r0="$r0" -v r1="$r1" 'BEGIN {
    printf "memory, %s: RSS embedis %.1f MiB, redis %.1f MiB, ratio %.2f (target <= 1.2; idle %.1f / %.1f MiB)",
      w, e1 / 1024, r1 / 1024, e1 / r1, e0 / 1024, r0 / 1024 }')")
}

# script_workloads LABEL N ARGS...: EVAL "return 1" 0, EVALSHA of the token-bucket script
# (scripts/token_bucket.lua) on 100,000 distinct keys, and EVAL / EVAL_RO of distinct bodies.
script_workloads() {
  local label=$1 n=$2 name sha
  shift 2
  for name in embedis redis; do
    sha=$(redis-cli -p "${PORT[$name]}" -x script load <scripts/token_bucket.lua)
  done
  # "return(1)": one word, as COMMAND is split on spaces; the same script as `return 1`.
  COMMAND="EVAL return(1) 0" workload "$label" "$n" eval_return_1 "$@"
  COMMAND="EVALSHA $sha 1 tb:__rand_int__ 10 100 __rand_int__ 1" RANGE=100000 \
    workload "$label" "$n" evalsha_bucket "$@"
  # 1,000 distinct small scripts (each body's first run, then cached), and bodies that are nearly all new
  # (first runs: applications and test suites that send EVAL with changing bodies).
  COMMAND="EVAL return(__rand_int__) 0" RANGE=1000 workload "$label" "$n" eval_1000_bodies "$@"
  COMMAND="EVAL_RO return(__rand_int__) 0" RANGE=1000000000 workload "$label" $((n / 10)) eval_ro_new_bodies "$@"
  COMMAND="EVAL return(__rand_int__) 0" RANGE=1000000000 workload "$label" $((n / 10)) eval_new_bodies "$@"
}

# example_workload LABEL TEST N PROGRAM ARGS...: a load generator from examples/ for what redis-benchmark cannot
# do, run as `PROGRAM PORT ARGS...` against each server; it prints "rps <requests per second>" for N requests,
# and the CPU is per request.
example_workload() {
  local label=$1 test=$2 n=$3 program=$4 round order name pid before after rps
  shift 4
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order="embedis redis"; else order="redis embedis"; fi
    for name in $order; do
      pid=${PID[$name]}
      before=$(cpu_ticks "$pid")
      rps=$(timeout "$RUN_TIMEOUT" "$program" "${PORT[$name]}" "$@" | awk '/^rps/ { print $2 }')
      after=$(cpu_ticks "$pid")
      [[ -n $rps ]] || { echo "$program failed against $name" >&2; exit 1; }
      awk -v r="$rps" -v t=$((after - before)) -v hz="$CLK_TCK" -v n="$n" \
        'BEGIN { printf "%s %.4f\n", r, t / hz / n * 1e6 }' >>"$WORK/$label.$test.$name"
    done
  done
  report_row "$label" "$test"
}

# tx_workload LABEL N: MULTI / SET / INCR / EXEC, one transaction per round trip from 50 connections
# (examples/tx_bench). CPU is per transaction.
tx_workload() {
  example_workload "$1" multi_exec "$2" "$TX_BENCH" 50 "$2"
}

# pubsub_workloads N: PUBLISH from 50 connections (one round trip each) to a channel with no subscriber, one,
# and 50 reading everything (examples/pubsub_bench). CPU is per PUBLISH; with 50 subscribers the throughput
# ratio is also the ratio of messages delivered per second.
pubsub_workloads() {
  local n=$1
  example_workload "c50-pub" publish_0_subs "$n" "$PUBSUB_BENCH" 0 50 "$n"
  example_workload "c50-pub" publish_1_sub "$n" "$PUBSUB_BENCH" 1 50 "$n"
  example_workload "c50-pub" publish_50_subs "$((n / 2))" "$PUBSUB_BENCH" 50 50 "$((n / 2))"
}

# aof_workloads N: SET and HSET from 50 connections with the AOF on, appendfsync everysec then always, on
# servers restarted with the same AOF settings (RDB preamble off on redis-server, as embedis writes AOF bases).
aof_workloads() {
  local n=$1 fsync
  for fsync in everysec always; do
    stop_server embedis
    stop_server redis
    SERVER_ARGS=(--appendonly yes --appendfsync "$fsync" --aof-use-rdb-preamble no)
    start_server embedis
    start_server redis
    COMMAND="HSET hash:__rand_int__ field:__rand_int__ value" RANGE=100000 workload "aof-$fsync" "$n" hset_aof -c 50 -P 1
    workload "aof-$fsync" "$n" set -c 50 -P 1
  done
  SERVER_ARGS=()
}

# eviction_workloads N: SET at the memory limit (maxmemory 64mb, allkeys-lru, already full, so every write of a
# new key evicts one), from 50 connections.
eviction_workloads() {
  local n=$1 name
  stop_server embedis
  stop_server redis
  SERVER_ARGS=(--maxmemory 64mb --maxmemory-policy allkeys-lru)
  start_server embedis
  start_server redis
  for name in embedis redis; do
    redis-benchmark -p "${PORT[$name]}" -t set -n 1000000 -r 100000000 -d 100 -c 50 -P 16 -q >/dev/null 2>&1
  done
  COMMAND="SET key:__rand_int__ 0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789" \
    RANGE=100000000 workload "evict-64mb" "$n" set_evicting -c 50 -P 1
  SERVER_ARGS=()
}

# type_workloads LABEL N ARGS...: the hash, set and sorted-set commands of our users' patterns, on data loaded
# into both servers first: 10,000 hashes of 10 fields, 10,000 sets of 10 members, a 1,000-member leaderboard.
type_workloads() {
  local label=$1 n=$2
  shift 2
  local name
  for name in embedis redis; do
    load "$name" hashes 10000
    load "$name" sets 10000
    load "$name" one_zset 1000
  done
  workload "$label" "$n" hset,sadd,zadd "$@"
  COMMAND="HGET hash:__rand_int__ field:5" RANGE=10000 workload "$label" "$n" hget "$@"
  COMMAND="HGETALL hash:__rand_int__" RANGE=10000 workload "$label" "$n" hgetall "$@"
  COMMAND="SISMEMBER set:__rand_int__ member:000000000005" RANGE=10000 workload "$label" "$n" sismember "$@"
  COMMAND="ZSCORE lb member:__rand_int__" RANGE=1000 workload "$label" "$n" zscore "$@"
  COMMAND="ZRANGE lb 0 9 WITHSCORES" workload "$label" "$n" zrange_0_9_ws "$@"
  COMMAND="ZREVRANGE lb 0 9 WITHSCORES" workload "$label" "$n" zrevrange_ws "$@"
  # The sliding-window rate limiter: per-user windows of timestamps.
  COMMAND="ZADD win:__rand_int__ __rand_int__ __rand_int__" RANGE=1000 workload "$label" "$n" win_zadd "$@"
  COMMAND="ZREMRANGEBYSCORE win:__rand_int__ -inf 1000" RANGE=1000 workload "$label" "$n" win_zremrange "$@"
  COMMAND="ZCARD win:__rand_int__" RANGE=1000 workload "$label" "$n" win_zcard "$@"
}

# now_ms: wall clock in milliseconds.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# bgsave_ms NAME: one BGSAVE, from the command to rdb_bgsave_in_progress:0, in ms (polled every 5 ms).
bgsave_ms() {
  local port=${PORT[$1]} start
  start=$(now_ms)
  redis-cli -p "$port" bgsave >/dev/null
  until redis-cli -p "$port" info persistence | grep -q '^rdb_bgsave_in_progress:0'; do sleep 0.005; done
  redis-cli -p "$port" info persistence | grep -q '^rdb_last_bgsave_status:ok' || { echo "BGSAVE failed on $1" >&2; exit 1; }
  echo $(($(now_ms) - start))
}

# restart_ms NAME: stop the server, start it again in the same directory (it loads dump.rdb), time to PONG.
restart_ms() {
  local name=$1 port=${PORT[$1]} dir=$WORK/$1 start
  stop_server "$name"
  start=$(now_ms)
  case $name in
    embedis) (cd "$dir" && exec "$EMBEDIS_BIN" --port "$port" --bind 127.0.0.1 --save "") >"$dir/log" 2>&1 & ;;
    redis) (cd "$dir" && exec redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no) >"$dir/log" 2>&1 & ;;
  esac
  PID[$name]=$!
  until [[ $(redis-cli -p "$port" ping 2>/dev/null) == PONG ]]; do sleep 0.002; done
  echo $(($(now_ms) - start))
}

# rdb_dataset LABEL GENERATOR COUNT: both servers loaded with the same data; per round, BGSAVE time and the
# time to first PONG of a restart that loads the file; file sizes.
rdb_dataset() {
  local label=$1 gen=$2 count=$3 name round order
  for name in embedis redis; do
    [[ -n ${PID[$name]:-} ]] && stop_server "$name"
    rm -rf "${WORK:?}/$name"
    SERVER_ARGS=(--save "")
    start_server "$name"
    "$gen" "$count" | redis-cli -p "${PORT[$name]}" --pipe >/dev/null
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order="embedis redis"; else order="redis embedis"; fi
    for name in $order; do
      bgsave_ms "$name" >>"$WORK/rdb.$label.save.$name"
      restart_ms "$name" >>"$WORK/rdb.$label.load.$name"
    done
  done
  local es rs el rl ef rf
  es=$(median <"$WORK/rdb.$label.save.embedis"); rs=$(median <"$WORK/rdb.$label.save.redis")
  el=$(median <"$WORK/rdb.$label.load.embedis"); rl=$(median <"$WORK/rdb.$label.load.redis")
  ef=$(stat -c %s "$WORK/embedis/dump.rdb"); rf=$(stat -c %s "$WORK/redis/dump.rdb")
  RDB_ROWS+=("$(awk -v l="$label" -v es="$es" -v rs="$rs" -v el="$el" -v rl="$rl" -v ef="$ef" -v rf="$rf" 'BEGIN {
    printf "%-24s bgsave %6d ms vs %6d ms (x%.2f)  load %6d ms vs %6d ms (x%.2f)  file %10d vs %10d (x%.3f)",
      l, es, rs, es / rs, el, rl, el / rl, ef, rf, ef / rf }')")
  echo "${RDB_ROWS[-1]}" >&2
}

# p99_get NAME BUSY: GET p99 (ms) from redis-benchmark; with BUSY=1 during one BGSAVE, started just before and
# slowed (rdb-key-save-delay -10: a 1 µs sleep every 10 keys on average) so that it lasts the whole run.
p99_get() {
  local name=$1 busy=$2 port=${PORT[$1]}
  if ((busy)); then
    redis-cli -p "$port" config set rdb-key-save-delay -10 >/dev/null
    redis-cli -p "$port" bgsave >/dev/null
  fi
  redis-benchmark -h 127.0.0.1 -p "$port" -t get -r 1000000 -n "$N_P1" -c 50 --csv 2>/dev/null \
    | awk -F'"' 'NR == 2 { print $14 }'
  if ((busy)); then
    redis-cli -p "$port" info persistence | grep -q '^rdb_bgsave_in_progress:1' \
      || echo "warning: the BGSAVE of $name ended before the benchmark did" >&2
    redis-cli -p "$port" config set rdb-key-save-delay 0 >/dev/null
  fi
  until redis-cli -p "$port" info persistence | grep -q '^rdb_bgsave_in_progress:0'; do sleep 0.05; done
}

# dump_restore_cpu NAME: server CPU (µs) per DUMP + RESTORE REPLACE of the 10,000-member sorted set `lb`.
dump_restore_cpu() {
  local name=$1 before after
  before=$(cpu_ticks "${PID[$name]}")
  python3 - "${PORT[$name]}" 200 <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port)); f = s.makefile("rb")
def cmd(*args):
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    line = f.readline()
    if line[:1] == b"$":
        data = f.read(int(line[1:]) + 2)[:-2]
        return data
    if line[:1] == b"-": raise SystemExit(line)
    return line
for _ in range(n):
    payload = cmd(b"DUMP", b"lb")
    cmd(b"RESTORE", b"lb", b"0", payload, b"REPLACE")
PY
  after=$(cpu_ticks "${PID[$name]}")
  awk -v t=$((after - before)) -v hz="$CLK_TCK" 'BEGIN { printf "%.0f\n", t / hz / 200 * 1e6 }'
}

rdb_workloads() {
  RDB_ROWS=()
  rdb_dataset "$MEM_KEYS small strings" string_keys "$MEM_KEYS"
  local name round order
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order="embedis redis"; else order="redis embedis"; fi
    for name in $order; do
      p99_get "$name" 0 >>"$WORK/p99.idle.$name"
      p99_get "$name" 1 >>"$WORK/p99.busy.$name"
    done
  done
  for name in embedis redis; do
    RDB_ROWS+=("$(printf '%-8s GET p99 %s ms idle, %s ms during a BGSAVE' "$name" \
      "$(median <"$WORK/p99.idle.$name")" "$(median <"$WORK/p99.busy.$name")")")
    echo "${RDB_ROWS[-1]}" >&2
  done
  rdb_dataset "$((100000 / scale)) hashes of 10 fields" hashes $((100000 / scale))
  for name in embedis redis; do
    redis-cli -p "${PORT[$name]}" flushall >/dev/null
    one_zset 10000 | redis-cli -p "${PORT[$name]}" --pipe >/dev/null
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order="embedis redis"; else order="redis embedis"; fi
    for name in $order; do dump_restore_cpu "$name" >>"$WORK/dr.$name"; done
  done
  local e r
  e=$(median <"$WORK/dr.embedis"); r=$(median <"$WORK/dr.redis")
  RDB_ROWS+=("$(awk -v e="$e" -v r="$r" 'BEGIN { printf "DUMP+RESTORE of a 10000-member zset: %d us vs %d us CPU (x%.2f)", e, r, e / r }')")
  echo "${RDB_ROWS[-1]}" >&2
}

main() {
  if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    log "building $EMBEDIS_BIN"
    cargo build --release --bin embedis-server --example tx_bench --example pubsub_bench
  fi
  [[ -x $EMBEDIS_BIN ]] || { echo "no $EMBEDIS_BIN" >&2; exit 1; }
  log "QUICK=$QUICK rounds=$ROUNDS n: P1=$N_P1 P16=$N_P16 c500=$N_C500, memory keys=$MEM_KEYS, CLK_TCK=$CLK_TCK"
  redis-server --version >&2

  start_server embedis
  start_server redis
  local header
  header=$(printf "%-14s %-16s %12s %12s %8s %10s %10s %8s" workload test "embedis_rps" "redis_rps" "rps_x" \
    "e_us/req" "r_us/req" "cpu_x")
  echo "$header" >&2
  if [[ $SUITE == all || $SUITE == strings ]]; then
    workload "c50-P1" "$N_P1" get,set,incr,mset -c 50 -P 1
    workload "c50-P16" "$N_P16" get,set,incr,mset -c 50 -P 16
    workload "c500-P1" "$N_C500" get -c 500 -P 1
  fi
  if [[ $SUITE == all || $SUITE == types ]]; then
    type_workloads "c50-P1" "$N_P1" -c 50 -P 1
    type_workloads "c50-P16" "$N_P16" -c 50 -P 16
  fi
  if [[ $SUITE == all || $SUITE == lists ]]; then
    workload "c50-P1" "$N_P1" lpush,rpush,lpop,rpop,lrange_100,lrange_600 -c 50 -P 1
    workload "c50-P16" "$N_P16" lpush,rpush,lpop,rpop -c 50 -P 16
  fi
  if [[ $SUITE == all || $SUITE == scripting ]]; then
    tx_workload "c50-tx" "$((N_P1 / 2))"
    script_workloads "c50-P1" "$N_P1" -c 50 -P 1
  fi
  if [[ $SUITE == all || $SUITE == pubsub ]]; then
    pubsub_workloads "$N_P1"
  fi
  if [[ $SUITE == all || $SUITE == aof ]]; then
    aof_workloads "$N_P1"
  fi
  if [[ $SUITE == all || $SUITE == eviction ]]; then
    eviction_workloads "$N_P1"
  fi
  if [[ $SUITE == all || $SUITE == rdb ]]; then
    rdb_workloads
  fi
  # Sanity: the same commands must have built keyspaces of about the same size.
  log "DBSIZE after the workloads: embedis $(redis-cli -p "${PORT[embedis]}" dbsize)," \
    "redis $(redis-cli -p "${PORT[redis]}" dbsize)"
  stop_server embedis
  stop_server redis

  # Fresh servers for each memory test, so the benchmarks' keys and allocator history do not count.
  MEMORY=()
  if [[ $SUITE == all || $SUITE == strings ]]; then
    memory_test "$MEM_KEYS keys with 32-byte values" string_keys "$MEM_KEYS"
  fi
  if [[ $SUITE == all || $SUITE == types ]]; then
    memory_test "$((100000 / scale)) hashes of 10 fields" hashes $((100000 / scale))
    memory_test "$((100000 / scale)) sets of 10 members" sets $((100000 / scale))
    memory_test "one sorted set of $((1000000 / scale)) members" one_zset $((1000000 / scale))
  fi
  if [[ $SUITE == all || $SUITE == lists ]]; then
    memory_test "$((100000 / scale)) lists of 100 small elements" lists $((100000 / scale))
  fi

  echo
  echo "Summary (medians of $ROUNDS alternating runs; ratios are embedis/redis; -r $KEYSPACE; QUICK=$QUICK)"
  echo "rps_x: throughput ratio (higher is better). cpu_x: server CPU per request ratio (target <= 1.0)."
  echo "$header"
  printf '%s\n' "${ROWS[@]}"
  echo
  printf '%s\n' "${MEMORY[@]}"
  if [[ ${#RDB_ROWS[@]} -gt 0 ]]; then
    echo
    echo "RDB (embedis vs redis, medians of $ROUNDS alternating rounds; targets: bgsave, load <= 1.0x, file <= 1.02x)"
    printf '%s\n' "${RDB_ROWS[@]}"
  fi
}

main "$@"
