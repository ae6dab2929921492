#!/bin/sh
# The root filesystem of a SIPp image (mcilloni/sipp-server or mcilloni/sipp-client), made from
# the host's files: busybox-static (the shell, `ip`, `awk` and its other applets as links),
# /usr/bin/sipp with the libraries `ldd` names and the dynamic loader, and ENTRYPOINT as
# /entrypoint.sh. The Docker images (build-docker-test-images.sh) and the native ones
# (build-native-images.sh, and `archipel demo`, which embeds this script) are all made by it,
# so one set of files serves both runtimes.
#
# Usage: sipp-rootfs.sh ENTRYPOINT ROOTFS   (ROOTFS is made; it must not exist)
set -eu

if [ $# -ne 2 ]; then
    echo "usage: sipp-rootfs.sh ENTRYPOINT ROOTFS" >&2
    exit 2
fi
entry=$1
root=$2
for need in /bin/busybox:busybox-static /usr/bin/sipp:sipp; do
    if [ ! -x "${need%%:*}" ]; then
        echo "sipp-rootfs: ${need%%:*} not found (apt-get install ${need#*:})" >&2
        exit 1
    fi
done
if [ -e "$root" ]; then
    echo "sipp-rootfs: $root exists" >&2
    exit 1
fi
mkdir -p "$root/bin" "$root/usr/bin" "$root/etc" "$root/tmp" "$root/proc" "$root/dev"
chmod 755 "$root" "$root/bin" "$root/usr" "$root/usr/bin" "$root/etc" "$root/proc" "$root/dev"
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
cp /usr/bin/sipp "$root/usr/bin/sipp"
# Every library with its path, and the loader (the line without "=>").
ldd /usr/bin/sipp | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
    while read -r lib; do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
cp "$entry" "$root/entrypoint.sh"
