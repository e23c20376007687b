#!/usr/bin/env bash
# Attention kernel figures of docs/engine.md (issue 6): `hyserve bench-attention` on the `small` model's
# shape (8 query heads, 2 KV heads, head_dim 32, pages of 64 tokens), tiled kernel vs the one-row
# kernel it replaced, alternating within each repeat: 320 queries at context 8192 (the recomputed tail
# of a cached 8K prompt) in fp32 / bfloat16 / fp8 K/V, the full causal 8192 prefill, and one decode
# query at contexts 2048 and 8192. Environment: HYSERVE_BIN (default build/hyserve), THREADS (2),
# REPEATS (3; the full prefill runs once).
set -euo pipefail
cd "$(dirname "$0")/.."
HY=${HYSERVE_BIN:-build/hyserve}
T=${THREADS:-2}
R=${REPEATS:-3}
echo "# $(date -u +%FT%TZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $HY"
run() { "$HY" bench-attention --threads "$T" "$@" | sed -n '2,4p'; }
echo "## C=8192 T=320";          run --context 8192 --queries 320 --repeats "$R"
for dt in bfloat16 fp8; do
    echo "## C=8192 T=320 $dt";  run --context 8192 --queries 320 --repeats "$R" --kv-cache-dtype "$dt"
done
echo "## C=8192 T=8192 (full causal prefill)"; run --context 8192 --queries 8192 --repeats 1
echo "## decode C=2048";          run --context 2048 --queries 1 --repeats $((R * 10))
echo "## decode C=8192";          run --context 8192 --queries 1 --repeats $((R * 10))
