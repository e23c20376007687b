# Sourced by the scripts that start `hyserve serve`.

# scratch_dir: TMP = a fresh temporary directory, and an EXIT trap that stops the server whose pid the
# script puts in SERVER_PID (when it is set) and then removes TMP.
scratch_dir() {
    TMP=$(mktemp -d)
    SERVER_PID=
    trap 'if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi; rm -rf "$TMP"' EXIT
}

# free_port: a loopback port nobody listens on now.
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_until_ready PORT PID LOG [TRIES]: polls
# /v1/health/ready every 0.1 s (TRIES times, default 600 = 60 s) until it answers 200. If the server
# process exits first, or it never gets ready, prints its log and exits 1.
wait_until_ready() {
    local port=$1 pid=$2 log=$3 tries=${4:-600}
    for _ in $(seq 1 "$tries"); do
        curl -sf "http://127.0.0.1:$port/v1/health/ready" >/dev/null 2>&1 && return 0
        if ! kill -0 "$pid" 2>/dev/null; then
            cat "$log" >&2
            echo "server died during startup" >&2
            exit 1
        fi
        sleep 0.1
    done
    cat "$log" >&2
    echo "server not ready after $((tries / 10)) s" >&2
    exit 1
}
