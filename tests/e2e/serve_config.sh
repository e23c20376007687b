#!/usr/bin/env bash
# `hyserve serve` configuration (issue 5, spec/api.md §9): NIM_* variables, NIM_PASSTHROUGH_ARGS,
# precedence, --api-key, NIM_HEALTH_PORT, startup errors for unknown flags, bad quoting and a context
# longer than the model's.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }

# Startup errors: the process exits non-zero and names the problem.
expect_startup_error() {  # PATTERN ENV... -- ARGS...
    local pattern=$1; shift
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    local out rc=0
    out=$(env "${envs[@]}" timeout 20 "$BIN" serve --model "$TMP/model" --host 127.0.0.1 --port "$(free_port)" "$@" 2>&1) || rc=$?
    ((rc != 0)) || fail "expected a startup error for: ${envs[*]} $*"
    grep -q -- "$pattern" <<<"$out" || fail "startup error for '${envs[*]} $*' does not mention '$pattern': $out"
}
expect_startup_error "--bogus-flag" X=1 -- --bogus-flag 3
expect_startup_error "--also-bogus" "NIM_PASSTHROUGH_ARGS=--also-bogus" --
expect_startup_error "unterminated" "NIM_PASSTHROUGH_ARGS=--default-chat-template-kwargs '{\"a\": 1}" --
expect_startup_error "VLLM_ALLOW_LONG_MAX_MODEL_LEN" X=1 -- --max-model-len 1M
# A context the KV cache cannot hold: an explicit one stops startup naming the length that fits (as
# vLLM does); unset, the served context is lowered to it and /v1/models reports that.
expect_startup_error "estimated maximum model length is 832" X=1 -- --kv-cache-memory 1M --max-model-len 2K
grep -q -- "--served-model-name" <("$BIN" serve --help) || fail "serve --help lists no flags"

# NIM variables, passthrough and CLI: CLI > passthrough > NIM_*.
HEALTH_PORT=$(free_port)
export NIM_SERVED_MODEL_NAME=nim-name NIM_MAX_MODEL_LEN=1k NIM_HEALTH_PORT=$HEALTH_PORT NIM_LOG_LEVEL=INFO
export NIM_PASSTHROUGH_ARGS="--max-model-len 2K --default-chat-template-kwargs '{\"enable_thinking\": false}' --tensor-parallel-size 2 --gpu-memory-utilization 0.9 --enable-prefix-caching"
export VLLM_USE_FLASHINFER_MOE_FP8=1
start_server --api-key sekret
unset NIM_SERVED_MODEL_NAME NIM_MAX_MODEL_LEN NIM_HEALTH_PORT NIM_LOG_LEVEL NIM_PASSTHROUGH_ARGS VLLM_USE_FLASHINFER_MOE_FP8
models=$(curl -sf -H 'Authorization: Bearer sekret' "$HYSERVE_URL/v1/models") || fail "/v1/models with the key"
grep -q '"id":"nim-name"' <<<"$models" || fail "NIM_SERVED_MODEL_NAME not used: $models"
grep -q '"max_model_len":2048' <<<"$models" || fail "passthrough --max-model-len 2K did not win over NIM_MAX_MODEL_LEN: $models"
[[ $(code "$HYSERVE_URL/v1/models") == 401 ]] || fail "no key should give 401"
[[ $(code -H 'Authorization: Bearer wrong' "$HYSERVE_URL/v1/models") == 401 ]] || fail "wrong key should give 401"
[[ $(code "$HYSERVE_URL/v1/health/ready") == 200 ]] || fail "health must not need the key"
# CORS as vLLM answers it by default: a browser's preflight needs no key, any origin may call.
preflight=$(curl -s -i -X OPTIONS "$HYSERVE_URL/v1/chat/completions" -H 'Origin: http://app.example' \
    -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: authorization, content-type')
grep -q '^HTTP/1.1 200' <<<"$preflight" || fail "CORS preflight: $preflight"
grep -qi '^Access-Control-Allow-Origin: \*' <<<"$preflight" || fail "CORS preflight origin: $preflight"
grep -qi '^Access-Control-Allow-Headers: authorization, content-type' <<<"$preflight" || fail "CORS headers: $preflight"
grep -qi '^Access-Control-Allow-Origin: \*' <(curl -s -i -H 'Origin: http://app.example' \
    -H 'Authorization: Bearer sekret' "$HYSERVE_URL/v1/models") || fail "no CORS header on a cross-origin GET"
[[ $(code "http://127.0.0.1:$HEALTH_PORT/v1/health/ready") == 200 ]] || fail "NIM_HEALTH_PORT serves health"
[[ $(code "http://127.0.0.1:$HEALTH_PORT/v1/health/live") == 200 ]] || fail "NIM_HEALTH_PORT serves liveness"
for what in tensor-parallel-size gpu-memory-utilization VLLM_USE_FLASHINFER_MOE_FP8; do
    grep -q -- "$what.*not applicable" "$SERVER_LOG" || fail "no 'not applicable' line for $what"
done
grep -q "prefix caching on" "$SERVER_LOG" || fail "--enable-prefix-caching from the passthrough not in the cache log line"
# enable_thinking=false from --default-chat-template-kwargs reaches the template: the prompt then ends
# with </think> (id 13 in the test tokenizer); a request's own kwargs win.
last_prompt_id() {
    curl -sf -H 'Authorization: Bearer sekret' -H 'Content-Type: application/json' -d "$1" "$HYSERVE_URL/v1/chat/completions" |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["prompt_token_ids"][-1])'
}
off=$(last_prompt_id '{"messages":[{"role":"user","content":"hi"}],"max_tokens":1,"return_token_ids":true}')
on=$(last_prompt_id '{"messages":[{"role":"user","content":"hi"}],"max_tokens":1,"return_token_ids":true,"chat_template_kwargs":{"enable_thinking":true}}')
[[ $off == 13 && $on != 13 ]] || fail "default chat template kwargs: last prompt ids $off (off) / $on (on)"
grep -q "chatcmpl-.*/v1/chat/completions prompt_tokens=" "$SERVER_LOG" || fail "no per-request log line"
stop_server

