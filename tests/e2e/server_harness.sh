# Sourced by the e2e scripts: builds a tiny test model, starts `hyserve serve` on a free loopback port
# and stops it (and removes the temp dir) on exit. Sets HYSERVE_URL, HYSERVE_MODEL, SERVER_LOG, BIN.
BIN=${HYSERVE_BIN:-build/hyserve}
if [[ ! -x "$BIN" ]]; then
    echo "skip: $BIN not built" >&2
    exit 0
fi
TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
    if [[ -n "$SERVER_PID" ]]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT

"$BIN" make-test-model "$TMP/model" --preset tiny >/dev/null
source scripts/lib/server.sh  # free_port, wait_until_ready

# start_server ARGS...: starts the server and waits until /v1/health/ready answers 200.
start_server() {
    PORT=$(free_port)
    SERVER_LOG="$TMP/server.log"
    "$BIN" serve --model "$TMP/model" --host 127.0.0.1 --port "$PORT" "$@" >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    wait_until_ready "$PORT" "$SERVER_PID" "$SERVER_LOG"
    export HYSERVE_URL="http://127.0.0.1:$PORT" HYSERVE_MODEL="$TMP/model" SERVER_LOG HYSERVE_BIN="$BIN"
}

# stop_server: stops the server start_server started (a script may start several in turn).
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=; }
# fail MESSAGE: reports a failed check with the server log's tail and exits 1 (scripts may redefine it).
fail() { echo "FAIL: $*" >&2; [[ -n "${SERVER_LOG:-}" ]] && tail -20 "$SERVER_LOG" >&2; exit 1; }
