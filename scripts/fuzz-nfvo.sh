#!/usr/bin/env bash
# Fuzzes the NFVO's REST API with Schemathesis (PyPI `schemathesis`) against its own OpenAPI
# document: a real `archipel nfvo` on a free loopback port with a throw-away data directory
# and no sites, so nothing leaves the machine. POST /sites is excluded: registering a site
# makes the NFVO connect to the URL it is given; so are the logout, which would end the
# fuzzer's own session, and the removal of users, since the fuzzer learns its own name from
# the user list and removes itself (every call after it would be refused, 401; the accounts
# tests cover the removal). The fuzzer calls as the first admin (its token in every request; the
# login throttle made short). Onboarding (in one step or two) is spared the check that every
# schema-valid body is accepted: an NSD is also checked for what no schema says (links,
# dependencies and their cycles), and refused with 400 and the place of the fault; so is a VNF
# package's upload, whose bytes must be an Open Baton package's tar, and a subscription, whose
# callback must be a URL the NFVO can call (RFC 3986 allows `https://a.0/`, which no HTTP client
# can reach: a host whose last label is a number is read as an IPv4 address) and that answers
# the NFVO's test (a GET answered 204), which no generated URL does.
#
# Bounded: FUZZ_EXAMPLES test cases per operation (default 25), FUZZ_SEED for a reproducible
# run. First checks the document with openapi-spec-validator. Installs both tools from PyPI into
# a virtual environment of the project's when missing; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

venv=/var/tmp/archipel-fuzz-venv
# Pinned: a new Schemathesis brings new checks, and CI must not change under a fixed seed.
need_venv "$venv" schemathesis==4.32.5 openapi-spec-validator
st="$venv/bin/st"

cargo build --quiet -p archipel-cli --bin archipel
dir=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT

mkfifo "$dir/out"
password=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
NFVO_ADMIN="fuzz:$password" "$CARGO_TARGET_DIR/debug/archipel" nfvo --listen 127.0.0.1:0 \
    --data-dir "$dir/data" --login-delay 1 --login-delay-max 10 --insecure \
    >"$dir/out" 2>"$dir/nfvo.log" &
pid=$!
addr=
while read -r line; do
    case $line in "listening on "*) addr=${line#listening on }; break ;; esac
done <"$dir/out"
# Keep draining stdout so the daemon never blocks on it.
cat "$dir/out" >/dev/null &
if [ -z "$addr" ]; then
    echo "fuzz-nfvo: the nfvo did not start:" >&2
    cat "$dir/nfvo.log" >&2
    exit 1
fi

say "validating the OpenAPI document"
"$venv/bin/python" -c 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())' \
    "http://$addr/openapi.json" >"$dir/openapi.json"
"$venv/bin/openapi-spec-validator" "$dir/openapi.json"

token=$(PASSWORD="$password" "$venv/bin/python" -c '
import json, os, sys, urllib.request
body = json.dumps({"username": "fuzz", "password": os.environ["PASSWORD"]}).encode()
request = urllib.request.Request(sys.argv[1], body, {"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(request))["token"])' "http://$addr/auth/v1/login")

cat >"$dir/schemathesis.toml" <<'TOML'
# A body over its limit is refused with 413 before it is read, whatever else is wrong with it.
[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429"]

[[operations]]
include-operation-id = "onboardNsd"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-operation-id = "uploadNsdContent"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-operation-id = "uploadVnfPackageContent"
checks.positive_data_acceptance.enabled = false

# A callback must answer the test (a GET, 204), and a PM job or threshold name an NS instance.
[[operations]]
include-operation-id = ["createSubscription", "createNsdSubscription", "createFmSubscription", "createPkgmSubscription", "createPmJob", "createThreshold", "modifyPmJob", "modifyThreshold"]
checks.positive_data_acceptance.enabled = false

# A collection's filter and selectors are strings to the schema, and are refused (400) when
# they name an attribute the resource lacks or are not SOL013's syntax.
[[operations]]
include-operation-id = ["listNsds", "listNsInstances", "listNsLcmOpOccs", "listVnfPackages", "listSubscriptions", "listNsdSubscriptions", "listFmSubscriptions", "listPkgmSubscriptions", "listAlarms", "listPmJobs", "listThresholds"]
checks.positive_data_acceptance.enabled = false

# An update's keys become environment variables, a rule the schema does not spell.
[[operations]]
include-operation-id = "updateNs"
checks.positive_data_acceptance.enabled = false

# A change against a stale ETag is refused whatever its body.
[[operations]]
include-operation-id = ["modifyNsd", "modifyVnfPackage", "modifyAlarm"]
checks.positive_data_acceptance.expected-statuses = ["2xx", "401", "403", "404", "409", "412"]
TOML

seed=()
[ -n "${FUZZ_SEED:-}" ] && seed=(--seed "$FUZZ_SEED")
"$st" --config-file "$dir/schemathesis.toml" run "http://$addr/openapi.json" \
    --exclude-operation-id addSite \
    --exclude-operation-id logout \
    --exclude-operation-id removeUser \
    --header "Authorization: Bearer $token" \
    --max-examples "${FUZZ_EXAMPLES:-25}" \
    --generation-database none \
    --workers 1 \
    --report-dir "$dir/report" \
    --no-color \
    "${seed[@]}" || {
    status=$?
    echo "fuzz-nfvo: failures found; the nfvo's log:" >&2
    tail -n 50 "$dir/nfvo.log" >&2
    exit "$status"
}
