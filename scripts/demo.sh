#!/usr/bin/env bash
# The README's demo command: the main job on the embedded defaults (native runtime, SQLite, a
# local lab of sites). Two sites, each a network namespace with its own popd and inter-site
# agent; a network of site a extended to site b over VXLAN; a container at each site reaching
# the other; then the orchestrator launching the thesis's SIPp network service from its
# unchanged NSD, with the client configured with the server's address. Everything is removed
# at the end. Installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ "$(id -u)" -eq 0 ] || { echo "run as root: the lab creates network namespaces" >&2; exit 1; }
need_packages
need_rust

say "building archipel"
cargo build --quiet -p archipel-cli
archipel="$CARGO_TARGET_DIR/debug/archipel"

lab=$(mktemp -d /tmp/archipel-demo.XXXXXX)
export ARCHIPEL_LAB="$lab/lab.json"
nfvo_pid=""
cleanup() {
    if [ -n "$nfvo_pid" ]; then kill -TERM "$nfvo_pid" 2>/dev/null; wait "$nfvo_pid" 2>/dev/null || true; fi
    "$archipel" lab --dir "$lab" down >/dev/null 2>&1 || true
    rm -rf "$lab"
}
trap cleanup EXIT
site() { eval "$("$archipel" lab --dir "$lab" env "$1")"; }
wait_exit() { # NAME: until the container has ended
    for _ in $(seq 1 100); do
        case $("$archipel" pop servers "$1" -o json) in *'"EXITED"'*|*'"FAILED"'*) return 0 ;; esac
        sleep 0.2
    done
}

say "archipel lab up --sites 2: two sites, each a namespace with a popd and an agent"
"$archipel" lab --dir "$lab" up --sites 2 --name demo
sh examples/images/build-native-images.sh "$lab/images" >/dev/null
"$archipel" lab --dir "$lab" status

say "site a: a network, then an L2 extension of it to site b (VXLAN between the sites)"
site a
"$archipel" pop network create backbone --subnet 10.77.0.0/24 -o table
"$archipel" intersite create --type l2 --name backbone --resource a:backbone --resource b:backbone -o table

say "a container at each site on the extended network (disjoint address pools)"
"$archipel" pop spawn image=archipel-test/busybox:latest name=edge-a net=backbone -o table
site b
"$archipel" pop spawn image=archipel-test/busybox:latest name=edge-b net=backbone -o table
addr_b=$("$archipel" pop servers edge-b -o json | grep -oE '"10\.77\.0\.[0-9]+"' | head -n1 | tr -d '"')

say "from site a, a probe container pings edge-b ($addr_b) across the sites"
site a
"$archipel" pop create image=archipel-test/busybox:latest name=probe net=backbone >/dev/null
"$archipel" pop md set probe "CMD=ping -c 3 $addr_b" >/dev/null
"$archipel" pop start probe >/dev/null
wait_exit probe
"$archipel" pop logs probe
"$archipel" pop servers probe -o table

say "the orchestrator: site a registered, the thesis's SIPp NSD onboarded unchanged and launched"
"$archipel" nfvo --listen 127.0.0.1:0 --data-dir "$lab/nfvo" >"$lab/nfvo.out" 2>"$lab/nfvo.log" &
nfvo_pid=$!
for _ in $(seq 1 100); do grep -q '^listening on ' "$lab/nfvo.out" && break; sleep 0.1; done
export ARCHIPEL_ENDPOINT="http://$(sed -n 's/^listening on //p' "$lab/nfvo.out" | head -n1)"
"$archipel" site add a --pop "$POP_ENDPOINT" --auth "$POP_AUTH" -o table
"$archipel" ns onboard examples/sipp/nsd.json -o table
"$archipel" ns launch docker-test-NS-sipp --wait -o table
client=$("$archipel" pop servers -o json | grep -o '"sipp-client-[^"]*"' | head -n1 | tr -d '"')
say "the client's metadata, resolved by the VNF manager (SERVER_PRIVATE is the server's address)"
"$archipel" pop md get "$client"
"$archipel" pop servers -o table

ns=$("$archipel" ns ls -o json | grep -o '"id": *"[^"]*"' | head -n1 | sed 's/.*"\([^"]*\)"$/\1/')
say "terminate the network service, remove the containers and the extension, take the lab down"
"$archipel" ns terminate "$ns" --wait -o table
site b
"$archipel" pop rm edge-b >/dev/null
site a
"$archipel" pop rm edge-a probe >/dev/null
service=$("$archipel" intersite ls -o json | grep -o '"global_id": *"[^"]*"' | head -n1 | sed 's/.*"\([^"]*\)"$/\1/')
[ -n "$service" ] && "$archipel" intersite rm "$service" >/dev/null
"$archipel" lab --dir "$lab" down
say "done: nothing of the demo is left (ip netns ls shows no namespace of it)"
