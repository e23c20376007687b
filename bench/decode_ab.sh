#!/usr/bin/env bash
# Decode throughput and bandwidth fraction of two hyserve binaries on one model, interleaved (issue 10):
# each round runs `hyserve bench --measure-bandwidth` with OLD then NEW (then NEW then OLD the next
# round), so drifting load on a shared machine hits both alike. Prints one line per run with the load
# average, then the median decode tok/s, GB/s of weights and fraction of the read probe per binary.
# Usage: bench/decode_ab.sh OLD_HYSERVE NEW_HYSERVE MODEL   Env: ROUNDS (3), P (16), N (64), THREADS (2)
set -euo pipefail
if [[ $# -ne 3 ]]; then
    echo "usage: $0 OLD_HYSERVE NEW_HYSERVE MODEL" >&2
    exit 2
fi
OLD=$1
NEW=$2
MODEL=$3
ROUNDS=${ROUNDS:-3}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
run() {  # name binary round
    "$2" bench --model "$MODEL" --threads "${THREADS:-2}" -p "${P:-16}" -n "${N:-64}" --repeats 3 --json \
        --measure-bandwidth >"$OUT/$1.$3.json"
    echo "round $3 $1: $(/usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print(f\"{j['decode_tok_s']:.2f} tok/s, {j['decode_gb_s']:.1f} GB/s, probe {j['bandwidth_gb_s']:.1f} GB/s, {100*j['bandwidth_fraction']:.0f}%\")" "$OUT/$1.$3.json") (load $(cut -d' ' -f1-3 /proc/loadavg))"
}
for r in $(seq "$ROUNDS"); do
    if ((r % 2)); then run old "$OLD" "$r"; run new "$NEW" "$r"; else run new "$NEW" "$r"; run old "$OLD" "$r"; fi
done
/usr/bin/python3 - "$OUT" "$ROUNDS" <<'PY'
import json, statistics, sys
out, rounds = sys.argv[1], int(sys.argv[2])
for b in ("old", "new"):
    js = [json.load(open(f"{out}/{b}.{r}.json")) for r in range(1, rounds + 1)]
    med = lambda k: statistics.median(j[k] for j in js)
    print(f"{b}: decode {med('decode_tok_s'):.2f} tok/s, {med('decode_gb_s'):.1f} GB/s of weights, "
          f"{100 * med('bandwidth_fraction'):.0f}% of the read probe (median of {rounds} rounds)")
PY
