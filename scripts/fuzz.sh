#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/) for a bounded time. Needs the nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`).
#   scripts/fuzz.sh [seconds per target] [target...]      e.g. scripts/fuzz.sh 300 resp_decode
# New inputs go to fuzz/corpus/<target> (not in git), seeded from fuzz/seeds/<target>; a crash is saved in
# fuzz/artifacts/<target> and stops the run. FUZZ_TARGET_DIR moves the build (default fuzz/target).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(resp_decode inline_split aof_parse config_parse)
fi
target_dir="${FUZZ_TARGET_DIR:-fuzz/target}"
for target in "${targets[@]}"; do
    mkdir -p "fuzz/corpus/$target"
    echo "== $target: ${seconds}s"
    # -malloc_limit_mb: an allocation sized by a length the input claims fails the run.
    cargo +nightly fuzz run --target-dir "$target_dir" "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
        -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 -malloc_limit_mb=256 -print_final_stats=1
done
