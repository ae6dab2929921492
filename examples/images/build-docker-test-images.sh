#!/bin/sh
# Builds the images the Docker runtime's tests start, from the host's files on an empty base, so
# no registry is needed:
#
#   archipel-test/busybox:latest  busybox-static (the host's /bin/busybox). Its entrypoint:
#     - runs `sh -c "$CMD"` in place of itself when the environment variable CMD is set and not
#       empty (tests choose a workload's behaviour through its metadata, e.g. CMD="exit 3");
#     - otherwise idles until SIGTERM, then exits 0 within a second.
#   mcilloni/sipp-server:latest, mcilloni/sipp-client:latest  the root filesystem sipp-rootfs.sh
#     makes (the host's sipp with its libraries, busybox-static, the entrypoints of
#     examples/images/native/sipp-*/): the same files as the native images, so the thesis's
#     NSD (examples/sipp/nsd.json) runs the same on both runtimes.
#
# Idempotent: an image that already carries its version label is left alone. Bump an image's
# version whenever it changes, so older builds are replaced.
set -eu

LABEL=archipel.test-image-version
here=$(cd "$(dirname "$0")" && pwd)

current() {
    docker image inspect --format "{{ index .Config.Labels \"$LABEL\" }}" "$1" 2>/dev/null || true
}

need() {
    if [ ! -x "$1" ]; then
        echo "build-docker-test-images: $1 not found ($2)" >&2
        exit 1
    fi
}

# build IMAGE DIR: the legacy builder (no BuildKit: nothing to fetch) warns that it is
# deprecated, so its output shows only when it fails.
build() {
    if ! out=$(DOCKER_BUILDKIT=0 docker build --quiet --tag "$1" "$2" 2>&1); then
        echo "$out" >&2
        exit 1
    fi
}

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

BUSYBOX=archipel-test/busybox:latest
BUSYBOX_VERSION=2
if [ "$(current "$BUSYBOX")" != "$BUSYBOX_VERSION" ]; then
    need /bin/busybox "install busybox-static"
    mkdir "$dir/busybox"
    cp /bin/busybox "$dir/busybox/busybox"
    cat >"$dir/busybox/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL $LABEL=$BUSYBOX_VERSION
ENTRYPOINT ["/bin/sh", "-c", "if [ -n \"\$CMD\" ]; then exec sh -c \"\$CMD\"; fi; trap 'exit 0' TERM; while true; do sleep 1; done"]
EOF
    build "$BUSYBOX" "$dir/busybox"
fi

SIPP_VERSION=2
for role in server client; do
    image=mcilloni/sipp-$role:latest
    if [ "$(current "$image")" = "$SIPP_VERSION" ]; then
        continue
    fi
    ctx=$dir/sipp-$role
    mkdir -p "$ctx"
    # The same root filesystem as the native image's (build-native-images.sh).
    sh "$here/sipp-rootfs.sh" "$here/native/sipp-$role/entrypoint.sh" "$ctx/root"
    cat >"$ctx/Dockerfile" <<EOF
FROM scratch
COPY root/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
LABEL $LABEL=$SIPP_VERSION
ENTRYPOINT ["/bin/sh", "/entrypoint.sh"]
EOF
    build "$image" "$ctx"
done
