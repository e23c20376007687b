#!/bin/bash
# The default model's training as sent to the device machine (issue 11): the recipe of
# tools/train/recipe.sh, one run alone on the GPU (a 5.4M-parameter model trains at ~690K tokens/s on
# one H200, and two runs side by side get half each). The data and tokenizer come from steps 1-2 of
# scripts/train_default_model.sh, made on the CPU machine and carried in $DATA. Writes
# $OUT/m/{ckpt.0,ckpt.1}.safetensors, ckpt_info.json and train_log.txt; a checkpoint every 60 s, so a
# run cut short still returns its last one.
#   OUT=/path DATA=.gpu-data BUDGET=530 tools/train/gpu_run.sh
set -uo pipefail
source "$(dirname "$0")/recipe.sh"
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-out}
DATA=${DATA:-.gpu-data}
nvidia-smi -L || true
mkdir -p "$OUT/m"
python3 tools/train/train.py train --data "$DATA/data.jsonl.xz" --tokenizer "$DATA/tok" --ckpt "$OUT/m" \
    "${TRAIN_ARGS[@]}" "${GPU_TRAIN_ARGS[@]}" --ckpt-every 60 --log-every 200 --check-encoders
