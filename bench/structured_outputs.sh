#!/usr/bin/env bash
# What a grammar costs in serving (issue 9): 8 sequential 200-token chat requests on the tiny model,
# unconstrained (ignore_eos) vs response_format json_object, tokens per second from the server's
# per-request log (`total=`). Usage: bench/structured_outputs.sh  (HYSERVE_BIN as in the e2e harness)
set -euo pipefail
cd "$(dirname "$0")/.."
source tests/e2e/server_harness.sh
start_server --served-model-name tiny
run() {
    for s in 1 2 3 4 5 6 7 8; do
        curl -s "$HYSERVE_URL/v1/chat/completions" -H 'content-type: application/json' -d "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":200,\"seed\":$s,\"temperature\":1,\"chat_template_kwargs\":{\"enable_thinking\":false}$1}" >/dev/null
    done
}
run ',"ignore_eos":true' # warm-up
for round in 1 2; do
    for mode in plain json_object; do
        start=$(wc -l <"$SERVER_LOG")
        if [[ $mode == plain ]]; then run ',"ignore_eos":true'; else run ',"response_format":{"type":"json_object"}'; fi
        tail -n +$((start + 1)) "$SERVER_LOG" | grep -o "completion_tokens=[0-9]* ttft=[0-9.]*s total=[0-9.]*s" |
            awk -v m="$mode" -v r="$round" '{split($1,a,"=");split($3,b,"=");sub("s","",b[2]); t+=a[2]; s+=b[2]}
                END {printf "round %s %-12s %d tokens in %.3f s = %.0f tok/s\n", r, m, t, s, t/s}'
    done
done
