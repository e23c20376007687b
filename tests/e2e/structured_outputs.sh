#!/usr/bin/env bash
# Issues 8 + 9 end to end: structured outputs, tool_choice required/named, thinking budget and
# enable_thinking through /v1/chat/completions and /v1/completions with the `openai` SDK on the
# random-weight tiny model; every constrained output is validated with ajv.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ! -d node_modules/openai || ! -d node_modules/ajv ]]; then
    echo "skip: node_modules/openai or ajv missing (run npm install)" >&2
    exit 0
fi
source tests/e2e/server_harness.sh
start_server --served-model-name tiny --max-model-len 2048 --reasoning-parser nemotron_v3 \
    --tool-call-parser qwen3_coder --enable-auto-tool-choice --max-thinking-tokens 64
timeout 120 node --test tests/e2e/structured_outputs.test.mjs || { tail -30 "$SERVER_LOG" >&2; exit 1; }
# The startup log names the active parsers (issue 8).
grep -q "reasoning parser: nemotron_v3 (from --reasoning-parser); tool call parser: qwen3_coder (from --tool-call-parser), auto tool choice on" \
    "$SERVER_LOG" || { echo "the startup log does not name the active parsers" >&2; exit 1; }
