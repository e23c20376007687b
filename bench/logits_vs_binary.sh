#!/usr/bin/env bash
# rel. L2 of all-position logits between two hyserve binaries (e.g. one built before an optimisation,
# issue 10), on the given models, with the AVX-512 and AVX2 kernels: one 34-token prefill chunk (GEMM
# path) then six single-token steps (GEMV path).
# Usage: bench/logits_vs_binary.sh OLD_HYSERVE NEW_HYSERVE MODEL...
set -euo pipefail
OLD=$1
NEW=$2
shift 2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ids=$(/usr/bin/python3 -c "import random; random.seed(3); print(','.join(str(random.randrange(20, 2000)) for _ in range(40)))")
for m in "$@"; do
    for isa in avx512 avx2; do
        for b in old new; do
            bin=$OLD
            [[ $b == new ]] && bin=$NEW
            HYSERVE_ISA=$isa "$bin" eval-logits --model "$m" --tokens "$ids" --all-positions --chunks 34,1,1,1,1,1,1 \
                --threads 2 --top 1 --out "$TMP/$b.f32" >/dev/null
        done
        /usr/bin/python3 - "$TMP" "$m" "$isa" <<'PY'
import sys
import numpy as np
d, m, isa = sys.argv[1:]
a = np.fromfile(f"{d}/old.f32", dtype=np.float32).astype(np.float64)
b = np.fromfile(f"{d}/new.f32", dtype=np.float32).astype(np.float64)
print(f"{m} {isa}: rel L2 {np.linalg.norm(a - b) / np.linalg.norm(a):.2e}, max abs {np.abs(a - b).max():.2e} ({a.size} logits)")
PY
    done
done
