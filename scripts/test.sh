#!/usr/bin/env bash
# The README's test command: installs what is missing, starts dockerd, builds the test images,
# then checks formatting and lints and runs every test (unit, integration, and the root/namespace
# and Docker tiers, which fail rather than skip when their requirement is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ "$(id -u)" -eq 0 ] || { echo "run as root: the tests create namespaces and use Docker" >&2; exit 1; }
need_packages
need_rust
need_dockerd
need_grpc_venv
bash examples/images/build-docker-test-images.sh

# The build needs no protoc: proto/pop.proto is compiled in Rust (protox). Pointing PROTOC at a
# program that does not exist proves it at every run.
export PROTOC=/nonexistent/protoc
say "cargo fmt --check"
cargo fmt --all --check
say "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
say "tests"
# Every tier: the tests that need root or Docker are ignored by a plain `cargo test` and run here
# too, where they fail when their need is missing.
if cargo nextest --version >/dev/null 2>&1; then
    # The ignored tests are exactly the tiers' groups in .config/nextest.toml (group() needs
    # nextest 0.9.133 or later), so `-E 'group(root)'` and the like select a whole tier.
    ignored=$(cargo nextest list --workspace --run-ignored only --message-format oneline)
    tiers=$(cargo nextest list --workspace --run-ignored all --message-format oneline \
        -E 'group(root) | group(docker) | group(docker-site)')
    if [ "$ignored" != "$tiers" ]; then
        echo "ignored tests and the tiers of .config/nextest.toml differ:" >&2
        diff <(echo "$ignored") <(echo "$tiers") >&2 || true
        exit 1
    fi
    cargo nextest run --workspace --no-fail-fast --run-ignored all
else
    cargo test --workspace --no-fail-fast -- --include-ignored
fi
say "fuzzing the NFVO REST API against its OpenAPI document"
# One fixed seed, so that a run of CI is reproducible; the soak tries new seeds.
FUZZ_SEED="${FUZZ_SEED:-12044945244753406369514058816328492243}" bash scripts/fuzz-nfvo.sh
say "fuzzing the parsers (cargo-fuzz, 60 s a target)"
bash scripts/fuzz.sh
bash scripts/bench.sh
