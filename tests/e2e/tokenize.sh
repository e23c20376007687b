#!/usr/bin/env bash
# vLLM's POST /tokenize and /detokenize (spec/api.md §1): the chat form gives exactly the prompt ids a chat
# completion runs on (tools and template kwargs included), the prompt form the ids /v1/completions runs
# on, token strings line up with the ids, /detokenize inverts /tokenize, and bad requests get the
# OpenAI error envelope.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
start_server
/usr/bin/python3 - "$HYSERVE_URL" <<'PY'
import json, sys

sys.path.insert(0, "tests/e2e")
from http_json import check, poster

url = sys.argv[1]
post = poster(url)

messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Weather in Paris?"}]
tools = [{"type": "function", "function": {"name": "get_weather", "description": "d",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
kwargs = {"enable_thinking": False}
status, tok = post("/tokenize", {"messages": messages, "tools": tools, "chat_template_kwargs": kwargs})
check(status == 200, f"chat tokenize: {status} {tok}")
status, chat = post("/v1/chat/completions", {"messages": messages, "tools": tools, "chat_template_kwargs": kwargs,
                                             "max_tokens": 1, "return_token_ids": True})
check(status == 200, f"chat completion: {status} {chat}")
check(tok["tokens"] == chat["prompt_token_ids"], f"chat form {tok['tokens']} != {chat['prompt_token_ids']}")
check(tok["count"] == len(tok["tokens"]) == chat["usage"]["prompt_tokens"], f"count {tok}")
check(tok["max_model_len"] > 0 and tok["token_strs"] is None, f"fields {tok}")

text = "Héllo wörld, 12 + 30 = 42 ✓"
status, tok = post("/tokenize", {"prompt": text, "return_token_strs": True})
check(status == 200 and len(tok["token_strs"]) == tok["count"] == len(tok["tokens"]), f"prompt form {tok}")
status, comp = post("/v1/completions", {"prompt": text, "max_tokens": 1, "return_token_ids": True})
check(status == 200, f"completion: {status} {comp}")
check(tok["tokens"] == comp["choices"][0]["prompt_token_ids"], f"prompt form {tok['tokens']} != completion's")
status, plain = post("/tokenize", {"prompt": text, "add_special_tokens": False})
status, back = post("/detokenize", {"tokens": plain["tokens"]})
check(status == 200 and back == {"prompt": text}, f"detokenize {status} {back}")

for path, body, code, needle in [
        ("/tokenize", {"model": "no-such-model", "prompt": "x"}, 404, "does not exist"),
        ("/tokenize", {}, 400, "prompt"),
        ("/tokenize", {"messages": []}, 400, "at least one message"),
        ("/tokenize", {"messages": messages, "continue_final_message": True}, 400, "continue_final_message"),
        ("/detokenize", {"tokens": [1, 10**9]}, 400, "out of vocabulary"),
        ("/detokenize", {"tokens": "12"}, 400, "list")]:
    status, err = post(path, body)
    check(status == code and needle in err["error"]["message"], f"{path} {body}: {status} {err}")
print("tokenize: all checks passed")
PY
[[ $(curl -s -o /dev/null -w '%{http_code}' "$HYSERVE_URL/tokenize") == 405 ]] || fail "GET /tokenize should be 405"
