#!/bin/bash
# Issue 11, verification 1: hyserve agrees with the independent PyTorch implementation on the trained
# default model, for the HF directory and the GGUF copy: last-position logits of 20 held-out prompts
# within relative L2 1e-4, and identical greedy 128-token continuations. The PyTorch side is a
# committed fixture (tests/data/default_model/, tools/train/make_fidelity_fixture.py), so no torch here.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${HYSERVE_BIN:-build/hyserve}
if [[ ! -x "$BIN" ]]; then echo "skip: $BIN not built" >&2; exit 0; fi
FIX=tests/data/default_model
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
/usr/bin/python3 -c "
import json
for i, p in enumerate(json.load(open('$FIX/fidelity.json'))['prompts']):
    open('$TMP/p%d.txt' % i, 'w').write(','.join(map(str, p)))"
n=$(ls "$TMP"/p*.txt | wc -l)
for model in models/default models/default.gguf; do
    for ((i = 0; i < n; i++)); do
        ids=$(cat "$TMP/p$i.txt")
        "$BIN" eval-logits --model "$model" --tokens "$ids" --top 1 --out "$TMP/l$i.f32" >/dev/null
        "$BIN" generate --model "$model" --prompt-tokens "$ids" --max-tokens 128 >"$TMP/g$i.txt"
    done
    if ! /usr/bin/python3 - "$FIX" "$TMP" "$model" <<'PY'; then fail=1; fi
import json, sys
import numpy as np
fix, tmp, model = sys.argv[1:4]
f = json.load(open(f"{fix}/fidelity.json"))
ref = np.fromfile(f"{fix}/fidelity_logits.f32", dtype="<f4").reshape(len(f["prompts"]), f["vocab"])
worst, same, bad = 0.0, 0, []
for i, want in enumerate(f["greedy"]):
    got = np.fromfile(f"{tmp}/l{i}.f32", dtype="<f4")
    rel = float(np.linalg.norm(got - ref[i]) / np.linalg.norm(ref[i]))
    worst = max(worst, rel)
    toks = [int(t) for t in open(f"{tmp}/g{i}.txt").read().split()]
    if toks == want:
        same += 1
    else:
        k = next((j for j, (a, b) in enumerate(zip(toks, want)) if a != b), min(len(toks), len(want)))
        bad.append(f"prompt {i}: first difference at generated token {k}")
ok = worst <= 1e-4 and same == len(f["greedy"])
print(f"{model}: max rel L2 {worst:.2e} (limit 1e-4), greedy 128 identical {same}/{len(f['greedy'])}"
      + ("" if ok else "  FAIL " + "; ".join(bad)))
sys.exit(0 if ok else 1)
PY
done
# `hyserve convert` is deterministic: converting the committed HF directory again gives the committed GGUF.
"$BIN" convert models/default "$TMP/default.gguf" --name hyserve-default >/dev/null
if cmp -s "$TMP/default.gguf" models/default.gguf; then
    echo "hyserve convert models/default: byte-identical to models/default.gguf"
else
    echo "FAIL: hyserve convert models/default differs from models/default.gguf"
    fail=1
fi
exit $fail
