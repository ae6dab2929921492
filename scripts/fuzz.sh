#!/usr/bin/env bash
# The cargo-fuzz targets (fuzz/fuzz_targets): the NSD parser, the CIDR/pool parsers and the
# subnet plan, the native image manifest, metadata to the environment. Each runs
# FUZZ_SECONDS (default 60, as in CI; scripts/soak.sh gives 600) from its corpus in
# fuzz/corpus/TARGET, which the repository keeps; new inputs the run finds go to a scratch
# copy, so a run never changes the checkout. Runs on stable Rust with `--sanitizer none`: the
# targets are safe Rust, where a panic, an overflow or a failed property is the finding. A
# crash leaves its input in fuzz/artifacts/TARGET and fails the script.
#   scripts/fuzz.sh                 every target, 60 s each
#   FUZZ_SECONDS=600 FUZZ_RELEASE=1 scripts/fuzz.sh nsd
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_rust
need_cargo_fuzz
seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(nsd subnet_plan manifest metadata_env)

# Its own target directory: the instrumented build shares nothing with the workspace's. The
# short runs (CI) build unoptimised, which builds in half the time; FUZZ_RELEASE=1 (the soak)
# builds optimised, for many more runs a second.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR%/}-fuzz"
mode=(--dev)
[ "${FUZZ_RELEASE:-0}" = 1 ] && mode=()
say "building the fuzz targets (instrumented${mode[*]:+, unoptimised})"
cargo fuzz build "${mode[@]}" --sanitizer none --fuzz-dir fuzz
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# The targets run side by side: each gets its FUZZ_SECONDS of wall time, the whole run no more.
say "fuzzing ${targets[*]} for ${seconds}s each, side by side"
pids=()
for target in "${targets[@]}"; do
    mkdir -p "$scratch/$target"
    cargo fuzz run "${mode[@]}" --sanitizer none --fuzz-dir fuzz "$target" "$scratch/$target" \
        "fuzz/corpus/$target" -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$scratch/$target.log" 2>&1 &
    pids+=($!)
done
failed=()
summary=()
for i in "${!targets[@]}"; do
    target=${targets[$i]}
    if ! wait "${pids[$i]}"; then
        tail -n 40 "$scratch/$target.log" >&2
        failed+=("$target")
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$target.log" | tail -n 1)
    summary+=("$target ${runs:-?} runs")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz targets crashed: ${failed[*]} (each input is in fuzz/artifacts/TARGET)" >&2
    exit 1
fi
say "fuzzing: ${#targets[@]} targets, ${seconds}s each, 0 crashes (${summary[*]})"
