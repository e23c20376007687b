#!/usr/bin/env bash
# Baseline prefill and decode speed of the forward pass on the `small` test model, until `hyserve bench`
# exists (issue 10). Times come from wall-clock differences with the model load subtracted:
#   prefill = eval-logits on 512 tokens  - eval-logits on 1 token
#   decode  = generate 129 tokens        - generate 1 token
# Usage: bench/forward_baseline.sh [THREADS] [REPEATS]   (HYSERVE_BIN overrides build/hyserve)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${HYSERVE_BIN:-build/hyserve}"
THREADS="${1:-2}"
REPEATS="${2:-3}"
MODEL=$(mktemp -d)
trap 'rm -rf "$MODEL"' EXIT
"$BIN" make-test-model "$MODEL" --preset small --format hf --seed 1 >/dev/null
ids=$(/usr/bin/python3 -c "import random; random.seed(1); print(','.join(str(random.randrange(20, 4000)) for _ in range(512)))")
seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >/dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}
for rep in $(seq "$REPEATS"); do
    load=$(seconds "$BIN" eval-logits --model "$MODEL" --tokens 5 --threads "$THREADS")
    prefill=$(seconds "$BIN" eval-logits --model "$MODEL" --tokens "$ids" --threads "$THREADS")
    one=$(seconds "$BIN" generate --model "$MODEL" --prompt-tokens 5 --max-tokens 1 --threads "$THREADS")
    many=$(seconds "$BIN" generate --model "$MODEL" --prompt-tokens 5 --max-tokens 129 --threads "$THREADS")
    printf 'repeat %d: prefill %.0f tok/s (511 tokens), decode %.0f tok/s (128 tokens)\n' "$rep" \
        "$(echo "511 / ($prefill - $load)" | bc -l)" "$(echo "128 / ($many - $one)" | bc -l)"
done
