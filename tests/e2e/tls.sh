#!/usr/bin/env bash
# TLS (vLLM's --ssl-* flags, NIM's NIM_SSL_MODE): with a certificate the server speaks HTTPS only, a
# streamed chat completion arrives whole over TLS (through curl and the official `openai` SDK), and
# with MTLS a client without a certificate signed by the configured CA is refused at the handshake.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/e2e/server_harness.sh
command -v openssl >/dev/null || { echo "skip: openssl missing"; exit 0; }

# A CA, a server certificate for 127.0.0.1 and a client certificate, all signed by the CA.
P="$TMP/pki"
mkdir -p "$P"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=hyserve test CA" \
    -keyout "$P/ca.key" -out "$P/ca.pem" 2>/dev/null
sign() {  # NAME SUBJECT EXTENSIONS
    openssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$P/$1.key" -out "$P/$1.csr" 2>/dev/null
    openssl x509 -req -in "$P/$1.csr" -CA "$P/ca.pem" -CAkey "$P/ca.key" -CAcreateserial -days 2 \
        -extfile <(printf '%s\n' "$3") -out "$P/$1.pem" 2>/dev/null
}
sign server "/CN=127.0.0.1" "subjectAltName=IP:127.0.0.1"
sign client "/CN=hyserve test client" "extendedKeyUsage=clientAuth"

start_tls_server() {  # ENV... -- ARGS...: like start_server, but waits on https
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    PORT=$(free_port)
    SERVER_LOG="$TMP/server.log"
    env "${envs[@]}" "$BIN" serve --model "$TMP/model" --host 127.0.0.1 --port "$PORT" --max-model-len 2048 "$@" \
        >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        curl -sf --cacert "$P/ca.pem" ${CLIENT_CERT:+--cert "$P/client.pem" --key "$P/client.key"} \
            "https://127.0.0.1:$PORT/v1/health/ready" >/dev/null 2>&1 && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || fail "TLS server died during startup: $(cat "$SERVER_LOG")"
        sleep 0.1
    done
    fail "TLS server not ready"
}

# vLLM's flags: HTTPS with the server certificate; plain HTTP on the same port gets nothing.
start_tls_server X=1 -- --ssl-certfile "$P/server.pem" --ssl-keyfile "$P/server.key"
URL="https://127.0.0.1:$PORT"
grep -q "listening on https://" "$SERVER_LOG" || fail "no https in the startup log"
! curl -sf -m 5 "http://127.0.0.1:$PORT/v1/models" >/dev/null 2>&1 || fail "plain HTTP answered on the TLS port"
# A streamed greedy chat completion arrives whole: its deltas add up to the non-streamed answer, then
# the usage chunk and [DONE] (a chunk per token is not guaranteed: a token may complete no character).
CHAT='{"messages":[{"role":"user","content":"hi"}],"max_tokens":24,"ignore_eos":true,"temperature":0'
whole=$(curl -sf --cacert "$P/ca.pem" -H 'Content-Type: application/json' "$URL/v1/chat/completions" -d "$CHAT}") ||
    fail "chat over TLS"
stream=$(curl -sfN --cacert "$P/ca.pem" -H 'Content-Type: application/json' "$URL/v1/chat/completions" \
    -d "$CHAT,\"stream\":true,\"stream_options\":{\"include_usage\":true}}") || fail "streamed chat over TLS"
/usr/bin/python3 - "$whole" "$stream" <<'PY' || fail "the TLS stream differs from the answer: $stream"
import json, sys
whole = json.loads(sys.argv[1])["choices"][0]["message"]
lines = [l[6:] for l in sys.argv[2].splitlines() if l.startswith("data: ")]
assert lines[-1] == "[DONE]", lines[-1]
chunks = [json.loads(l) for l in lines[:-1]]
text = {"content": "", "reasoning": ""}
for c in chunks:
    for ch in c["choices"]:
        for k in text:
            text[k] += ch["delta"].get(k) or ""
assert text["content"] == (whole["content"] or "") and text["reasoning"] == (whole.get("reasoning") or ""), (text, whole)
assert chunks[-1]["usage"]["completion_tokens"] == 24, chunks[-1]
PY
if [[ -d node_modules/openai ]]; then
    NODE_EXTRA_CA_CERTS="$P/ca.pem" URL="$URL" MODEL="$TMP/model" node --input-type=module -e '
import OpenAI from "openai";
const client = new OpenAI({ baseURL: process.env.URL + "/v1", apiKey: "none" });
let finish = null, chunks = 0;
for await (const c of await client.chat.completions.create({ model: process.env.MODEL, stream: true,
    messages: [{ role: "user", content: "hi" }], max_tokens: 16, ignore_eos: true })) {
  chunks += 1; finish = c.choices[0]?.finish_reason ?? finish;
}
if (chunks < 2 || finish !== "length") { console.error(`${chunks} chunks, finish ${finish} over TLS`); process.exit(1); }
' || fail "the openai SDK over TLS"
fi
stop_server

# NIM's MTLS: the client must present a certificate from NIM_SSL_CA_CERTS_PATH.
CLIENT_CERT=1 start_tls_server NIM_SSL_MODE=MTLS NIM_SSL_KEY_PATH="$P/server.key" NIM_SSL_CERTS_PATH="$P/server.pem" \
    NIM_SSL_CA_CERTS_PATH="$P/ca.pem" --
! curl -sf -m 5 --cacert "$P/ca.pem" "https://127.0.0.1:$PORT/v1/models" >/dev/null 2>&1 ||
    fail "MTLS answered a client without a certificate"
models=$(curl -sf --cacert "$P/ca.pem" --cert "$P/client.pem" --key "$P/client.key" "https://127.0.0.1:$PORT/v1/models") ||
    fail "MTLS refused the CA's client certificate"
grep -q '"object":"list"' <<<"$models" || fail "MTLS /v1/models: $models"
stop_server

# Broken settings stop startup naming the problem.
out=$("$BIN" serve --model "$TMP/model" --port "$(free_port)" --ssl-certfile "$P/server.pem" 2>&1) && fail "a certificate without a key started"
grep -q -- "--ssl-keyfile" <<<"$out" || fail "missing key not named: $out"
out=$("$BIN" serve --model "$TMP/model" --port "$(free_port)" --ssl-certfile "$P/server.pem" --ssl-keyfile "$P/client.key" 2>&1) &&
    fail "a mismatched key started"
grep -q "private key" <<<"$out" || fail "mismatched key not named: $out"
out=$(NIM_SSL_MODE=sometimes "$BIN" serve --model "$TMP/model" 2>&1) && fail "a bad NIM_SSL_MODE started"
grep -q "NIM_SSL_MODE" <<<"$out" || fail "bad NIM_SSL_MODE not named: $out"
echo "tls: all checks passed"
