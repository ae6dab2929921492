#!/usr/bin/env bash
# Runs the benchmarks (release build) and prints each figure beside its anchor. Called by
# scripts/test.sh after the tests; can be run alone with the suites to run as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_rust
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(pop native memory diminet dataplane nfvo split auth)
say "benchmarks (${suites[*]}), release build"
cargo build --release --quiet -p archipel-cli -p archipel-bench
mkdir -p bench/results
"$CARGO_TARGET_DIR/release/archipel-bench" "$CARGO_TARGET_DIR/release/archipel" "${suites[@]}" \
    | tee bench/results/latest.md
