#!/bin/sh
# Builds archipel-test/busybox:latest, the image the Docker runtime's tests start: busybox-static
# (from the host's /bin/busybox) on an empty base, so no registry is needed.
#
# Its entrypoint:
#   - runs `sh -c "$CMD"` in place of itself when the environment variable CMD is set and not
#     empty (tests choose a workload's behaviour through its metadata, e.g. CMD="exit 3");
#   - otherwise idles until SIGTERM, then exits 0 within a second.
#
# Idempotent: exits 0 at once when the image already carries this script's version label. Bump
# VERSION whenever the image changes, so older builds are replaced.
set -eu

IMAGE=archipel-test/busybox:latest
VERSION=2
LABEL=archipel.test-image-version

current=$(docker image inspect --format "{{ index .Config.Labels \"$LABEL\" }}" "$IMAGE" 2>/dev/null || true)
if [ "$current" = "$VERSION" ]; then
    exit 0
fi

busybox=/bin/busybox
if [ ! -x "$busybox" ]; then
    echo "build-docker-test-images: $busybox not found (install busybox-static)" >&2
    exit 1
fi

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$busybox" "$dir/busybox"
cat >"$dir/Dockerfile" <<EOF
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
LABEL $LABEL=$VERSION
ENTRYPOINT ["/bin/sh", "-c", "if [ -n \"\$CMD\" ]; then exec sh -c \"\$CMD\"; fi; trap 'exit 0' TERM; while true; do sleep 1; done"]
EOF

# The legacy builder (no BuildKit: nothing to fetch) warns that it is deprecated: show its output
# only when it fails.
if ! out=$(DOCKER_BUILDKIT=0 docker build --quiet --tag "$IMAGE" "$dir" 2>&1); then
    echo "$out" >&2
    exit 1
fi
