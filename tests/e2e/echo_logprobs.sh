#!/usr/bin/env bash
# Issue 5 leftovers on a real server (tiny test model): /v1/completions echo + logprobs returns the
# prompt tokens' logprobs (first null) and they agree with the logprobs the same tokens got when they
# were generated; a non-streaming request whose client disconnects is aborted (its status is decided
# only after generation, so nothing is sent meanwhile, and the connection probe must notice).
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
start_server --served-model-name tiny
PY=/usr/bin/python3
fail() { echo "FAIL: $*" >&2; tail -20 "$SERVER_LOG" >&2; exit 1; }
post() { curl -sf "$HYSERVE_URL/v1/completions" -H 'Content-Type: application/json' -d "$1"; }

# A: greedy generation with logprobs and token ids.
post '{"model":"tiny","prompt":[100,101,102,103,104,105,106,107],"max_tokens":3,"temperature":0,
       "ignore_eos":true,"logprobs":2,"return_token_ids":true}' >"$TMP/a.json" || fail "request A"
gen=$($PY -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["choices"][0]["token_ids"]))' "$TMP/a.json")
# B: the prompt plus A's first two tokens, echoed with logprobs (non-streaming and streaming).
prompt_b=$($PY -c 'import json,sys; print(json.dumps([100,101,102,103,104,105,106,107] + json.loads(sys.argv[1])[:2]))' "$gen")
post "{\"model\":\"tiny\",\"prompt\":$prompt_b,\"max_tokens\":1,\"temperature\":0,\"echo\":true,\"logprobs\":2}" \
    >"$TMP/b.json" || fail "request B"
post "{\"model\":\"tiny\",\"prompt\":$prompt_b,\"max_tokens\":2,\"temperature\":0,\"echo\":true,\"logprobs\":2,
       \"ignore_eos\":true,\"stream\":true}" >"$TMP/b.sse" || fail "request B (stream)"
$PY - "$TMP/a.json" "$TMP/b.json" "$TMP/b.sse" <<'PYEOF' || fail "echo logprobs"
import json, sys
a = json.load(open(sys.argv[1]))["choices"][0]["logprobs"]
b = json.load(open(sys.argv[2]))["choices"][0]
lp = b["logprobs"]
n = 10 + 1  # 10 prompt tokens + 1 generated
for k in ("tokens", "token_logprobs", "top_logprobs", "text_offset"):
    assert len(lp[k]) == n, (k, len(lp[k]))
assert lp["token_logprobs"][0] is None and lp["top_logprobs"][0] is None, lp["token_logprobs"][:2]
assert all(isinstance(x, float) and x <= 0 for x in lp["token_logprobs"][1:]), lp["token_logprobs"]
assert all(isinstance(t, dict) and 1 <= len(t) <= 2 for t in lp["top_logprobs"][1:]), lp["top_logprobs"]
assert lp["text_offset"] == sorted(lp["text_offset"]) and lp["text_offset"][0] == 0, lp["text_offset"]
# Prompt positions 8 and 9 are A's generated tokens 1 and 2: the prefill's logprobs there equal the
# decode-time ones (same model, same prefix; only the batching of the arithmetic differs).
for i in range(2):
    got, want = lp["token_logprobs"][8 + i], a["token_logprobs"][i]
    assert abs(got - want) <= 1e-3 * max(1.0, abs(want)), (i, got, want)
    assert lp["tokens"][8 + i] == a["tokens"][i], (lp["tokens"][8 + i], a["tokens"][i])
# Streaming: the first chunk carries the echoed prompt's logprobs, then one entry per token.
chunks = [json.loads(l[6:]) for l in open(sys.argv[3]) if l.startswith("data: {")]
lps = [c["choices"][0]["logprobs"] for c in chunks if c["choices"] and c["choices"][0]["logprobs"]]
first = lps[0]
assert len(first["tokens"]) >= 10 and first["token_logprobs"][0] is None, first
assert abs(first["token_logprobs"][8] - a["token_logprobs"][0]) <= 1e-3 * max(1.0, abs(a["token_logprobs"][0]))
assert sum(len(x["tokens"]) for x in lps) == 12, [len(x["tokens"]) for x in lps]
PYEOF

# max_tokens 0 with echo + logprobs (lm-eval's loglikelihood request): the prompt's logprobs alone, the
# same as with a generated token after them, and no completion tokens.
post "{\"model\":\"tiny\",\"prompt\":$prompt_b,\"max_tokens\":0,\"temperature\":0,\"echo\":true,\"logprobs\":2}" \
    >"$TMP/z.json" || fail "request Z (max_tokens 0)"
