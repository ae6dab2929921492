#!/usr/bin/env bash
# The README's demo command. Today's main job: a popd on the Docker Engine, the thesis's
# example container spawned with `archipel pop spawn`, shown, configured and removed.
# Installs what is missing and starts dockerd when none answers.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ "$(id -u)" -eq 0 ] || { echo "run as root: popd drives the Docker Engine" >&2; exit 1; }
need_packages
need_rust
need_dockerd
bash examples/images/build-docker-test-images.sh

say "building archipel"
cargo build --quiet -p archipel-cli
archipel="$CARGO_TARGET_DIR/debug/archipel"

data=$(mktemp -d /tmp/archipel-demo.XXXXXX)
export POPD_AUTH="demo:$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export POP_AUTH="$POPD_AUTH"
popd_pid=""
cleanup() {
    "$archipel" pop rm demo-busybox >/dev/null 2>&1 || true
    if [ -n "$popd_pid" ]; then kill -TERM "$popd_pid" 2>/dev/null; wait "$popd_pid" 2>/dev/null || true; fi
    docker network rm demo-private >/dev/null 2>&1 || true
    rm -rf "$data"
}
trap cleanup EXIT

say "starting popd (Docker runtime, data in $data)"
"$archipel" popd --runtime docker --listen 127.0.0.1:0 --data-dir "$data" --name demo \
    --default-network demo-private --default-subnet 172.31.250.0/24 >"$data/stdout" 2>"$data/popd.log" &
popd_pid=$!
for _ in $(seq 1 100); do
    grep -q '^listening on ' "$data/stdout" 2>/dev/null && break
    sleep 0.1
done
addr=$(sed -n 's/^listening on //p' "$data/stdout" | head -n1)
[ -n "$addr" ] || { cat "$data/popd.log" >&2; exit 1; }
export POP_ENDPOINT="http://$addr"

say "archipel pop info"
"$archipel" pop info
say "archipel pop create image=archipel-test/busybox:latest name=demo-busybox (CREATED, nothing runs)"
"$archipel" pop create image=archipel-test/busybox:latest name=demo-busybox
say "archipel pop md set demo-busybox GREETING=hello SERVICE=demo"
"$archipel" pop md set demo-busybox GREETING=hello SERVICE=demo
"$archipel" pop md get demo-busybox
say "archipel pop start demo-busybox"
"$archipel" pop start demo-busybox
say "archipel pop servers --output table"
"$archipel" pop servers --output table
say "the metadata is the workload's environment: docker exec demo-busybox env"
docker exec demo-busybox env | grep -E '^(GREETING|SERVICE)='
say "archipel pop rm demo-busybox"
"$archipel" pop rm demo-busybox
"$archipel" pop servers --output table
say "done: nothing of the demo is left in Docker"
