#!/usr/bin/env bash
# The fault suite's long mode: the same tests as in CI, with many more rounds, then the
# cargo-fuzz targets for 10 minutes each, and the REST fuzzer with new seeds (CI uses one). Not
# in CI.
#   scripts/soak.sh            200 rounds of each fault test
#   ROUNDS=50 NEMESIS_SECS=600 FUZZ_SECONDS=60 scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ "$(id -u)" -eq 0 ] || { echo "run as root: the fault tests use namespaces and Docker" >&2; exit 1; }
need_packages
need_rust
need_dockerd
bash examples/images/build-docker-test-images.sh
export PROTOC=/nonexistent/protoc
export ARCHIPEL_FAULT_ROUNDS="${ROUNDS:-200}"
say "fault suite, $ARCHIPEL_FAULT_ROUNDS rounds each"
cargo nextest run -p archipel-cli --test pop_api --run-ignored all --no-capture \
    --profile soak -E 'test(/^fault_/)' 2>&1 | grep -E '^fault |PASS|FAIL'
say "the nemesis, ${NEMESIS_SECS:-1800} s of faults"
ARCHIPEL_NEMESIS_SECS="${NEMESIS_SECS:-1800}" cargo nextest run -p archipel-cli --test lab \
    --run-ignored all --no-capture --profile soak -E 'test(/^nemesis::/)' 2>&1 \
    | grep -E '^fault |^nemesis seed|PASS|FAIL'
say "fuzzing the parsers, 10 minutes a target"
FUZZ_SECONDS="${FUZZ_SECONDS:-600}" FUZZ_RELEASE=1 bash scripts/fuzz.sh
say "fuzzing the NFVO REST API, ${FUZZ_NFVO_RUNS:-5} runs of new seeds"
for _ in $(seq "${FUZZ_NFVO_RUNS:-5}"); do
    FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-100}" bash scripts/fuzz-nfvo.sh
done
