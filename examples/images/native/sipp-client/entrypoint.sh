# The thesis's client_start.sh without tmux: `sipp -sn uac` against SERVER_PRIVATE, in the
# foreground, exiting with sipp's code (0: every call succeeded; 1: a call failed; 255: fatal,
# or the global timeout was reached).
#
# The metadata the thesis's NSD gives (SERVER_PRIVATE, SIPP_LENGTH, SIPP_RATE, SIPP_RATE_PERIOD,
# SIPP_RATE_INCREASE, SIPP_RATE_MAX, SIPP_TRANSPORT_MODE) is read as there; these are added:
#   SIPP_CALLS    stop after this many calls (-m); unset: call until stopped, as the thesis
#   SIPP_TIMEOUT  fail after this many seconds (-timeout -timeout_error); unset: no limit
#   SIPP_PORT     the server's port (5060)
set -eu
: "${SERVER_PRIVATE:?sipp-client: SERVER_PRIVATE (the server's address) is not set}"
addr=$(ip -4 -o addr show dev eth0 scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
if [ -z "$addr" ]; then
    echo "sipp-client: eth0 has no IPv4 address" >&2
    exit 1
fi
set -- -sn uac "$SERVER_PRIVATE:${SIPP_PORT:-5060}" -i "$addr" -nostdin \
    -d "${SIPP_LENGTH:-0}" -r "${SIPP_RATE:-10}" -rp "${SIPP_RATE_PERIOD:-1000}" \
    -t "${SIPP_TRANSPORT_MODE:-u1}" -rtp_echo
# The thesis passes `-rate_increase X -fd X -rate_max Y`; with X = 0 (its NSD's value) that
# would ask for statistics every 0 seconds, so the options are given only for X > 0.
if [ "${SIPP_RATE_INCREASE:-0}" -gt 0 ]; then
    set -- "$@" -rate_increase "$SIPP_RATE_INCREASE" -fd "$SIPP_RATE_INCREASE" \
        -rate_max "${SIPP_RATE_MAX:-$SIPP_RATE_INCREASE}"
fi
if [ -n "${SIPP_CALLS:-}" ]; then
    set -- "$@" -m "$SIPP_CALLS"
fi
if [ -n "${SIPP_TIMEOUT:-}" ]; then
    set -- "$@" -timeout "$SIPP_TIMEOUT" -timeout_error
fi
echo "sipp-client: calling $SERVER_PRIVATE:${SIPP_PORT:-5060} from $addr"
exec sipp "$@"
