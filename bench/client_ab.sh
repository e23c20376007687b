#!/usr/bin/env bash
# bench-serve's two clients against one server, alternating (docs/engine.md "Session 10"): each round
# runs `bench-serve --concurrency 1,16` with --client loop, then --client threads, on the `small` test
# model, and prints both levels' aggregate decode tok/s, the 16 / 1 ratios (per request and while all
# streams decode) and the client's CPU per streamed token (/usr/bin/time user + sys).
# Usage: bench/client_ab.sh [ROUNDS]   Env: HYSERVE_BIN (build/hyserve), INPUT_LEN (128), OUTPUT_LEN (64)
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
BIN=${HYSERVE_BIN:-build/hyserve}
source scripts/lib/server.sh  # scratch_dir, free_port, wait_until_ready
scratch_dir
"$BIN" make-test-model "$TMP/model" --preset small >/dev/null
PORT=$(free_port)
"$BIN" serve --model "$TMP/model" --served-model-name small --host 127.0.0.1 --port "$PORT" --max-num-seqs 16 \
    >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
wait_until_ready "$PORT" "$SERVER_PID" "$TMP/server.log"
for r in $(seq "$ROUNDS"); do
    for client in loop threads; do
        /usr/bin/time -f "%U %S" -o "$TMP/time.txt" "$BIN" bench-serve --url "http://127.0.0.1:$PORT" \
            --concurrency 1,16 --input-len "${INPUT_LEN:-128}" --output-len "${OUTPUT_LEN:-64}" --client "$client" \
            --json >"$TMP/report.json"
        /usr/bin/python3 - "$r" "$client" "$TMP/report.json" "$(cat "$TMP/time.txt")" <<'PYEOF'
import json, sys
r, client, path, cpu = sys.argv[1:5]
j = json.load(open(path))
level = {x["concurrency"]: x for x in j["results"]}
sc = j["scaling"][0]
tokens = sum(x["total_output_tokens"] for x in j["results"])
user, system = map(float, cpu.split())
print(f"round {r} {client:7s}  1: {level[1]['aggregate_decode_throughput']:7.1f}  16: "
      f"{level[16]['aggregate_decode_throughput']:7.1f} tok/s  16/1 {sc['aggregate_decode_vs_one_median']:.2f}x  "
      f"all streams {sc['full_width_decode_vs_one_median']:.2f}x  client {1e6 * (user + system) / tokens:.1f} us/token")
PYEOF
    done
done