$PY - "$TMP/b.json" "$TMP/z.json" <<'PYEOF' || fail "echo logprobs with max_tokens 0"
import json, sys
b = json.load(open(sys.argv[1]))["choices"][0]["logprobs"]
z = json.load(open(sys.argv[2]))
lp = z["choices"][0]["logprobs"]
assert len(lp["tokens"]) == 10 and lp["tokens"] == b["tokens"][:10], (lp["tokens"], b["tokens"])
assert lp["token_logprobs"][0] is None
for got, want in zip(lp["token_logprobs"][1:], b["token_logprobs"][1:10]):
    assert abs(got - want) <= 1e-5 * max(1.0, abs(want)), (got, want)
assert z["usage"]["completion_tokens"] == 0 and z["choices"][0]["finish_reason"] == "length", z
PYEOF

# vLLM's prompt_logprobs field: per prompt position {token id: {logprob, rank, decoded_token}}.
post "{\"model\":\"tiny\",\"prompt\":$prompt_b,\"max_tokens\":1,\"temperature\":0,\"prompt_logprobs\":1}" \
    >"$TMP/c.json" || fail "request C"
$PY - "$TMP/a.json" "$TMP/c.json" "$gen" <<'PYEOF' || fail "prompt_logprobs"
import json, sys
a = json.load(open(sys.argv[1]))["choices"][0]["logprobs"]
plp = json.load(open(sys.argv[2]))["choices"][0]["prompt_logprobs"]
gen = json.loads(sys.argv[3])
assert len(plp) == 10 and plp[0] is None, plp[:2]
for i in range(2):
    e = plp[8 + i][str(gen[i])]
    assert abs(e["logprob"] - a["token_logprobs"][i]) <= 1e-3 * max(1.0, abs(e["logprob"])), (e, a["token_logprobs"][i])
    assert e["rank"] == 1, e  # greedy picked it: nothing is more likely
    assert e["decoded_token"] == a["tokens"][i], e
assert all(1 <= len(p) <= 2 for p in plp[1:]), plp
PYEOF
code=$(curl -s -o /dev/null -w '%{http_code}' "$HYSERVE_URL/v1/completions" -H 'Content-Type: application/json' \
    -d '{"model":"tiny","prompt":"hi","prompt_logprobs":1,"stream":true}')
[[ $code == 400 ]] || fail "prompt_logprobs with stream: $code"

# Chat: prompt_logprobs is one top-level list for the rendered prompt (vLLM), keyed by the prompt ids.
curl -sf "$HYSERVE_URL/v1/chat/completions" -H 'Content-Type: application/json' \
    -d '{"model":"tiny","messages":[{"role":"user","content":"hello there"}],"max_tokens":1,
         "prompt_logprobs":2,"return_token_ids":true}' >"$TMP/d.json" || fail "chat prompt_logprobs"
$PY - "$TMP/d.json" <<'PYEOF' || fail "chat prompt_logprobs"
import json, sys
r = json.load(open(sys.argv[1]))
ids, plp = r["prompt_token_ids"], r["prompt_logprobs"]
assert len(plp) == len(ids) > 3 and plp[0] is None, (len(plp), len(ids))
for tok, pos in zip(ids[1:], plp[1:]):
    e = pos[str(tok)]
    assert e["logprob"] <= 0 and e["rank"] >= 1 and isinstance(e["decoded_token"], str), e
    assert 1 <= len(pos) <= 3, pos
PYEOF

# A non-streaming request whose client leaves after 0.2 s is aborted by the server. It asks for the
# whole context (8190 tokens: ~0.8 s on an idle machine; 4000 tokens finished inside 0.5 s once decode
# got faster, so the client left after the answer was complete).
curl -s -m 0.2 "$HYSERVE_URL/v1/completions" -H 'Content-Type: application/json' \
    -d '{"model":"tiny","prompt":[100,101],"max_tokens":8190,"ignore_eos":true}' >/dev/null 2>&1 || true
for _ in $(seq 1 50); do
    grep -q 'completion_tokens=.*finish=abort (client gone)' "$SERVER_LOG" && break
    sleep 0.1
done
grep -q 'finish=abort (client gone)' "$SERVER_LOG" || fail "non-streaming disconnect was not noticed"
n=$(grep 'finish=abort (client gone)' "$SERVER_LOG" | head -1 | sed 's/.*completion_tokens=\([0-9]*\).*/\1/')
[[ $n -lt 8190 ]] || fail "the aborted request ran to its end ($n tokens)"
echo "echo/logprobs + non-streaming disconnect e2e: ok"
