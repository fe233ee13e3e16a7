#!/usr/bin/env bash
# The command differential fuzzer at length (the bounded run is in `cargo test`): seeds x commands per seed.
# Usage: scripts/command-fuzz.sh [seeds] [commands-per-seed] [first-seed]
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SEEDS="${1:-500}" FUZZ_COMMANDS="${2:-5000}" FUZZ_SEED="${3:-1000}" \
  cargo test --release --test tests -- command_fuzz --nocapture
