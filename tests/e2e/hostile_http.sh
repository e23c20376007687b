#!/usr/bin/env bash
# Malformed and hostile HTTP against `hyserve serve` (issue 5): every case gets the right 4xx or
# behaviour, and the server keeps answering normal requests.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
printf 'Test model license.\nUse freely.\n' >"$TMP/model/LICENSE"  # GET /v1/license serves it
start_server --served-model-name tiny --max-model-len 4096 --max-num-seqs 64
timeout 110 node --test tests/e2e/hostile_http.test.mjs || { tail -30 "$SERVER_LOG" >&2; exit 1; }
kill -0 "$SERVER_PID"  # still alive
