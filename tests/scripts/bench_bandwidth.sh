#!/usr/bin/env bash
# `hyserve bench-bandwidth` end to end (about a second): every requested shape is measured in 4 KiB and
# 2 MiB pages with positive figures and one median per round, and bad options are refused.
# HYSERVE_BIN overrides the binary (default build/hyserve relative to the repository root).
set -euo pipefail
cd "$(dirname "$0")/../.."
HY="${HYSERVE_BIN:-build/hyserve}"
if ! "$HY" bench-bandwidth --help >/dev/null 2>&1; then
    echo "skip: $HY has no bench-bandwidth command"
    exit 0
fi
OUT=$("$HY" bench-bandwidth --threads 2 --mib 64 --segments-kib 0 1024 --passes 2 --rounds 2 --json)
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
j = json.loads(sys.argv[1])
assert j["threads"] == 2, j
shapes = sorted((p["segment_bytes"], p["huge_pages"]) for p in j["probes"])
assert shapes == [(0, False), (0, True), (1 << 20, False), (1 << 20, True)], shapes
for p in j["probes"]:
    assert p["bytes"] == 64 << 20 and p["best_gb_s"] > 0 and len(p["median_gb_s_per_round"]) == 2, p
print("ok: " + ", ".join(f"{p['segment_bytes'] >> 10} KiB/{'2M' if p['huge_pages'] else '4K'} {p['best_gb_s']:.1f} GB/s"
                         for p in j["probes"]))
PY
for bad in "--mib 0" "--rounds 0" "--segments-kib -1"; do
    # shellcheck disable=SC2086
    if "$HY" bench-bandwidth $bad >/dev/null 2>&1; then
        echo "FAIL: bench-bandwidth $bad was accepted" >&2
        exit 1
    fi
done
echo "bench_bandwidth: ok"