# CLI beats passthrough; with VLLM_ALLOW_LONG_MAX_MODEL_LEN a longer context is allowed.
NIM_PASSTHROUGH_ARGS="--served-model-name from-passthrough --port 1" VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 \
    start_server --served-model-name from-cli --max-model-len 16K
models=$(curl -sf "$HYSERVE_URL/v1/models")
grep -q '"id":"from-cli"' <<<"$models" || fail "CLI should beat passthrough: $models"
grep -q '"max_model_len":16384' <<<"$models" || fail "long max_model_len with VLLM_ALLOW_LONG_MAX_MODEL_LEN: $models"
stop_server
VLLM_API_KEY=env-key start_server --kv-cache-memory 1M --exclude-tools-when-tool-choice-none
[[ $(code "$HYSERVE_URL/v1/models") == 401 ]] || fail "VLLM_API_KEY should require a key"
models=$(curl -sf -H 'Authorization: Bearer env-key' "$HYSERVE_URL/v1/models")
grep -q '"max_model_len":832' <<<"$models" || fail "the context should be lowered to the cache's 832 tokens: $models"
grep -q "max_model_len lowered from the model's 8192 to 832" "$SERVER_LOG" || fail "lowered context not logged"
long_prompt=$(/usr/bin/python3 -c 'print("a " * 1000)')
status=$(code -H 'Authorization: Bearer env-key' -H 'Content-Type: application/json' "$HYSERVE_URL/v1/completions" \
    -d "{\"prompt\":\"$long_prompt\",\"max_tokens\":1}")
