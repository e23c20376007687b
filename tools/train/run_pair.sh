# Sourced by the two-run device scripts (gpu_two_runs.sh, gpu_copy_stage.sh): run_pair FN starts `FN a`
# and `FN b` side by side on the one GPU, prints both logs and fails unless both runs succeeded.
# The settings both scripts share (environment overrides them; smoke runs use DEVICE=cpu, small BATCH/SEQ):
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-out}
DEVICE=${DEVICE:-cuda}
MAX_DOCS=${MAX_DOCS:-0}
BATCH=${BATCH:-64}
SEQ=${SEQ:-1024}
PY=${PY:-python3}
nvidia-smi -L 2>/dev/null || true

run_pair() {
    local fn=$1 pa pb ra rb
    "$fn" a >"/tmp/gpu-$fn-a.txt" 2>&1 &
    pa=$!
    "$fn" b >"/tmp/gpu-$fn-b.txt" 2>&1 &
    pb=$!
    wait $pa
    ra=$?
    wait $pb
    rb=$?
    for n in a b; do
        echo "== run $n"
        cat "/tmp/gpu-$fn-$n.txt"
    done
    echo "run a exit $ra, run b exit $rb"
    [[ $ra -eq 0 && $rb -eq 0 ]]
}
