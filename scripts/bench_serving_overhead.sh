#!/usr/bin/env bash
# Issue 10's serving figures on one model file: (1) one HTTP stream decodes within 10% of the offline
# figure — `hyserve bench -p P -n N` decode tok/s against 1000 / TPOT p50 of one streaming
# /v1/completions request of the same prompt and output length (`bench-serve --concurrency 1`, greedy,
# ignore_eos) served by `hyserve serve` on the same file and thread count, alternating the two ROUNDS
# times; (2) the server's peak RSS (VmHWM after those requests) against model file size +
# --kv-cache-memory + 200 MB.
#
# usage: scripts/bench_serving_overhead.sh MODEL.gguf
# Environment: HYSERVE_BIN (build/hyserve), P (512), N (128), THREADS (2), KV_MEM (bytes for
# --kv-cache-memory, default 1073741824), ROUNDS (2), REQUESTS (3 streams per serving round),
# SERVE_ARGS (extra `serve` flags).
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: $0 MODEL.gguf}
BIN=${HYSERVE_BIN:-build/hyserve}
P=${P:-512}
N=${N:-128}
THREADS=${THREADS:-2}
KV_MEM=${KV_MEM:-1073741824}
ROUNDS=${ROUNDS:-2}
REQUESTS=${REQUESTS:-3}
[[ -x "$BIN" ]] || { echo "$BIN not built" >&2; exit 1; }
[[ -f "$MODEL" ]] || { echo "$MODEL: no such model file" >&2; exit 1; }

source scripts/lib/server.sh  # scratch_dir, free_port, wait_until_ready
scratch_dir
load() { cut -d' ' -f1 /proc/loadavg; }

offline() {  # -> decode tok/s (median of 3 repeats)
    "$BIN" bench --model "$MODEL" -p "$P" -n "$N" --threads "$THREADS" --repeats 3 --json >"$TMP/offline.json"
    /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["decode_tok_s"])' "$TMP/offline.json"
}

serving() {  # -> "decode_tok_s vmhwm_kib" for one server life: REQUESTS sequential streams
    local port
    port=$(free_port)
    # shellcheck disable=SC2086
    "$BIN" serve --model "$MODEL" --served-model-name m --host 127.0.0.1 --port "$port" --threads "$THREADS" \
        --max-model-len $((P + N + 64)) --max-num-seqs 4 --kv-cache-memory "$KV_MEM" ${SERVE_ARGS:-} \
        >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    wait_until_ready "$port" "$SERVER_PID" "$TMP/server.log" 1200
    "$BIN" bench-serve --url "http://127.0.0.1:$port" --concurrency 1 --num-prompts "$REQUESTS" \
        --input-len "$P" --output-len "$N" --json >"$TMP/serve.json"
    local hwm
    hwm=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")
    kill "$SERVER_PID"
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
    /usr/bin/python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]
assert r["completed"] == r["num_prompts"], r.get("first_error")
print(1000.0 / r["tpot_ms"]["p50"], sys.argv[2])' "$TMP/serve.json" "$hwm"
}

echo "# $(date -u +%FT%TZ), $(nproc) cpus, model $MODEL ($(stat -c %s "$MODEL") bytes), p=$P n=$N threads=$THREADS"
off=()
srv=()
hwm=0
for ((i = 0; i < ROUNDS; ++i)); do
    # alternate which goes first, so drifting load hits both alike
    if ((i % 2 == 0)); then
        l0=$(load); o=$(offline); s=$(serving); l1=$(load)
    else
        l0=$(load); s=$(serving); o=$(offline); l1=$(load)
    fi
    read -r stok shwm <<<"$s"
    off+=("$o")
    srv+=("$stok")
    ((shwm > hwm)) && hwm=$shwm
    printf 'round %d: offline decode %.2f tok/s, one HTTP stream %.2f tok/s (1/TPOT p50), server VmHWM %d MiB (load %s -> %s)\n' \
        "$i" "$o" "$stok" $((shwm / 1024)) "$l0" "$l1"
done
/usr/bin/python3 - "$(stat -c %s "$MODEL")" "$KV_MEM" "$hwm" "${off[*]}" "${srv[*]}" <<'PYEOF'
import statistics, sys
size, kv, hwm_kib = int(sys.argv[1]), int(float(sys.argv[2])), int(sys.argv[3])
off = [float(x) for x in sys.argv[4].split()]
srv = [float(x) for x in sys.argv[5].split()]
o, s = statistics.median(off), statistics.median(srv)
print(f"median offline decode {o:.2f} tok/s, one HTTP stream {s:.2f} tok/s: {100 * s / o:.1f}% of offline "
      f"(target >= 90%)")
limit = size + kv + 200 * 2**20
print(f"peak RSS {hwm_kib / 1024:.0f} MiB vs file {size / 2**20:.0f} MiB + KV/state budget {kv / 2**20:.0f} MiB + "
      f"200 MiB = {limit / 2**20:.0f} MiB: {'within' if hwm_kib * 1024 <= limit else 'OVER'}")
PYEOF
