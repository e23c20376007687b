#!/usr/bin/env bash
# The official `openai` SDK's Responses API against `hyserve serve` with a tiny test model (issue 7):
# create, stream, retrieve, delete, and a previous_response_id chain that survives a clean restart and
# a kill -9 (the store is SQLite under NIM_CACHE_PATH).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ! -d node_modules/openai ]]; then
    echo "skip: node_modules/openai missing (run npm install)" >&2
    exit 0
fi
source tests/e2e/server_harness.sh
export NIM_CACHE_PATH="$TMP/cache" RESPONSES_STATE="$TMP/state.json"
run_phase() {
    PHASE=$1 timeout 50 node --test tests/e2e/responses_sdk.test.mjs || { tail -30 "$SERVER_LOG" >&2; exit 1; }
}
stop_server() {  # stop_server SIGNAL
    kill "-$1" "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
}
ARGS=(--served-model-name tiny --max-model-len 2048)
# The flag turns the store on (it wins over the variable) ...
VLLM_ENABLE_RESPONSES_API_STORE=0 start_server "${ARGS[@]}" --enable-responses-store
run_phase 1
stop_server TERM
start_server "${ARGS[@]}" --enable-responses-store
run_phase 2
# ... and so does the variable alone; what phase 2 stored survives kill -9.
stop_server KILL
VLLM_ENABLE_RESPONSES_API_STORE=1 start_server "${ARGS[@]}"
run_phase 3
# Without either, nothing is stored.
stop_server TERM
start_server "${ARGS[@]}"
run_phase nostore
