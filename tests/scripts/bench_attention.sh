#!/usr/bin/env bash
# `hyserve bench-attention` end to end at a small size (about a second): the JSON has the fields the
# docs quote, the tiled kernel agrees with the one-row kernel, every ISA path and K/V dtype runs, and a
# bad option is refused. HYSERVE_BIN overrides the binary (default build/hyserve).
set -euo pipefail
cd "$(dirname "$0")/../.."
HY="${HYSERVE_BIN:-build/hyserve}"
if ! "$HY" bench-attention --help >/dev/null 2>&1; then
    echo "skip: $HY has no bench-attention command"
    exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for isa in avx512 avx2 scalar; do
    for dt in auto bfloat16 fp8; do
        HYSERVE_ISA=$isa "$HY" bench-attention --context 600 --queries 70 --threads 2 --repeats 1 \
            --kv-cache-dtype $dt --json >"$TMP/out.json"
        /usr/bin/python3 - "$TMP/out.json" "$dt" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["context"] == 600 and j["queries"] == 70 and j["new_tok_s"] > 0, j
assert "load_average" in j, j
if sys.argv[2] == "auto":
    assert j["kv_cache_dtype"] == "float32" and j["old_tok_s"] > 0, j
    assert j["rel_l2_new_vs_old"] < 1e-5, j
else:
    assert "old_tok_s" not in j, j  # the one-row kernel reads fp32 only
PY
    done
done
if "$HY" bench-attention --context 10 --queries 20 >/dev/null 2>&1; then
    echo "FAIL: --queries > --context accepted" >&2
    exit 1
fi
echo "bench_attention: ok"
