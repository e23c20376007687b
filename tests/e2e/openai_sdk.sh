#!/usr/bin/env bash
# The official `openai` npm SDK against `hyserve serve` on loopback with a tiny test model (issue 5).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ! -d node_modules/openai ]]; then
    echo "skip: node_modules/openai missing (run npm install)" >&2
    exit 0
fi
source tests/e2e/server_harness.sh
start_server --served-model-name tiny tiny-alias --max-model-len 512
timeout 110 node --test tests/e2e/openai_sdk.test.mjs || { tail -30 "$SERVER_LOG" >&2; exit 1; }
