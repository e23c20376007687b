#!/bin/bash
# The default model's training as sent to the device machine (issue 11): the recipe of
# tools/train/recipe.sh, one run alone on the GPU. The data and tokenizer come from steps 1-2 of
# scripts/train_default_model.sh, made on the CPU machine and carried in $DATA. Writes
# $OUT/$NAME/{ckpt.0,ckpt.1}.safetensors, ckpt_info.json and train_log.txt; a checkpoint every 60 s,
# so a run cut short still returns its last one.
# Measured on one H200 (docs/default_model.md): eager 91-95 ms per 64 x 1024-token step (the
# committed run: 5101 steps in 491 s after 53 s of tokenizing); COMPILE=1 (torch.compile) 40 ms per
# step after ~65 s of compiling, so one run takes ~330 s. Two runs side by side (a rerun beside it)
# would take ~530 s if they share the GPU as two eager runs did (half each); not measured.
# On one H100 with COMPILE=1 (session 16's from-scratch rerun): ~48 ms per step, 395 s for the whole
# device command.
#   OUT=/path DATA=.gpu-data [NAME=m] [COMPILE=1] tools/train/gpu_run.sh   (.gpu-data is git-ignored: the
#   device call carries .gpu-data/data.jsonl.xz and .gpu-data/tok)
set -uo pipefail
source "$(dirname "$0")/recipe.sh"
export PYTHONUNBUFFERED=1
OUT=${OUT:-/tmp/gpu-out}
DATA=${DATA:-.gpu-data}
nvidia-smi -L || true
NAME=${NAME:-m}
mkdir -p "$OUT/$NAME"
python3 tools/train/train.py train --data "$DATA/data.jsonl.xz" --tokenizer "$DATA/tok" --ckpt "$OUT/$NAME" \
    "${TRAIN_ARGS[@]}" "${GPU_TRAIN_ARGS[@]}" --ckpt-every 60 --log-every 200 --check-encoders \
    $([[ "${COMPILE:-0}" == 1 ]] && echo --compile)
