# Sourced by the bench scripts: a `vidspec mock-server` on a free port, stopped (and the work
# folder removed) when the script exits, and a GET of its paths without curl.
#
#   start_mock ARGS…   sets WORK (a fresh folder), MOCK_PID, URL and PORT
#   http_get PATH      prints the body of GET PATH

start_mock() {
    WORK=$(mktemp -d)
    MOCK_PID=
    trap 'if [[ -n $MOCK_PID ]]; then kill "$MOCK_PID" 2>/dev/null || true; fi; rm -rf "$WORK"' EXIT
    "$BIN" mock-server --port 0 "$@" >"$WORK/mock.out" &
    MOCK_PID=$!
    for _ in $(seq 100); do
        grep -q '^listening on ' "$WORK/mock.out" 2>/dev/null && break
        sleep 0.05
    done
    URL=$(sed -n 's/^listening on //p' "$WORK/mock.out")
    PORT=${URL##*:}
}

# GET a mock path with bash's /dev/tcp (no curl needed); prints the body.
http_get() {
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$1" >&3
    sed '1,/^\r$/d' <&3
    exec 3<&-
}
