#!/bin/bash
# MTP speculative decoding on the default model (issue 11 item 3, docs/engine.md "Speculative
# decoding"): three servers side by side — no speculation, num_speculative_tokens 1 and 3 — get the
# same greedy eval prompts (tools/train/eval_prompts.py), interleaved one request at a time. Prints
# whether outputs match, single-stream decode tok/s and the draft acceptance from /metrics.
#   scripts/bench_speculative.sh [N_PER_SKILL]    env: HYSERVE_BIN, MODEL (default models/default),
#                                                 THREADS (compute threads per server, default 2),
#                                                 MAX_TOKENS (override each prompt's), MIN_ACCEPTANCE
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10}
BIN=${HYSERVE_BIN:-build/hyserve}
MODEL=${MODEL:-models/default}
TMP=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$TMP"
}
trap cleanup EXIT
source scripts/lib/server.sh  # free_port, wait_until_ready
start() {  # NAME ARGS...: one server; echoes NAME=URL once it is ready
    local name=$1 port
    shift
    port=$(free_port)
    "$BIN" serve --model "$MODEL" --host 127.0.0.1 --port "$port" --threads "${THREADS:-2}" "$@" \
        >"$TMP/$name.log" 2>&1 &
    PIDS+=($!)
    wait_until_ready "$port" "${PIDS[-1]}" "$TMP/$name.log"
    SERVERS+=("$name=http://127.0.0.1:$port")
}
SERVERS=()
start plain
start mtp1 --speculative-config '{"method":"mtp","num_speculative_tokens":1}'
start mtp3 --speculative-config '{"method":"mtp","num_speculative_tokens":3}'
/usr/bin/python3 tools/train/eval_prompts.py --n "$N" >"$TMP/cases.json"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 scripts/bench_speculative.py "$TMP/cases.json" "${SERVERS[@]}" \
    --max-tokens "${MAX_TOKENS:-0}" --min-acceptance "${MIN_ACCEPTANCE:-0}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
