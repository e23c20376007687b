#!/usr/bin/env bash
# Side-by-side throughput of llama.cpp and hyserve on the very same GGUF file (issue 10).
# Usage: scripts/bench_vs_llamacpp.sh LLAMA_BIN_DIR MODEL.gguf
#   LLAMA_BIN_DIR holds llama-bench from a llama.cpp build made outside this repository (measurement
#   only: none of its code enters the project). Env: THREADS (2), ROUNDS (3), P (512), N (128),
#   HYSERVE_BIN (build/hyserve).
# Each round runs llama-bench (-r 3) and `hyserve bench` (--repeats 3) back to back, alternating
# which goes first, so drifting load on a shared machine hits both alike; the table shows the median
# over rounds of each engine's per-round mean (llama-bench) / median (hyserve), and their ratio.
set -euo pipefail
if [[ $# -ne 2 ]]; then
    echo "usage: $0 LLAMA_BIN_DIR MODEL.gguf" >&2
    exit 2
fi
LLAMA_BENCH="$1/llama-bench"
MODEL="$2"
cd "$(dirname "$0")/.."
HY="${HYSERVE_BIN:-build/hyserve}"
THREADS="${THREADS:-2}"
ROUNDS="${ROUNDS:-3}"
P="${P:-512}"
N="${N:-128}"
[[ -x "$LLAMA_BENCH" ]] || { echo "no llama-bench in $1" >&2; exit 2; }
[[ -f "$MODEL" ]] || { echo "no model file $MODEL" >&2; exit 2; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

run_llama() {
    "$LLAMA_BENCH" -m "$MODEL" -t "$THREADS" -p "$P" -n "$N" -r 3 -o json 2>/dev/null >"$OUT/llama.$1.json"
}
run_hyserve() {
    local bw=()
    [[ "$1" == 1 ]] && bw=(--measure-bandwidth)
    "$HY" bench --model "$MODEL" --threads "$THREADS" -p "$P" -n "$N" --repeats 3 --json "${bw[@]}" >"$OUT/hy.$1.json"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
    if ((r % 2)); then run_llama "$r"; run_hyserve "$r"; else run_hyserve "$r"; run_llama "$r"; fi
    echo "round $r done (load average $(cut -d' ' -f1-3 /proc/loadavg))"
done

/usr/bin/python3 - "$OUT" "$ROUNDS" "$P" "$N" "$THREADS" "$MODEL" <<'PY'
import json, statistics, sys
out, rounds, P, N, threads, model = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
lp, lt, hp, ht = [], [], [], []
bw = None
for r in range(1, rounds + 1):
    for t in json.load(open(f"{out}/llama.{r}.json")):
        (lp if t["n_prompt"] > 0 and t["n_gen"] == 0 else lt).append(t["avg_ts"])
    h = json.load(open(f"{out}/hy.{r}.json"))
    hp.append(h["prefill_tok_s"]); ht.append(h["decode_tok_s"])
    if "bandwidth_gb_s" in h:
        bw = h
last = h
med = statistics.median
print(f"\nmodel {model}, {threads} threads, {rounds} rounds (per-round figures: llama.cpp pp {[round(x,1) for x in lp]}"
      f" tg {[round(x,1) for x in lt]}; hyserve pp {[round(x,1) for x in hp]} tg {[round(x,1) for x in ht]})")
print(f"| | llama.cpp | hyserve | ratio |")
print(f"|---|---|---|---|")
print(f"| prefill pp{P} (tok/s) | {med(lp):.1f} | {med(hp):.1f} | {med(hp)/med(lp):.2f}x |")
print(f"| decode tg{N} (tok/s) | {med(lt):.2f} | {med(ht):.2f} | {med(ht)/med(lt):.2f}x |")
bpt = last["decode_bytes_per_token"]
print(f"\nweights read per decoded token: {bpt/1e6:.1f} MB -> llama.cpp {med(lt)*bpt/1e9:.1f} GB/s, hyserve {med(ht)*bpt/1e9:.1f} GB/s")
if bw:
    print(f"read bandwidth measured by hyserve bench: {bw['bandwidth_gb_s']:.1f} GB/s (best), {bw['bandwidth_median_gb_s']:.1f} (median)"
          f" -> hyserve decode at {100*med(ht)*bpt/1e9/bw['bandwidth_gb_s']:.0f}%, llama.cpp at {100*med(lt)*bpt/1e9/bw['bandwidth_gb_s']:.0f}%")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