[[ $status == 400 ]] || fail "a prompt longer than the cache's context should be a 400, got $status"
# --exclude-tools-when-tool-choice-none: with tool_choice "none" the prompt is the one without tools.
prompt_len() {
    curl -sf -H 'Authorization: Bearer env-key' -H 'Content-Type: application/json' "$HYSERVE_URL/v1/chat/completions" -d "$1" |
        /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["usage"]["prompt_tokens"])'
}
tool='{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}'
plain=$(prompt_len '{"messages":[{"role":"user","content":"hi"}],"max_tokens":1}')
none=$(prompt_len '{"messages":[{"role":"user","content":"hi"}],"max_tokens":1,"tools":['"$tool"'],"tool_choice":"none"}')
auto=$(prompt_len '{"messages":[{"role":"user","content":"hi"}],"max_tokens":1,"tools":['"$tool"']}')
[[ $none == "$plain" && $auto -gt $plain ]] || fail "tool_choice none should drop the tools: $plain / $none / $auto prompt tokens"
stop_server
# A Hugging Face repo id (or NIM's hf:// URL) is served from the local hub cache, under its id.
HUB="$TMP/hub"
mkdir -p "$HUB/models--acme--tiny-nemotron/refs" "$HUB/models--acme--tiny-nemotron/snapshots"
cp -r "$TMP/model" "$HUB/models--acme--tiny-nemotron/snapshots/0123abcd"
printf 0123abcd >"$HUB/models--acme--tiny-nemotron/refs/main"
expect_startup_error "huggingface-cli download acme/absent" "HF_HUB_CACHE=$HUB" -- acme/absent
HF_HUB_CACHE=$HUB start_server --model hf://acme/tiny-nemotron
models=$(curl -sf "$HYSERVE_URL/v1/models")
grep -q '"id":"acme/tiny-nemotron"' <<<"$models" || fail "a repo id model should be served under its id: $models"
grep -q "snapshots/0123abcd" "$SERVER_LOG" || fail "the snapshot path is not logged"
stop_server
# --reasoning-parser none: the template still opens <think>, but nothing is split off as reasoning
# (vLLM without a reasoning parser): the whole output is content.
start_server --reasoning-parser none
grep -q "reasoning parser: none (from --reasoning-parser)" "$SERVER_LOG" || fail "reasoning parser none not logged"
msg=$(curl -sf -H 'Content-Type: application/json' "$HYSERVE_URL/v1/chat/completions" \
    -d '{"messages":[{"role":"user","content":"hi"}],"max_tokens":6,"ignore_eos":true,"chat_template_kwargs":{"enable_thinking":true}}' |
    /usr/bin/python3 -c 'import json,sys; m=json.load(sys.stdin)["choices"][0]["message"]; print(m.get("reasoning_content") is None and bool(m["content"]))')
[[ $msg == True ]] || fail "--reasoning-parser none still produced reasoning or no content"
stop_server
# NIM_JSONL_LOGGING: every line the server logs is one JSON object in NIM's schema, with the source file
# and line of the call; a request with a quote and a newline in its path still gives one valid line.
# The same server takes the flags of Nemotron 3's vLLM recipe (the plugin file is noted, not needed) and
# answers with X-Request-Id: the client's own, else a fresh one.
NIM_JSONL_LOGGING=true NIM_CORS_ALLOW_ORIGINS=https://ui.example start_server \
    --reasoning-parser-plugin nano_v3_reasoning_parser.py --reasoning-parser nano_v3 --enable-request-id-headers
grep -qi '^X-Request-Id: my-id-1' <(curl -s -i -H 'X-Request-Id: my-id-1' "$HYSERVE_URL/v1/models") ||
    fail "X-Request-Id not echoed"
grep -qiE '^X-Request-Id: [0-9a-f]{32}' <(curl -s -i "$HYSERVE_URL/v1/models") || fail "no X-Request-Id generated"
grep -q 'nano_v3_reasoning_parser.py: not loaded' "$SERVER_LOG" || fail "the parser plugin was not noted"
cors() { curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "$HYSERVE_URL/v1/models" -H "Origin: $1" \
    -H 'Access-Control-Request-Method: GET'; }
[[ $(cors https://ui.example) == 200 && $(cors https://evil.example) == 400 ]] ||
    fail "NIM_CORS_ALLOW_ORIGINS: preflights gave $(cors https://ui.example) / $(cors https://evil.example)"
curl -s -o /dev/null "$HYSERVE_URL/v1/no%22such%0Apath" || true
curl -sf -o /dev/null -H 'Content-Type: application/json' "$HYSERVE_URL/v1/chat/completions" \
    -d '{"messages":[{"role":"user","content":"hi"}],"max_tokens":2}' || fail "chat request with JSONL logging"
stop_server
/usr/bin/python3 - "$SERVER_LOG" <<'PY' || fail "NIM_JSONL_LOGGING output is not NIM's JSON Lines"
import json, sys
records = [json.loads(line) for line in open(sys.argv[1])]
assert records, "no log lines"
for r in records:
    assert list(r) == ["level", "time", "file_name", "line_number", "message"], r
    assert r["level"] in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"), r
    assert r["file_name"].endswith(".cpp") and r["line_number"] > 0, r
messages = [r["message"] for r in records]
assert "ready" in messages, messages
assert any("/v1/chat/completions prompt_tokens=" in m for m in messages), messages
assert any(m.startswith("GET /v1/no") and "-> 404" in m for m in messages), messages
PY
echo "serve_config: all checks passed"
