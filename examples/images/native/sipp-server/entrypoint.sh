# The thesis's server_start.sh without tmux: `sipp -sn uas` in the foreground, its screen in the
# container's log. It listens on the container's address on its first network (eth0), port
# 5060 (SIPP_PORT to change it), and answers every client until stopped.
set -eu
addr=$(ip -4 -o addr show dev eth0 scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
if [ -z "$addr" ]; then
    echo "sipp-server: eth0 has no IPv4 address" >&2
    exit 1
fi
echo "sipp-server: listening on $addr:${SIPP_PORT:-5060}"
exec sipp -sn uas -i "$addr" -p "${SIPP_PORT:-5060}" -nostdin
