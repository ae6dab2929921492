#!/bin/sh
# Installs the example images of the native runtime (examples/images/native/*) into an image
# catalogue: build-native-images.sh IMAGES_DIR (popd's --images-dir). Each image directory is
# copied whole, replacing an older copy; `archipel pop image import DIR` does the same for one
# image through a running popd.
#
# Native images use the host's programs: busybox-static for archipel-test/busybox (echo/), sipp
# for mcilloni/sipp-server and mcilloni/sipp-client. A missing program is reported; the images
# are installed anyway (they fail at start until it is installed).
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
command -v sipp >/dev/null 2>&1 || echo "build-native-images: sipp not found (apt-get install sipp)" >&2

mkdir -p "$dest"
for image in "$src"/*/; do
    name=$(basename "$image")
    staging="$dest/.import-$name-$$"
    rm -rf "$staging"
    cp -R "$image" "$staging"
    rm -rf "$dest/$name"
    mv "$staging" "$dest/$name"
    echo "installed $(sed -n 's/^name = "\(.*\)"$/\1/p' "$image/manifest.toml") in $dest/$name"
done
