#!/usr/bin/env bash
# Runs the benchmarks (release build) and prints each figure beside its anchor. Called by
# scripts/test.sh after the tests; can be run alone with the suites to run as arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_rust
# Suites as arguments; --full asks the suites that have one for their long run (tls).
flags=()
suites=()
for arg in "$@"; do
    case $arg in
        --*) flags+=("$arg") ;;
        *) suites+=("$arg") ;;
    esac
done
[ ${#suites[@]} -gt 0 ] || suites=(pop native memory diminet dataplane nfvo split tls auth exec heal scripts model swarm)
say "benchmarks (${suites[*]}), release build"
cargo build --release --quiet -p archipel-cli -p archipel-bench
mkdir -p bench/results
"$CARGO_TARGET_DIR/release/archipel-bench" "$CARGO_TARGET_DIR/release/archipel" "${suites[@]}" "${flags[@]}" \
    | tee bench/results/latest.md
