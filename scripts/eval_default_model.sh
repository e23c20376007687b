#!/bin/bash
# Issue 11, verification 2 (and 3 when PyTorch is installed): the default model's skills measured
# through the HTTP server with the official `openai` SDK — 50 fresh prompts per skill, greedy — and
# the MTP head's greedy draft acceptance measured by the PyTorch model on the same prompts.
#   scripts/eval_default_model.sh [N_PER_SKILL]       env: HYSERVE_BIN, MODEL (default: the embedded one),
#                                                     SKILLS (e.g. weather_seen,weather_unseen: only those)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
BIN=${HYSERVE_BIN:-build/hyserve}
source scripts/lib/server.sh  # scratch_dir, free_port, wait_until_ready
scratch_dir
PORT=$(free_port)
model_args=()
[[ -n "${MODEL:-}" ]] && model_args=(--model "$MODEL")
"$BIN" serve "${model_args[@]}" --host 127.0.0.1 --port "$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
wait_until_ready "$PORT" "$SERVER_PID" "$TMP/server.log"
/usr/bin/python3 tools/train/eval_prompts.py --n "$N" ${SKILLS:+--skills "$SKILLS"} >"$TMP/cases.json"
served=$(curl -sf "http://127.0.0.1:$PORT/v1/models" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
HYSERVE_URL="http://127.0.0.1:$PORT" HYSERVE_MODEL="$served" node tools/train/eval_skills.mjs "$TMP/cases.json" \
    "${EVAL_RESULTS:-$TMP/results.json}"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 tools/train/mtp_acceptance.py "$TMP/cases.json" --model "${MODEL:-models/default}" --hyserve "$BIN"
else
    echo "MTP acceptance: skipped (needs python3-torch)"
fi
