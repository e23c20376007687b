#!/usr/bin/env bash
# `hyserve bench` end to end on a tiny model (seconds): the JSON has the issue 10 fields with sane
# values, the weight traffic matches the model, a bad option is refused, and the AVX2 path runs too.
# HYSERVE_BIN overrides the binary (default build/hyserve relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."
HY="${HYSERVE_BIN:-build/hyserve}"
if ! "$HY" bench --help >/dev/null 2>&1; then
    echo "skip: $HY has no bench command"
    exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
"$HY" make-test-model "$TMP/m" --preset tiny --format gguf --dtype q8_0 --no-mtp >/dev/null
for isa in avx512 avx2; do
    HYSERVE_ISA=$isa "$HY" bench --model "$TMP/m/model.gguf" -p 16 -n 4 --threads 2 --repeats 2 --json \
        --measure-bandwidth >"$TMP/out.$isa.json"
    /usr/bin/python3 - "$TMP/out.$isa.json" "$isa" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for k in ("prefill_tok_s", "decode_tok_s", "decode_gb_s", "bandwidth_gb_s", "bandwidth_fraction"):
    assert j[k] > 0, (k, j[k])
assert len(j["prefill_tok_s_all"]) == 2 and len(j["decode_tok_s_all"]) == 2, j
# Decode reads less than the whole model (2 of 8 experts per MoE layer, one embedding row).
assert 0 < j["decode_bytes_per_token"] < j["weight_bytes"], j
assert j["active_params"] < j["total_params"], j
# The tiny file is under one huge page, so it stays mapped (core/mapped_file.h).
assert j["weights_residency"] == "mapped" and j["weights_huge_page_bytes"] == 0, j
if sys.argv[2] == "avx2":
    assert j["isa"] in ("avx2", "scalar"), j["isa"]
print(f"{sys.argv[2]}: ok ({j['isa']}, pp {j['prefill_tok_s']:.0f} tok/s, tg {j['decode_tok_s']:.0f} tok/s)")
PY
done
# --batch: 3 sequences decoded together, one forward call per step (issue 6's offline probe).
"$HY" bench --model "$TMP/m/model.gguf" -p 8 -n 4 --threads 2 --repeats 1 --batch 3 --json >"$TMP/batch.json"
/usr/bin/python3 - "$TMP/batch.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["batch"] == 3 and j["decode_tok_s"] > 0, j
assert abs(j["decode_step_ms"] - 3e3 / j["decode_tok_s"]) < 1e-6 * j["decode_step_ms"], j
print(f"batch 3: ok ({j['decode_tok_s']:.0f} tok/s aggregate, {j['decode_step_ms']:.2f} ms per step)")
PY
if "$HY" bench --model "$TMP/m/model.gguf" -p 0 >/dev/null 2>"$TMP/err"; then
    echo "FAIL: -p 0 accepted"
    exit 1
fi
grep -q "must be" "$TMP/err" || { echo "FAIL: no message for -p 0"; cat "$TMP/err"; exit 1; }
echo "bench_cli: ok"
