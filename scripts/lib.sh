# Shared by the README's two commands: install what is missing, start what is not running.
# Sourced, not run.

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# Debian packages the project needs at run time and in its tests.
need_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v ip >/dev/null || missing+=(iproute2)
    [ -x /bin/busybox ] || missing+=(busybox-static)
    command -v sipp >/dev/null || missing+=(sip-tester)
    command -v iperf3 >/dev/null || missing+=(iperf3)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    command -v cc >/dev/null || missing+=(gcc)
    command -v c++ >/dev/null || missing+=(g++)
    command -v python3 >/dev/null || missing+=(python3)
    command -v tcpdump >/dev/null || missing+=(tcpdump)
    command -v chromium >/dev/null || missing+=(chromium)
    command -v iptables-restore >/dev/null || missing+=(iptables)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# The Docker Engine answers, or is started here and waited for.
need_dockerd() {
    if docker info >/dev/null 2>&1; then return 0; fi
    say "starting dockerd (log: /var/log/archipel-dockerd.log)"
    nohup dockerd >/var/log/archipel-dockerd.log 2>&1 &
    for _ in $(seq 1 60); do
        docker info >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    echo "dockerd did not come up; see /var/log/archipel-dockerd.log" >&2
    return 1
}

need_rust() {
    if ! command -v cargo >/dev/null; then
        [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    fi
    command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; return 1; }
}

# cargo-fuzz (crates.io), for scripts/fuzz.sh; built once into ~/.cargo/bin.
need_cargo_fuzz() {
    if cargo fuzz --version >/dev/null 2>&1; then return 0; fi
    say "installing cargo-fuzz 0.13.2 from crates.io"
    cargo install --quiet --locked cargo-fuzz --version 0.13.2
}

# A Python virtual environment at $1 holding the PyPI packages $2...: one of the project's own,
# so the versions are the same on every machine. Made, or completed, when a package is missing.
need_venv() {
    local venv=$1
    shift
    # A pinned "name==version" must be there exactly; a bare name in any version.
    if [ -x "$venv/bin/python" ]; then
        local frozen spec missing=
        frozen=$("$venv/bin/pip" freeze 2>/dev/null | tr '[:upper:]_' '[:lower:]-')
        for spec in "$@"; do
            spec=$(echo "$spec" | tr '[:upper:]_' '[:lower:]-')
            case $spec in
            *==*) grep -qxF "$spec" <<<"$frozen" || missing=1 ;;
            *) grep -q "^$spec==" <<<"$frozen" || missing=1 ;;
            esac
        done
        [ -z "$missing" ] && return 0
    fi
    say "installing $* into $venv"
    python3 -m venv "$venv" 2>/dev/null || {
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv >/dev/null
        python3 -m venv "$venv"
    }
    "$venv/bin/pip" install --quiet "$@"
}

# The Python gRPC tools the thesis-client test generates its `vim_pop` client with.
export ARCHIPEL_GRPC_VENV=/var/tmp/archipel-grpc-venv
need_grpc_venv() { need_venv "$ARCHIPEL_GRPC_VENV" grpcio-tools; }

# One target directory shared by every checkout on this machine, so a fresh clone reuses what
# an earlier build compiled.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/archipel-target}"
