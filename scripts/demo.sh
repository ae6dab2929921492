#!/usr/bin/env bash
# The README's demo command: installs what is missing, builds `archipel` and runs `archipel demo`
# with this script's arguments (e.g. --keep; see `archipel demo --help`). The demo brings up a
# two-site lab on this machine (native runtime, no Docker needed), launches the thesis's SIPp
# network service from its NSD with the server on site a and the client on site b, shows SIPp's
# own counters of the calls and the NSR, and removes everything, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ "$(id -u)" -eq 0 ] || { echo "run as root: the lab creates network namespaces" >&2; exit 1; }
need_packages
need_rust

# ARCHIPEL_BIN: an `archipel` already built, used as it is (the demo's test runs this script
# with the binary under test).
archipel=${ARCHIPEL_BIN:-}
if [ -z "$archipel" ]; then
    say "building archipel"
    cargo build --quiet -p archipel-cli
    archipel="$CARGO_TARGET_DIR/debug/archipel"
fi
exec "$archipel" demo "$@"
