#!/usr/bin/env bash
# tools/train/compare_evals.py (issue 11, check 4) on two small hand-written results files: the table
# gives each skill and secondary measure with both pass rates and the difference in points, the exit
# status says whether the largest difference is within --max-diff, and files of different cases are
# refused.
set -euo pipefail
cd "$(dirname "$0")/../.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 - "$TMP" <<'PY'
import json, sys
def case(skill, ok, **extra):
    return {"skill": skill, "ok": ok, **({"extra": extra} if extra else {}), "finish": "stop"}
# 20 cases per skill: the reference passes 19/20 additions, the compared run 20/20 (+5 points);
# JSON valid 20/20 in both, exact 20/20 against 19/20 (-5 points).
ref = [case("addition", i != 0) for i in range(20)] + [case("json", True, exact=True) for _ in range(20)]
cmp = [case("addition", True) for _ in range(20)] + [case("json", True, exact=i != 3) for i in range(20)]
json.dump(ref, open(f"{sys.argv[1]}/ref.json", "w"))
json.dump(cmp, open(f"{sys.argv[1]}/cmp.json", "w"))
json.dump(ref[:10], open(f"{sys.argv[1]}/short.json", "w"))
PY
TOOL=tools/train/compare_evals.py
/usr/bin/python3 "$TOOL" "$TMP/ref.json" "$TMP/cmp.json" --max-diff 5 >"$TMP/within.txt"
grep -qF '| addition | 20 | 95.0% | 100.0% | +5.0 |' "$TMP/within.txt"
grep -qF '| json exact | 20 | 100.0% | 95.0% | -5.0 |' "$TMP/within.txt"
grep -qF 'largest difference 5.0 points: within ±5' "$TMP/within.txt"
if /usr/bin/python3 "$TOOL" "$TMP/ref.json" "$TMP/cmp.json" >"$TMP/outside.txt"; then
    echo "FAIL: a 5-point difference passed the default ±3" >&2
    exit 1
fi
grep -qF 'largest difference 5.0 points: outside ±3' "$TMP/outside.txt"
if /usr/bin/python3 "$TOOL" "$TMP/ref.json" "$TMP/short.json" 2>"$TMP/err.txt"; then
    echo "FAIL: results of different cases were compared" >&2
    exit 1
fi
grep -q "different cases" "$TMP/err.txt"
echo "compare_evals: ok"
