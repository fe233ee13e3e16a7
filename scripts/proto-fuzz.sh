#!/usr/bin/env bash
# Long runs of the differential protocol fuzzer (tests/differential/protocol_fuzz.rs) against redis-server.
#   scripts/proto-fuzz.sh [cases] [seed]     e.g. scripts/proto-fuzz.sh 100000
# A failure prints its seed and case index; replay one case with PROTO_FUZZ_SEED=<seed> PROTO_FUZZ_CASE=<i>.
set -euo pipefail
cd "$(dirname "$0")/.."
export PROTO_FUZZ_CASES="${1:-100000}"
if [ -n "${2:-}" ]; then export PROTO_FUZZ_SEED="$2"; fi
exec cargo test --test tests -- differential::protocol_fuzz --nocapture
