#!/usr/bin/env bash
# Prefix caching through HTTP (issue 6): with --enable-prompt-tokens-details, a repeated chat request
# reports usage.prompt_tokens_details.cached_tokens of at least 90% of the prompt, and the next turn of
# the conversation all of the previous prompt but its generation prompt (KV blocks + a Mamba snapshot
# where the generation prompt starts, with its partial block's rows); without the flag the details stay null;
# --no-enable-prefix-caching caches nothing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
py() { /usr/bin/python3 -c "$@"; }

SYSTEM=$(py 'import random; r=random.Random(3); print(" ".join("".join(r.choice("abcdefghij") for _ in range(5)) for _ in range(120)))')
chat() {  # MESSAGES_JSON [STREAM] -> response body
    local body
    body=$(py 'import json,sys; m=json.loads(sys.argv[1]); print(json.dumps({"model":sys.argv[2],"messages":m,"max_tokens":6,"temperature":0,"stream":sys.argv[3]=="1","stream_options":{"include_usage":True} if sys.argv[3]=="1" else None}))' "$1" "$HYSERVE_MODEL" "${2:-0}")
    curl -sf "$HYSERVE_URL/v1/chat/completions" -H 'Content-Type: application/json' -d "$body"
}
usage_field() {  # BODY EXPR: the usage object of a response or of the last SSE chunk that has one
    py 'import json,sys
t=sys.argv[1]; u=None
if t.lstrip().startswith("{"): u=json.loads(t)["usage"]
else:
    for line in t.splitlines():
        if line.startswith("data: {"):
            c=json.loads(line[6:])
            if c.get("usage"): u=c["usage"]
print(eval(sys.argv[2], {"u": u}))' "$1" "$2"
}

turn1=$(py 'import json,sys; print(json.dumps([{"role":"system","content":sys.argv[1]},{"role":"user","content":"first question"}]))' "$SYSTEM")

# --scheduling-policy priority: the cache_salt checks below also send a `priority`, which the key ignores.
start_server --block-size 16 --mamba-cache-interval 64 --kv-cache-memory 64M --enable-prompt-tokens-details \
    --scheduling-policy priority
grep -q "KV blocks" "$SERVER_LOG" || fail "no cache plan in the startup log"
r1=$(chat "$turn1") || fail "first request"
p1=$(usage_field "$r1" 'u["prompt_tokens"]')
c1=$(usage_field "$r1" 'u["prompt_tokens_details"]["cached_tokens"]')
((p1 >= 160)) || fail "prompt too short for the test: $p1 tokens"
[[ $c1 == 0 ]] || fail "cold request reports $c1 cached tokens"
r2=$(chat "$turn1") || fail "repeated request"
c2=$(usage_field "$r2" 'u["prompt_tokens_details"]["cached_tokens"]')
((c2 * 10 >= p1 * 9)) || fail "repeated request: $c2 of $p1 prompt tokens cached (< 90%)"
answer=$(py 'import json,sys; print(json.loads(sys.argv[1])["choices"][0]["message"]["content"] or "")' "$r1")
turn2=$(py 'import json,sys; m=json.loads(sys.argv[1]); m+= [{"role":"assistant","content":sys.argv[2]},{"role":"user","content":"second question"}]; print(json.dumps(m))' "$turn1" "$answer")
r3=$(chat "$turn2" 1) || fail "second turn (streaming)"
c3=$(usage_field "$r3" 'u["prompt_tokens_details"]["cached_tokens"]')
# The next turn resumes right after the previous user message (the snapshot at the start of the
# generation prompt `<|im_start|>assistant\n<think>\n`, which the next turn renders differently), not at
# the block boundary before it (block size 16).
((c3 >= p1 - 8)) || fail "second turn: $c3 cached tokens, more than the generation prompt short of the previous prompt ($p1)"
echo "prompt $p1 tokens: repeated request cached $c2, next turn cached $c3"
# usage_of PATH BODY USAGE: POSTs the JSON the Python expression BODY builds (m = the model, s = the
# system prompt) to PATH and prints the Python expression USAGE of the answer's usage `u`.
usage_of() {
    local body
    body=$(py "import json,sys; m, s = sys.argv[1], sys.argv[2]; print(json.dumps($2))" "$HYSERVE_MODEL" "$SYSTEM")
    curl -sf "$HYSERVE_URL$1" -H 'Content-Type: application/json' -d "$body" |
        py "import json,sys; u=json.load(sys.stdin)['usage']; print($3)"
}
# The Responses API reports the same resume in usage.input_tokens_details.cached_tokens.
RESPONSES=('{"model":m,"instructions":s,"input":"a responses question","max_output_tokens":2}'
    'u["input_tokens"], u["input_tokens_details"]["cached_tokens"]')
