#!/bin/sh
# Installs the example images of the native runtime (examples/images/native/*) into an image
# catalogue: build-native-images.sh IMAGES_DIR (popd's --images-dir). Each image directory is
# copied whole, replacing an older copy; `archipel pop image import DIR` does the same for one
# image through a running popd.
#
# archipel-test/busybox (echo/) runs the host's busybox-static in the host's files. The SIPp
# images (mcilloni/sipp-server, mcilloni/sipp-client) get a root filesystem of their own, made
# by sipp-rootfs.sh from the host's sipp and busybox-static, the same as their Docker twins'
# (build-docker-test-images.sh); they are isolated as any image with a root filesystem.
#
# Idempotent.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 IMAGES_DIR" >&2
    exit 2
fi
dest=$1
src=$(cd "$(dirname "$0")/native" && pwd)

[ -x /bin/busybox ] || echo "build-native-images: /bin/busybox not found (apt-get install busybox-static)" >&2

mkdir -p "$dest"
for image in "$src"/*/; do
    name=$(basename "$image")
    staging="$dest/.import-$name-$$"
    rm -rf "$staging"
    cp -R "$image" "$staging"
    case $name in
        sipp-*)
            if ! sh "$src/../sipp-rootfs.sh" "$image/entrypoint.sh" "$staging/rootfs"; then
                echo "build-native-images: $name skipped" >&2
                rm -rf "$staging"
                continue
            fi
            ;;
    esac
    rm -rf "$dest/$name"
    mv "$staging" "$dest/$name"
    echo "installed $(sed -n 's/^name = "\(.*\)"$/\1/p' "$image/manifest.toml") in $dest/$name"
done
