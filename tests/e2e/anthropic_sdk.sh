#!/usr/bin/env bash
# The official `@anthropic-ai/sdk` against `hyserve serve` with a tiny test model (issue 7): Messages
# create and stream, countTokens, a tool-use round trip, thinking on/off, x-api-key auth.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ! -d node_modules/@anthropic-ai/sdk ]]; then
    echo "skip: node_modules/@anthropic-ai/sdk missing (run npm install)" >&2
    exit 0
fi
source tests/e2e/server_harness.sh
start_server --served-model-name tiny --max-model-len 2048 --api-key test-key
timeout 60 node --test tests/e2e/anthropic_sdk.test.mjs || { tail -30 "$SERVER_LOG" >&2; exit 1; }
