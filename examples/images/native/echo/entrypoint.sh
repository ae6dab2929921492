# The test workload, chosen by the container's metadata:
#   - CMD set and not empty: runs `sh -c "$CMD"` in place of itself (e.g. CMD="exit 3");
#   - ECHO_PORT set: a TCP echo server on that port, until stopped;
#   - otherwise: idles until SIGTERM, then exits 0 within a second; it says "idle" once SIGTERM
#     is handled (a stop before that ends it 143).
if [ -n "$CMD" ]; then
    exec /bin/busybox sh -c "$CMD"
fi
if [ -n "$ECHO_PORT" ]; then
    exec /bin/busybox nc -ll -p "$ECHO_PORT" -e /bin/busybox cat
fi
trap 'exit 0' TERM
echo idle
while true; do
    /bin/busybox sleep 1 &
    wait $!
done
