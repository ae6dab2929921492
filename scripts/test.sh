#!/usr/bin/env bash
# The README's test command: installs what is missing, starts dockerd, builds the test images,
# then checks formatting and lints and runs every test (unit, integration, root/namespace and
# Docker tests, which fail rather than skip when their requirement is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ "$(id -u)" -eq 0 ] || { echo "run as root: the tests create namespaces and use Docker" >&2; exit 1; }
need_packages
need_rust
need_dockerd
bash examples/images/build-docker-test-images.sh

# The build needs no protoc: proto/pop.proto is compiled in Rust (protox). Pointing PROTOC at a
# program that does not exist proves it at every run.
export PROTOC=/nonexistent/protoc
say "cargo fmt --check"
cargo fmt --all --check
say "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
say "tests"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --no-fail-fast
else
    cargo test --workspace --no-fail-fast
fi
say "fuzzing the NFVO REST API against its OpenAPI document"
bash scripts/fuzz-nfvo.sh
bash scripts/bench.sh
