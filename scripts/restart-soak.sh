#!/usr/bin/env bash
# The restart-equivalence harness at length: many seeds, longer workloads (the bounded run is in `cargo test`).
# Usage: scripts/restart-soak.sh [seeds] [commands-per-phase] [first-seed]
set -euo pipefail
cd "$(dirname "$0")/.."
RESTART_SEEDS="${1:-200}" RESTART_COMMANDS="${2:-1000}" RESTART_SEED="${3:-1000}" \
  cargo test --release --test tests -- restart_equivalence --nocapture