usage_of /v1/responses "${RESPONSES[@]}" >/dev/null || fail "first /v1/responses request"
read -r rp2 rc2 <<<"$(usage_of /v1/responses "${RESPONSES[@]}")" || fail "repeated /v1/responses request"
((rc2 * 10 >= rp2 * 9)) || fail "responses cached_tokens: repeated request $rc2 of $rp2"
# Anthropic Messages split the prompt as Anthropic does: input_tokens + cache_read_input_tokens (+ 0
# cache_creation_input_tokens) = the whole prompt.
MESSAGES=('{"model":m,"system":s,"max_tokens":2,"messages":[{"role":"user","content":"an anthropic question"}]}'
    'u["input_tokens"], u["cache_read_input_tokens"], u["cache_creation_input_tokens"]')
usage_of /v1/messages "${MESSAGES[@]}" >/dev/null || fail "first /v1/messages request"
read -r mi mr mc <<<"$(usage_of /v1/messages "${MESSAGES[@]}")" || fail "repeated /v1/messages request"
((mc == 0 && mr * 10 >= (mi + mr) * 9)) || fail "messages usage: input $mi, cache read $mr, creation $mc"
# cache_salt isolates: a new salt starts cold, the same salt hits; an empty salt is a 400.
complete() {  # SALT -> HTTP status; body in $TMP/out.json
    local body
    body=$(py 'import json,sys; b={"model":sys.argv[1],"prompt":sys.argv[2],"max_tokens":2,"priority":int(sys.argv[4])}
if sys.argv[3] != "-": b["cache_salt"]=sys.argv[3]
print(json.dumps(b))' "$HYSERVE_MODEL" "$SYSTEM" "$1" "${2:-0}")
    curl -s -o "$TMP/out.json" -w '%{http_code}' "$HYSERVE_URL/v1/completions" -H 'Content-Type: application/json' -d "$body"
}
cached_of() { py 'import json; print(json.load(open("'"$TMP"'/out.json"))["usage"]["prompt_tokens_details"]["cached_tokens"])'; }
[[ $(complete salt-a) == 200 && $(cached_of) == 0 ]] || fail "a new cache_salt should start cold: $(cat "$TMP/out.json")"
[[ $(complete salt-a 3) == 200 ]] && (($(cached_of) > 0)) || fail "the same cache_salt should hit: $(cat "$TMP/out.json")"
[[ $(complete salt-b) == 200 && $(cached_of) == 0 ]] || fail "another cache_salt must not share: $(cat "$TMP/out.json")"
[[ $(complete "") == 400 ]] || fail "an empty cache_salt should be a 400: $(cat "$TMP/out.json")"
stop_server

start_server --block-size 16 --no-enable-prefix-caching --enable-prompt-tokens-details
chat "$turn1" >/dev/null || fail "first request (no caching)"
r=$(chat "$turn1") || fail "repeat (no caching)"
[[ $(usage_field "$r" 'u["prompt_tokens_details"]["cached_tokens"]') == 0 ]] || fail "--no-enable-prefix-caching still caches"
# The default policy is vLLM's fcfs, which refuses a nonzero priority with vLLM's message.
[[ $(complete salt-a 3) == 400 ]] && grep -q "Priority scheduling is not enabled" "$TMP/out.json" ||
    fail "a priority under --scheduling-policy fcfs should be a 400: $(cat "$TMP/out.json")"
stop_server

start_server --block-size 16
chat "$turn1" >/dev/null || fail "first request (no details)"
r=$(chat "$turn1") || fail "repeat (no details)"
[[ $(usage_field "$r" 'u["prompt_tokens_details"]') == None ]] || fail "prompt_tokens_details without the flag"
stop_server
echo "prefix_cache: ok"
