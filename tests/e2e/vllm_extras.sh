#!/usr/bin/env bash
# vLLM's [ext] request fields that change what the model reads or may write (spec/api.md §3.1 "more
# [ext]"): allowed_token_ids, bad_words, truncate_prompt_tokens, add_special_tokens on chat,
# return_tokens_as_token_ids, and the server's --response-role. Each is checked against the output it
# must change, through HTTP on the tiny model.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
start_server --max-model-len 2048 --response-role agent
/usr/bin/python3 - "$HYSERVE_URL" <<'PY'
import json, sys

sys.path.insert(0, "tests/e2e")
from http_json import check, poster

url = sys.argv[1]
post = poster(url)

def complete(**extra):
    body = {"prompt": "The quick brown fox jumps over the lazy dog. Then", "max_tokens": 24,
            "temperature": 0, "ignore_eos": True, "return_token_ids": True}
    body.update(extra)
    status, r = post("/v1/completions", body)
    check(status == 200, f"completion {extra}: {status} {r}")
    return r

def ids_of(text):
    return post("/tokenize", {"prompt": text, "add_special_tokens": False})[1]["tokens"]

# allowed_token_ids: sampled at temperature 1, every token is one of the two allowed.
allowed = [5, 6]
r = complete(temperature=1.0, seed=3, allowed_token_ids=allowed)
out = r["choices"][0]["token_ids"]
check(len(out) == 24 and set(out) <= set(allowed), f"allowed_token_ids {allowed}: output {out}")

# bad_words: a word the greedy output writes is never written once banned.
base = complete()["choices"][0]["token_ids"]
word, banned = None, None
for t in base:
    text = post("/detokenize", {"tokens": [t]})[1]["prompt"]
    bare = text.lstrip()
    if bare and (ids_of(bare) == [t] or ids_of(" " + bare) == [t]):
        word, banned = bare, t
        break
check(word is not None, f"no single-token word in the greedy output {base}")
r = complete(bad_words=[word])
out = r["choices"][0]["token_ids"]
check(banned not in out and out != base, f"bad_words [{word!r}] (token {banned}): output {out}, before {base}")

# truncate_prompt_tokens: the model reads only the prompt's last N tokens.
full = complete(max_tokens=1)["choices"][0]["prompt_token_ids"]
r = complete(max_tokens=1, truncate_prompt_tokens=5)
got = r["choices"][0]["prompt_token_ids"]
check(len(full) > 5 and got == full[-5:], f"truncated prompt {got} vs {full}")
check(r["usage"]["prompt_tokens"] == 5, f"usage after truncation {r['usage']}")
status, r = post("/v1/completions", {"prompt": "x", "truncate_prompt_tokens": 4096})
check(status == 400 and "greater than max_model_len" in r["error"]["message"], f"truncation past the context: {r}")
status, r = post("/v1/chat/completions", {"messages": [{"role": "user", "content": "Hello there, how are you?"}],
                                         "max_tokens": 1, "return_token_ids": True, "truncate_prompt_tokens": 3})
check(status == 200 and len(r["prompt_token_ids"]) == 3, f"chat truncate_prompt_tokens: {status} {r}")

# add_special_tokens on chat (default false: the template writes its own), as /tokenize renders it.
messages = [{"role": "user", "content": "hi"}]
for add in (False, True):
    status, r = post("/v1/chat/completions", {"messages": messages, "max_tokens": 1, "return_token_ids": True,
                                             "add_special_tokens": add})
    tok = post("/tokenize", {"messages": messages, "add_special_tokens": add})[1]["tokens"]
    check(status == 200 and r["prompt_token_ids"] == tok, f"chat add_special_tokens={add}: {r} vs {tok}")

# return_tokens_as_token_ids: logprob tokens name their ids ("token_id:N"), in completions and chat.
r = complete(max_tokens=4, logprobs=2, return_tokens_as_token_ids=True)
lp, ids = r["choices"][0]["logprobs"], r["choices"][0]["token_ids"]
check(lp["tokens"] == [f"token_id:{t}" for t in ids], f"completion tokens as ids: {lp['tokens']} vs {ids}")
check(all(k.startswith("token_id:") for top in lp["top_logprobs"] for k in top), f"top logprobs: {lp['top_logprobs']}")
status, r = post("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 3, "temperature": 0,
                                         "ignore_eos": True, "logprobs": True, "top_logprobs": 1,
                                         "return_tokens_as_token_ids": True, "return_token_ids": True})
content = r["choices"][0]["logprobs"]["content"]
check([e["token"] for e in content] == [f"token_id:{t}" for t in r["choices"][0]["token_ids"]], f"chat tokens as ids: {content}")

# --response-role agent: the answer's role after a generation prompt; a continued message keeps its own.
check(r["choices"][0]["message"]["role"] == "agent", f"response role: {r['choices'][0]['message']}")
status, r = post("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Well"}],
                                         "max_tokens": 2, "continue_final_message": True, "add_generation_prompt": False})
check(status == 200 and r["choices"][0]["message"]["role"] == "assistant", f"continued message role: {r}")

# prompt_logprobs on chat completions: one entry per prompt token, the first null (vLLM's top-level list).
status, r = post("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 1,
                                         "prompt_logprobs": 1, "return_token_ids": True})
plp = r.get("prompt_logprobs")
check(status == 200 and plp and plp[0] is None and len(plp) == len(r["prompt_token_ids"]), f"chat prompt_logprobs: {r}")

# What cannot work is a 400 in the OpenAI envelope.
for extra, what in [({"allowed_token_ids": []}, "empty"), ({"allowed_token_ids": [10**7]}, "out-of-vocab")]:
    status, r = post("/v1/completions", {"prompt": "x", **extra})
    check(status == 400 and what in r["error"]["message"], f"{extra}: {status} {r}")
print("vllm_extras: all checks passed")
PY
